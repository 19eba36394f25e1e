import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-KZY5RL57.js";
import "./chunks/chunk-WU2TZYE3.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
