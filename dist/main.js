import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  runAction
} from "./chunks/chunk-C6LBLBP4.js";
import "./chunks/chunk-R36AYOIH.js";

// src/main.ts
await runAction();
