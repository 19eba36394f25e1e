import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  runAction
} from "./chunks/chunk-HLDKMGEJ.js";
import "./chunks/chunk-JIPRKF7Y.js";

// src/main.ts
await runAction();
