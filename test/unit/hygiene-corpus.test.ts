/**
 * The published corpora of the secret scan (test/fixtures/hygiene-corpus): what real
 * repositories carry in documentation, samples, Compose and CI files and tests must not fail
 * the check; real-looking secrets must. Prints the precision and recall it measures.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { secretFileRule } from '../../src/hygiene/rules.ts';
import { classifySecretValues } from '../../src/secrets/values.ts';
import { loadCorpus } from '../support/secret-corpus.ts';

/** Where each corpus sits in the image of the integration test, so paths look like an app's. */
const ROOT = { 'false-positives': '/app', 'true-positives': '/srv/service' } as const;

test('false-positive corpus: every credential-shaped value is a look-alike, none a secret', () => {
  const files = loadCorpus('false-positives');
  assert.ok(files.length >= 15, `the corpus has ${files.length} files`);
  let candidates = 0;
  for (const f of files) {
    const found = classifySecretValues(f.text, [], 50, `${ROOT['false-positives']}/${f.rel}`);
    const secrets = found.filter((m) => !m.lookalike).map((m) => `line ${m.line}: ${m.kind}`);
    assert.deepEqual(secrets, [], `${f.rel} must hold no secret`);
    const rule = secretFileRule(`${ROOT['false-positives']}/${f.rel}`);
    assert.ok(!rule || (rule.content && !rule.content(f.text)), `${f.rel} must not be a secret file`);
    // Every file must put the rules to work, or it proves nothing.
    assert.ok(found.length > 0, `${f.rel}: nothing credential-shaped was found, so the file tests nothing`);
    candidates += found.length;
  }
  assert.ok(candidates >= 40, `${candidates} look-alikes`);
});

test('true-positive corpus: every filled-in secret is found, and nothing else', () => {
  for (const f of loadCorpus('true-positives')) {
    const found = classifySecretValues(f.text, [], 50, `${ROOT['true-positives']}/${f.rel}`).filter((m) => !m.lookalike);
    assert.deepEqual(found.map((m) => m.secret).sort(), [...f.filled].sort(), `${f.rel}: the secrets found are the ones filled in`);
  }
});

test('precision and recall over both corpora', () => {
  let truePositives = 0;
  let falsePositives = 0;
  let expected = 0;
  let lookalikes = 0;
  for (const name of ['false-positives', 'true-positives'] as const) {
    for (const f of loadCorpus(name)) {
      const secrets = name === 'true-positives' ? new Set(f.filled) : new Set<string>();
      expected += secrets.size;
      for (const m of classifySecretValues(f.text, [], 50, `${ROOT[name]}/${f.rel}`)) {
        if (m.lookalike) lookalikes++;
        else if (secrets.has(m.secret)) truePositives++;
        else falsePositives++;
      }
    }
  }
  const precision = truePositives / (truePositives + falsePositives);
  const recall = truePositives / expected;
  console.log(
    `hygiene corpus: ${truePositives + falsePositives} failing findings, ${truePositives} of ${expected} secrets, ${falsePositives} false, ${lookalikes} look-alikes noted; precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`,
  );
  assert.equal(precision, 1);
  assert.equal(recall, 1);
});
