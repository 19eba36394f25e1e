import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-ZCKNFHIY.js";
import "./chunks/chunk-EA5PMIYZ.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
