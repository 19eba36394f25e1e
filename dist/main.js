import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-Z67VOZBK.js";
import "./chunks/chunk-GDFJJDSC.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
