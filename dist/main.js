import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-7XPLAI6C.js";
import "./chunks/chunk-5PFJ4NMX.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
