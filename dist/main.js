import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-HLHKDT3A.js";
import "./chunks/chunk-MBUSI2TA.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
