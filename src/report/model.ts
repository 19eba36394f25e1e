/**
 * The CheckReport: one typed record of a run. Its JSON form is a public contract
 * (the `report` output, `--report FILE`): fields may be added, never renamed.
 * Byte counts are integers in bytes; durations are milliseconds.
 */
export type Verdict = 'pass' | 'fail';

export interface CheckReport {
  readonly schemaVersion: 1;
  verdict: Verdict;
  /** One sentence per failed check, the first being the headline. */
  reasons: string[];
  startedAt: string;
  durationMs: number;
  tool: { name: 'deploy-check'; version: string };
  source: SourceInfo;
  image: { id: string | null; ref: string };
  build: BuildReport;
  health: HealthReport;
  size: SizeReport;
  hygiene: HygieneReport;
  deploy: DeployReport | null;
}

export interface SourceInfo {
  context: string;
  dockerfile: string;
  target: string | null;
  /** Commit SHA and ref when known (the action's GITHUB_SHA / GITHUB_REF). */
  commit: string | null;
  ref: string | null;
  runUrl: string | null;
  /** The commit's web page, when known. */
  commitUrl: string | null;
  /** The pull request the run checked (the pull_request event's number), else null. */
  pullRequest: number | null;
  /** The comment-key its pull-request comment is filed under; the fork-safe comment mode reuses it. */
  commentKey: string | null;
}

export interface BuildStep {
  name: string;
  cached: boolean;
  durationMs: number | null;
  error: string | null;
}

export interface BuildReport {
  status: 'success' | 'failure';
  durationMs: number;
  steps: { total: number; cached: number; list: BuildStep[] };
  cache: CacheReport;
  builder: string | null;
  failure: { step: string | null; message: string; logs: string[] } | null;
}

export interface CacheReport {
  enabled: boolean;
  restored: boolean;
  key: string | null;
  matchedKey: string | null;
  saved: boolean;
  note: string | null;
}

export interface HealthReport {
  status: 'healthy' | 'unhealthy' | 'skipped';
  strategy: string;
  /** What was probed, e.g. "GET http://127.0.0.1:49153/health". */
  target: string | null;
  timeToHealthyMs: number | null;
  timeoutMs: number;
  reason: string | null;
  container: { id: string | null; exitCode: number | null; oomKilled: boolean; running: boolean } | null;
  lastHttp: { status: number | null; body: string | null; error: string | null } | null;
  healthLog: { exitCode: number; output: string; start: string }[];
  logs: string[];
}

export interface SizeLayer {
  instruction: string;
  line: number | null;
  bytes: number;
}

export interface SizeReport {
  status: 'measured' | 'skipped';
  bytes: number | null;
  compressedBytes: number | null;
  layers: SizeLayer[];
  baseline: { source: string; bytes: number; compressedBytes: number } | null;
  delta: { bytes: number; percent: number } | null;
  budget: Record<string, unknown>;
}

export interface HygieneFinding {
  id: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  file: string | null;
  line: number | null;
}

export interface HygieneReport {
  status: 'checked' | 'skipped';
  findings: HygieneFinding[];
}

/**
 * skipped: the gate said no (reason says why). triggered: deployed without waiting (deploy-wait: false).
 * success: Railway reports SUCCESS or SLEEPING. failed: FAILED, CRASHED, REMOVED, REMOVING, SKIPPED (or the
 * smoke check failed). waiting: NEEDS_APPROVAL or WAITING, a person must act. timeout: no verdict within
 * deploy-timeout. error: Railway's API or the image push failed before a verdict.
 */
export type DeployStatus = 'skipped' | 'triggered' | 'success' | 'failed' | 'waiting' | 'timeout' | 'error';

export interface DeployReport {
  status: DeployStatus;
  deploymentId: string | null;
  /** The deployment's public URL. */
  url: string | null;
  /** One sentence: why it was skipped, or what went wrong. */
  reason: string | null;
  source: 'commit' | 'image';
  /** Image mode: the repository pinned by digest that Railway runs (registry/name@sha256:...). */
  image: string | null;
  commit: string | null;
  /** Railway's DeploymentStatus when last seen (SUCCESS, CRASHED, ...). */
  railwayStatus: string | null;
  /** Whole deploy stage: push, mutations, wait, smoke check. */
  durationMs: number;
  /** Last lines of Railway's build and deploy logs (failures), or of docker push. */
  logs: { build: string[]; deploy: string[]; push: string[] } | null;
  /** deploy-wait-approval: whether a deployment waiting for a person fails the run. */
  onApproval: 'pass' | 'fail';
  target: DeployTarget | null;
  /** Settings where the repository's railway.json/toml and the Railway service disagree. */
  configDrift: ConfigDrift[];
  smoke: SmokeReport | null;
  /** GraphQL requests sent to Railway during the run (rate limits are per hour). */
  apiRequests: number;
}

export interface DeployTarget {
  projectId: string;
  projectName: string | null;
  environmentId: string;
  environmentName: string | null;
  serviceId: string;
  serviceName: string | null;
}

export interface ConfigDrift {
  setting: 'healthcheckPath' | 'healthcheckTimeout' | 'dockerfilePath';
  /** Seconds for healthcheckTimeout. */
  service: string | number | null;
  file: string | number | null;
  /** railway.json or railway.toml, relative to the working directory. */
  fileName: string;
}

export interface SmokeReport {
  status: 'passed' | 'failed';
  url: string;
  /** Last HTTP status seen, null when nothing answered. */
  httpStatus: number | null;
  error: string | null;
  attempts: number;
  durationMs: number;
}
