// Prints the closing line CI reads, `N passed, N failed`, from vitest's JSON results.
// A run that failed outside any test (a setup error, the leftover check) counts as one failure,
// so the line never reads green for a red run.
import { existsSync, readFileSync } from 'node:fs';

const [file = '.vitest/results.json', status = '0'] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(file)) {
  const results = JSON.parse(readFileSync(file, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  skipped = results.numPendingTests + (results.numTodoTests ?? 0);
}
if (status !== '0' && failed === 0) {
  console.log('the run failed outside the tests (see the errors above: test bed, setup, leftovers)');
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
