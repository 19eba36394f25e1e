import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-GLRLRWGE.js";
import "./chunks/chunk-LN3FU3DL.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
