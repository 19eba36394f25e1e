import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  hasAbandonedCacheWork,
  runAction
} from "./chunks/chunk-J4ATM5OZ.js";
import "./chunks/chunk-5OYQUT22.js";

// src/main.ts
await runAction();
if (hasAbandonedCacheWork()) process.exit();
