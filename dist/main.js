import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-SYXDRP2D.js";
import "./chunks/chunk-CORND2HM.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
