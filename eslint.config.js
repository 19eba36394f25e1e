// ESLint over src/ and test/: typescript-eslint's strict type-checked rules, two of them tuned.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // The fixtures' .railway/railway.ts are apps' own code for Railway's SDK, outside the project's type check.
  { ignores: ['test/fixtures/**/.railway/', 'dist/', 'node_modules/', 'examples/', '.vitest/', 'bench/', 'scripts/', '*.config.*', 'eslint.config.js'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Messages are full of sizes, counts, ports and durations; a number prints as itself.
      // Everything else (null, undefined, objects) is still refused: "undefined" in a message is a bug.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(m) => core.info(m)` is how a log adapter forwards a call, and `return reply(...)` is an
      // early exit from a handler that returns nothing; braces and a second statement add nothing.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
    },
  },
  {
    // A function reads at once: a longer one says above it why it stays whole.
    files: ['src/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // One assertion style: node:assert/strict, whose failures name the values compared.
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vitest', importNames: ['expect'], message: "Assert with node:assert/strict (import assert from 'node:assert/strict'), as the other tests do." }] }],
    },
  },
);
