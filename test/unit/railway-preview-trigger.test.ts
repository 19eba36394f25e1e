/** Pure decisions of the preview environments, deployment triggers and rollbacks, and how the report shows them. */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { readDeployConfig } from '../../src/config/deploy.ts';
import type { RunEvent } from '../../src/github/context.ts';
import { previewAction, previewName } from '../../src/deploy/railway/preview.ts';
import { describeLive, rollBack } from '../../src/deploy/railway/rollback.ts';
import { classifyStatus, describeStatus } from '../../src/deploy/railway/status.ts';
import { branchOf, commitOf, dashboardUrl, matchTrigger } from '../../src/deploy/railway/trigger.ts';
import { RailwayClient } from '../../src/railway/client.ts';
import type { InputName } from '../../src/inputs/inputs.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { decideVerdict } from '../../src/report/verdict.ts';
import { deployResult, passingReport } from '../support/reports.ts';

const HEAD = '1234567890abcdef1234567890abcdef12345678';

function prEvent(action: string, head = 'acme/shop', base = 'acme/shop'): RunEvent {
  return {
    name: 'pull_request',
    ref: 'refs/pull/7/merge',
    defaultBranch: 'main',
    action,
    repository: 'acme/shop',
    pullRequest: { number: 7, headSha: HEAD, headRepository: head, baseRepository: base },
  };
}

describe('preview environments', () => {
  test('opened, reopened and synchronize deploy the head commit into pr-<number>', () => {
    for (const action of ['opened', 'reopened', 'synchronize']) assert.deepEqual(previewAction(prEvent(action)), { kind: 'deploy', number: 7, headSha: HEAD });
    assert.equal(previewName(7), 'pr-7');
  });

  test('closed deletes; other actions leave the environment alone', () => {
    assert.deepEqual(previewAction(prEvent('closed')), { kind: 'delete', number: 7 });
    const labeled = previewAction(prEvent('labeled'));
    assert.equal(labeled.kind, 'none');
    assert.match(labeled.reason, /"labeled" event changes no code/);
  });

  test('a fork gets nothing, not even a deletion', () => {
    for (const action of ['opened', 'closed']) {
      const decision = previewAction(prEvent(action, 'someone/shop'));
      assert.equal(decision.kind, 'none', action);
      assert.match(decision.reason, /comes from someone\/shop, not from acme\/shop: a fork gets no preview environment/);
    }
    // Repository names compare without case, as GitHub's do.
    assert.equal(previewAction(prEvent('opened', 'Acme/Shop')).kind, 'deploy');
  });

  test('pushes, pull_request_target and local runs are not preview events', () => {
    const push: RunEvent = { name: 'push', ref: 'refs/heads/main', defaultBranch: 'main', action: null };
    assert.equal(previewAction(push).kind, 'none');
    assert.equal(previewAction({ ...prEvent('opened'), name: 'pull_request_target' }).kind, 'none');
    assert.equal(previewAction(null).kind, 'none');
  });

  test('a project token with railway-preview is refused in one sentence naming railway-token-type', () => {
    const inputs: Partial<Record<InputName, string>> = { 'railway-token': 'tok-project', 'railway-preview': 'true' };
    assert.throws(
      () => readDeployConfig((n) => inputs[n] ?? ''),
      (err: Error) => {
        assert.match(err.message, /^Input "railway-preview": creating an environment per pull request needs an account or workspace token/);
        assert.match(err.message, /railway-token-type: account/);
        // One sentence: a single full stop, at most at the end.
        assert.equal(err.message.replace(/\.$/, '').includes('. '), false, err.message);
        return true;
      },
    );
    const account: Partial<Record<InputName, string>> = { 'railway-token': 'tok-account', 'railway-project': 'shop', 'railway-preview': 'true' };
    assert.equal(readDeployConfig((n) => account[n] ?? '').preview, true);
    assert.throws(
      () => readDeployConfig((n) => (({ 'railway-preview': 'yes' }) as Partial<Record<InputName, string>>)[n] ?? ''),
      /Input "railway-preview": "yes" is not a switch; use true or false/,
    );
    assert.throws(
      () => readDeployConfig((n) => (({ 'deploy-trigger': 'railway' }) as Partial<Record<InputName, string>>)[n] ?? ''),
      /Input "deploy-trigger": "railway" is not accepted; use auto or api/,
    );
    assert.throws(
      () => readDeployConfig((n) => (({ 'deploy-rollback': 'maybe' }) as Partial<Record<InputName, string>>)[n] ?? ''),
      /Input "deploy-rollback": "maybe" is not a switch; use true or false/,
    );
  });
});

describe('deployment triggers', () => {
  const triggers = [
    { id: 't1', repository: 'acme/shop', branch: 'main', checkSuites: true, serviceId: 's' },
    { id: 't2', repository: 'acme/other', branch: 'develop', checkSuites: false, serviceId: 's' },
  ];

  test('the trigger of this repository and branch, nothing else', () => {
    assert.equal(branchOf('refs/heads/main'), 'main');
    assert.equal(branchOf('refs/tags/v1'), null);
    assert.equal(branchOf('refs/pull/7/merge'), null);
    assert.equal(matchTrigger(triggers, 'main', 'ACME/shop')?.id, 't1');
    assert.equal(matchTrigger(triggers, 'main', 'acme/other'), undefined);
    assert.equal(matchTrigger(triggers, 'develop', null)?.id, 't2');
  });

  test("a deployment's commit comes from its meta", () => {
    assert.equal(commitOf({ meta: { commitHash: HEAD, reason: 'deploy' } }), HEAD);
    assert.equal(commitOf({ meta: null }), null);
    assert.equal(commitOf({ meta: 'x' }), null);
  });

  test('WAITING is "Wait for CI", never an approval', () => {
    assert.equal(classifyStatus('WAITING'), 'waiting-for-ci');
    assert.doesNotMatch(describeStatus('WAITING'), /person|approv/i);
    assert.match(describeStatus('WAITING'), /GitHub checks pass/);
  });

  test('the dashboard link names project, service, environment and deployment', () => {
    const target = { projectId: 'p', projectName: null, environmentId: 'e', environmentName: null, serviceId: 's', serviceName: null };
    assert.equal(dashboardUrl(target, 'd'), 'https://railway.com/project/p/service/s?environmentId=e&id=d');
  });
});

describe('rollback', () => {
  // Rolling back off or to nothing must not ask Railway anything: a request fails the test.
  const unused = new RailwayClient({
    endpoint: 'http://railway.invalid/graphql/v2',
    token: 'unused',
    tokenType: 'project',
    fetch: () => Promise.reject(new Error('the Railway client was used')),
  });
  const live = { id: 'd-live', commit: 'abcdef1234567', canRollback: true };

  test('off, nothing to return to, or a deployment Railway cannot restore: no mutation, and the reason', async () => {
    assert.deepEqual(await rollBack(unused, { found: live }, false), {
      to: 'd-live',
      commit: 'abcdef1234567',
      status: 'off',
      reason: 'deploy-rollback is false: the deployment that failed its smoke check stays live',
    });
    assert.equal((await rollBack(unused, { none: 'no earlier SUCCESS deployment' }, true)).status, 'unavailable');
    const refused = await rollBack(unused, { found: { ...live, canRollback: false } }, true);
    assert.equal(refused.status, 'unavailable');
    assert.match(refused.reason, /cannot roll back to d-live \(abcdef1\) \(canRollback is false\)/);
    assert.equal(describeLive(live), 'd-live (abcdef1)');
  });
});

describe('the report shows it', () => {
  test('a rollback is named in the checks table and the deploy section, and the run fails', () => {
    const report = passingReport();
    report.deploy = deployResult({
      status: 'failed',
      railwayStatus: 'SUCCESS',
      reason:
        'Railway deployment d-new is live but the smoke check GET https://x/health got it answered 500 within 5.0 s (smoke-timeout); rolled back to d-live (abcdef1)',
      rollback: { status: 'rolled-back', to: 'd-live', commit: 'abcdef1234567', reason: 'rolled back to d-live (abcdef1)' },
    });
    decideVerdict(report);
    assert.equal(report.verdict, 'fail');
    const md = renderMarkdown(report);
    assert.match(md, /\| Deploy \| ❌ \|[^\n]*rolled back to d-live \(abcdef1\)/);
    assert.match(md, /↩️ rolled back to d-live \(abcdef1\)/);
  });

  test('a delegated deploy passes and says Railway deploys once the checks pass', () => {
    const report = passingReport();
    report.deploy = deployResult({
      status: 'delegated',
      railwayStatus: 'WAITING',
      url: null,
      trigger: { repository: 'acme/shop', branch: 'main', checkSuites: true },
      dashboardUrl: 'https://railway.com/project/p/service/s?environmentId=e&id=d',
    });
    decideVerdict(report);
    assert.equal(report.verdict, 'pass');
    const md = renderMarkdown(report);
    assert.match(md, /\| Deploy \| ⏳ \| Railway deploys it once the checks pass \(WAITING\)/);
    assert.match(
      md,
      /⏳ Railway deploys this commit by itself once this workflow's checks pass \("Wait for CI" on the service's <code>main<\/code> trigger\); a failure of deploy-check would have stopped it\./,
    );
    assert.match(md, /deployment \[<code>[^<]+<\/code>\]\(https:\/\/railway\.com\/project\/p\/service\/s\?environmentId=e&id=d\)/);
    assert.doesNotMatch(md, /approv/i);
  });

  test('the preview URL, and the deletion on close, are in the comment', () => {
    const report = passingReport();
    report.deploy = deployResult({
      url: 'https://web-pr-7.up.railway.app',
      preview: {
        action: 'deployed',
        pullRequest: 7,
        environmentName: 'pr-7',
        environmentId: 'e7',
        created: true,
        url: 'https://web-pr-7.up.railway.app',
        reason: null,
      },
    });
    assert.match(
      renderMarkdown(report),
      /🔎 Preview environment <code>pr-7<\/code> \(created by this run\): \[web-pr-7\.up\.railway\.app\]\(https:\/\/web-pr-7\.up\.railway\.app\/?\)/,
    );
    report.deploy = deployResult({
      status: 'skipped',
      url: null,
      reason: 'the pull request was closed: preview environment pr-7 deleted',
      preview: { action: 'deleted', pullRequest: 7, environmentName: 'pr-7', environmentId: null, created: false, url: null, reason: 'closed' },
    });
    assert.match(renderMarkdown(report), /🧹 Preview environment <code>pr-7<\/code> deleted: the pull request was closed\./);
  });
});
