import assert from 'node:assert/strict';
import { test } from 'vitest';
import { decideGate } from '../../src/deploy/railway/gate.ts';
import type { RunEvent } from '../../src/github/context.ts';

const push = (ref: string, defaultBranch: string | null = 'main'): RunEvent => ({ name: 'push', ref, defaultBranch, action: null });
const event = (name: string, extra: Partial<RunEvent> = {}): RunEvent => ({ name, ref: 'refs/heads/main', defaultBranch: 'main', action: null, ...extra });

test('auto deploys a push to the default branch, a published release and a manual dispatch', () => {
  assert.deepEqual(decideGate('auto', push('refs/heads/main'), null), { deploy: true, why: 'a push to the default branch (main)' });
  assert.equal(decideGate('auto', push('refs/heads/trunk', 'trunk'), null).deploy, true);
  assert.equal(decideGate('auto', event('release', { action: 'published', ref: 'refs/tags/v1.2.0' }), null).deploy, true);
  assert.equal(decideGate('auto', event('workflow_dispatch', { ref: 'refs/heads/hotfix' }), null).deploy, true);
});

test('auto never deploys a pull request, whatever its branch', () => {
  for (const name of ['pull_request', 'pull_request_target']) {
    const decision = decideGate('auto', event(name, { ref: 'refs/pull/7/merge' }), null);
    assert.equal(decision.deploy, false);
    assert.match(decision.reason, /pull request never deploys/);
  }
  // Even a pull request whose ref looks like the default branch.
  assert.equal(decideGate('auto', event('pull_request'), null).deploy, false);
});

test('auto skips other branches, tags, unpublished releases and other events, saying why', () => {
  const other = decideGate('auto', push('refs/heads/feature/x'), null);
  assert.equal(other.deploy, false);
  assert.match(other.reason, /refs\/heads\/feature\/x, not to the default branch refs\/heads\/main/);
  assert.equal(decideGate('auto', push('refs/tags/v1.0.0'), null).deploy, false);
  const created = decideGate('auto', event('release', { action: 'created' }), null);
  assert.match(created.deploy ? '' : created.reason, /"created", not "published"/);
  const schedule = decideGate('auto', event('schedule'), null);
  assert.match(schedule.deploy ? '' : schedule.reason, /"schedule" does not deploy.*deploy: always/);
  const noDefault = decideGate('auto', push('refs/heads/main', null), null);
  assert.match(noDefault.deploy ? '' : noDefault.reason, /names no default branch/);
});

test('auto in the local command (no event) means never', () => {
  const decision = decideGate('auto', null, null);
  assert.equal(decision.deploy, false);
  assert.match(decision.reason, /local run.*--deploy always/);
});

test('always deploys on any event, also a pull request and a local run; never never does', () => {
  assert.equal(decideGate('always', event('pull_request'), null).deploy, true);
  assert.equal(decideGate('always', null, null).deploy, true);
  assert.deepEqual(decideGate('never', push('refs/heads/main'), null), { deploy: false, reason: 'deploy is "never"' });
});

test('nothing that failed a check is deployed, in any mode', () => {
  for (const mode of ['auto', 'always'] as const) {
    const decision = decideGate(mode, push('refs/heads/main'), 'Health check failed: the container exited with code 3');
    assert.equal(decision.deploy, false);
    assert.match(decision.reason, /a check failed \(Health check failed: the container exited with code 3\)/);
  }
  // A pull request says why it was skipped first: that holds even once the checks pass.
  const pr = decideGate('auto', event('pull_request'), 'Build failed');
  assert.match(pr.deploy ? '' : pr.reason, /pull request/);
});
