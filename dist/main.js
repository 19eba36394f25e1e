import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-K5G6RTVT.js";
import "./chunks/chunk-7RQNORPR.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
