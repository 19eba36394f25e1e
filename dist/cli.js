#!/usr/bin/env -S node --
import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);

// src/cli.ts
import module from "node:module";
module.enableCompileCache?.();
<<<<<<< HEAD
<<<<<<< HEAD
<<<<<<< HEAD
var { runCli } = await import("./chunks/local-6K5EEUPZ.js");
=======
var { runCli } = await import("./chunks/local-AGG674ZV.js");
>>>>>>> wip-mask
=======
var { runCli } = await import("./chunks/local-PIW3IS63.js");
>>>>>>> wip-inputs
=======
var { runCli } = await import("./chunks/local-2CHZHOBF.js");
>>>>>>> wip-load
process.exitCode = await runCli(process.argv.slice(2));
