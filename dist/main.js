import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-OAM4SJAA.js";
import "./chunks/chunk-RNCAG3AZ.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
