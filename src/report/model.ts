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
  /** Stable id (see src/hygiene/findings.ts); `hygiene-ignore` takes these. */
  id: string;
  severity: 'error' | 'warning' | 'info';
  /** One sentence. Never contains a secret value, only where it is. */
  message: string;
  /** The Dockerfile (or ignore file) the finding points at, and its 1-based line. */
  file: string | null;
  line: number | null;
  /** The image layer that holds the evidence, when a layer does. */
  layer: HygieneLayerRef | null;
  /** The path inside the image, or in the build context. */
  path: string | null;
  /** Further facts, one a line (other layers, sizes, what deleted it). */
  evidence: string[];
}

export interface HygieneLayerRef {
  /** 0-based position in the image's layers (docker inspect RootFS.Layers order). */
  index: number;
  /** Uncompressed digest (diff ID), when known. */
  digest: string | null;
  /** The instruction that created the layer; `FROM <image>` for a base-image layer. */
  instruction: string;
  line: number | null;
  fromBase: boolean;
}

export interface HygieneReport {
  status: 'checked' | 'skipped';
  findings: HygieneFinding[];
  /** warn: findings never fail the check; fail: an error-severity finding fails it; off: not run. */
  mode?: 'warn' | 'fail' | 'off';
  /** Why the check was skipped. */
  reason?: string | null;
  /** Ids silenced by `hygiene-ignore`, and how many findings that removed. */
  ignored?: string[];
  suppressed?: number;
  /** The user the image runs as (Config.User; "root" when unset). */
  user?: string | null;
  context?: HygieneContext | null;
  scan?: HygieneScan | null;
}

export interface HygieneContext {
  /** Bytes and files the build context sends to the builder, honouring the ignore file. */
  bytes: number;
  files: number;
  ignoreFile: string | null;
}

export interface HygieneScan {
  /** How the layers were read. */
  method: 'docker-save-stream';
  layers: number;
  entries: number;
  /** Bytes streamed from the engine. */
  bytesRead: number;
  durationMs: number;
  /** Set when the layers could not be read (the file checks then did not run). */
  error: string | null;
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
