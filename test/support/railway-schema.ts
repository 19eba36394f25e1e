/** Where Railway's schema introspection lives: reference data beside the project, never copied into it. */
import { fileURLToPath } from 'node:url';
import { DEFAULT_RAILWAY_SCHEMA_PATH } from './railway-server.ts';

export const RAILWAY_SCHEMA_PATH = fileURLToPath(DEFAULT_RAILWAY_SCHEMA_PATH);
