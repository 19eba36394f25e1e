#!/usr/bin/env node
import { runCli } from './local.ts';

process.exitCode = await runCli(process.argv.slice(2));
