import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-KRC752YW.js";
import "./chunks/chunk-5VP3NDLC.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
