import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  runAction
} from "./chunks/chunk-JPHZMAJW.js";
import "./chunks/chunk-ANHONJO4.js";

// src/main.ts
await runAction();
