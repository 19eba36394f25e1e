#!/usr/bin/env -S node --
import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);

// src/cli.ts
import module from "node:module";
module.enableCompileCache?.();
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => void 0);
var { runCli } = await import("./chunks/local.js");
process.exitCode = await runCli(process.argv.slice(2));
