#!/usr/bin/env -S node --
import module from 'node:module';

// The "--" in the line above ends Node's own options: Node reads a --env-file anywhere on its
// command line, even after the script (nodejs/node#54232), and would exit 9 on a missing file
// before deploy-check runs. Run as `node dist/cli.js`, the same "--" goes before the flags.

// Node 22.1+ keeps the compiled bundle on disk between runs, which shortens every later start.
// The command is loaded after this line (a dynamic import) so that it is what gets cached.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// A reader that goes away (`deploy-check … | head`) makes every later write fail with EPIPE: those
// errors are dropped, or each would reach the last-resort handler, which writes again. The run
// goes on without output and still cleans up.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
const { runCli } = await import('./local.ts');
process.exitCode = await runCli(process.argv.slice(2));
