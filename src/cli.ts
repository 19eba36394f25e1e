#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps the compiled bundle on disk between runs, which shortens every later start.
// The command is loaded after this line (a dynamic import) so that it is what gets cached.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { runCli } = await import('./local.ts');
process.exitCode = await runCli(process.argv.slice(2));
