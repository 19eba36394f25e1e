import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  runAction
} from "./chunks/chunk-IFK2YHI4.js";
import "./chunks/chunk-WVFMQZER.js";

// src/main.ts
await runAction();
