import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  runAction
} from "./chunks/chunk-CKCU4KZS.js";
import "./chunks/chunk-VPNKVMMN.js";

// src/main.ts
await runAction();
