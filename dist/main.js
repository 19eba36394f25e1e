import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-MFOD7ZH5.js";
import "./chunks/chunk-QHZKC7CM.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
