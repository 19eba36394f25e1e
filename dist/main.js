import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-L2BAFFER.js";
import "./chunks/chunk-6XLMUGSI.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
