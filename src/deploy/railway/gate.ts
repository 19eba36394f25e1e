import type { DeployMode } from '../../config/deploy.ts';

/**
 * What the deploy gate reads of the workflow run's event (src/github/context.ts reads the event:
 * RunEvent); null for the local command.
 */
export interface GateEvent {
  /** GITHUB_EVENT_NAME: push, pull_request, release, workflow_dispatch, ... */
  readonly name: string;
  /** GITHUB_REF, e.g. refs/heads/main. */
  readonly ref: string | null;
  /** payload.repository.default_branch. */
  readonly defaultBranch: string | null;
  /** payload.action, e.g. "published" for a release. */
  readonly action: string | null;
}

export type GateDecision = { readonly deploy: true; readonly why: string } | { readonly deploy: false; readonly reason: string };

const AUTO_RULE = 'deploy: auto deploys on a push to the default branch, a published release or a manual dispatch';

/**
 * Whether this run deploys. `checksFailed` is the headline of the failed checks, or null when every
 * check passed; nothing that failed a check is ever deployed, whatever the mode.
 */
export function decideGate(mode: DeployMode, event: GateEvent | null, checksFailed: string | null): GateDecision {
  if (mode === 'never') return { deploy: false, reason: 'deploy is "never"' };
  let why: string;
  if (mode === 'always') {
    why = 'deploy is "always"';
  } else {
    const auto = autoDecision(event);
    if (!auto.deploy) return auto;
    why = auto.why;
  }
  if (checksFailed !== null) return { deploy: false, reason: `a check failed (${checksFailed}); only an image that passed every check is deployed` };
  return { deploy: true, why };
}

function autoDecision(event: GateEvent | null): GateDecision {
  if (event === null) {
    return {
      deploy: false,
      reason: 'deploy is "auto" and this is a local run: auto deploys only from GitHub Actions; pass --deploy always to deploy from here',
    };
  }
  switch (event.name) {
    case 'pull_request':
    case 'pull_request_target':
    case 'pull_request_review':
    case 'pull_request_review_comment':
      return { deploy: false, reason: `a pull request never deploys under deploy: auto (${event.name})` };
    case 'push': {
      if (event.defaultBranch === null) {
        return { deploy: false, reason: 'a push, but the event payload names no default branch to compare with; set deploy: always to deploy on this push' };
      }
      const defaultRef = `refs/heads/${event.defaultBranch}`;
      if (event.ref === defaultRef) return { deploy: true, why: `a push to the default branch (${event.defaultBranch})` };
      return { deploy: false, reason: `a push to ${event.ref ?? 'an unknown ref'}, not to the default branch ${defaultRef} (${AUTO_RULE})` };
    }
    case 'release':
      if (event.action === 'published') return { deploy: true, why: 'a published release' };
      return { deploy: false, reason: `a release event of type "${event.action ?? 'unknown'}", not "published" (${AUTO_RULE})` };
    case 'workflow_dispatch':
      return { deploy: true, why: `a manual dispatch${event.ref ? ` on ${event.ref}` : ''}` };
    default:
      return { deploy: false, reason: `the event "${event.name}" does not deploy (${AUTO_RULE}; set deploy: always to deploy on it)` };
  }
}
