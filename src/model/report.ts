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
  /** deploy.preDeployCommand, run before the app under Railway parity; null when there is none. */
  preDeploy?: PreDeployReport | null;
  health: HealthReport;
  size: SizeReport;
  hygiene: HygieneReport;
  deploy: DeployReport | null;
  /** Set when the run was stopped (SIGINT, SIGTERM, a cancelled job) before it finished. */
  cancelled?: { signal: string; stage: string } | null;
  /** An error deploy-check did not expect stopped the run where it stood (the checks after it did not run). */
  internalError?: string | null;
  /** The Compose services the app needed at start (compose-file), dependencies first; empty without Compose. */
  services?: ServiceReport[];
  /** The Compose project the run started them in; null without compose-file. */
  compose?: ComposeReport | null;
  /** Railway's configuration the run followed (.railway/railway.ts, or a railway.json/toml); null when there is none. */
  railway?: RailwayConfigReport | null;
}

/** One setting the run took from Railway's configuration, and exactly where from. */
export interface RailwaySettingReport {
  /** startCommand, preDeployCommand, healthcheckPath, healthcheckTimeout, dockerfilePath, cronSchedule. */
  setting: string;
  value: string;
  /** The file and its field, e.g. ".railway/railway.ts service.api deploy.healthcheckPath". */
  from: string;
}

export interface RailwayConfigReport {
  /** The file the settings came from, relative to the working directory when inside it. */
  file: string;
  /** .railway/railway.ts, railway.json or railway.toml. */
  kind: string;
  /** The environment the file was evaluated for (railway.ts only). */
  environment: string | null;
  /** The checked service of the graph, and how it was chosen (railway.ts only). */
  service: string | null;
  serviceChoice: string | null;
  evaluationMs: number | null;
  settings: RailwaySettingReport[];
  /** Settings that change what Railway does and that the check does not reproduce. */
  notMirrored: { setting: string; value: string; effect: string }[];
  /** The variables the app got from the file (names only) and where each came from. */
  variables: { name: string; source: string }[];
  /** Variables the app gets on Railway but did not get here, with why. */
  unavailable: { name: string; reason: string }[];
  /** The databases of the graph the run started (their readiness is in services[]). */
  databases: { name: string; engine: string; image: string; host: string }[];
  /** A railway.json/toml that was not mirrored, with why and the settings Railway no longer applies. */
  staleFile: { file: string; reason: string; settings: string[] } | null;
  notes: string[];
  /**
   * What the pull request changes in the checked service's configuration, against its base
   * commit's .railway/railway.ts; null (or absent) outside pull requests and without railway.ts.
   */
  plan?: RailwayPlanReport | null;
}

export interface RailwayPlanReport {
  /** The base commit compared with; null when the event named none usable. */
  base: string | null;
  /** new-service: the base has no such service (or no file); unavailable: the base's file could not be read or evaluated. */
  status: 'changed' | 'unchanged' | 'unavailable' | 'new-service';
  /** Settings that differ, in the graph's field names; variables by name and kind only, never their values. null is "not set". */
  changes: { field: string; before: string | null; after: string | null }[];
  /** Why the status is unavailable or new-service, in a sentence; null otherwise. */
  reason: string | null;
}

export interface PreDeployCommandReport {
  command: string;
  /** null when the command could not be started (see error). */
  exitCode: number | null;
  durationMs: number;
  /** The command's output: the first and last lines, runs of identical lines folded. */
  logs: string[];
  /** Docker's reason when the container could not be created or started. */
  error: string | null;
  /** Set when the command had not exited within the bound (the health timeout) and was stopped. */
  stillRunningAfterMs?: number | null;
}

export interface PreDeployReport {
  /** passed: every command exited 0. failed: one did not (the app was not started). skipped: not run (reason says why). */
  status: 'passed' | 'failed' | 'skipped' | 'cancelled';
  /** railway.json, railway.toml. */
  source: string;
  reason: string | null;
  durationMs: number;
  /** In order; the commands after a failure are not run and not listed. */
  commands: PreDeployCommandReport[];
}

/** What the run mirrored of Railway's way of running the app (railway-parity). */
export interface ParityReport {
  enabled: boolean;
  /** Why it is on or off ("railway.json found", "railway-parity: false"). */
  why: string;
  /** The PORT variable given to the container; null when env set it or parity is off. */
  port: number | null;
  /** Where the checked port came from: port input, env PORT, EXPOSE, Railway default. */
  portSource: string;
  /** The Host header of the HTTP probe. */
  host: string | null;
  /** Statuses that pass, e.g. "200". */
  acceptedStatus: string;
  statusSource: 'input' | 'railway' | 'default';
  /** Where the container's command came from: command input, railway.json, railway.toml, image. */
  startCommandSource: string;
  startCommand: string[] | null;
  /** What startCommand ran in place of: the ENTRYPOINT (parity, as Railway) or the CMD; null without one; absent in reports of earlier versions. */
  startCommandReplaces?: 'ENTRYPOINT' | 'CMD' | null;
  timeoutSource: string;
  /** Where the health path came from (input, .railway/railway.ts, railway service, railway.json, ...). */
  pathSource?: string | null;
}

export interface ServiceReport {
  name: string;
  /** The image Compose ran (the checked image for a service built from the same Dockerfile). */
  image: string | null;
  /** What the services after it waited for. */
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  /** ready: the condition was met; failed: it was not (unhealthy, non-zero exit, timeout); exited: it stopped while it should run; skipped: not started because one it depends on failed. */
  status: 'ready' | 'failed' | 'exited' | 'skipped';
  /** From the start of `docker compose up` until the condition was met. */
  readyMs: number | null;
  /** Why it failed, in a sentence; null when ready. */
  reason: string | null;
  exitCode: number | null;
  /** How often Docker restarted it (its restart policy) before the wait ended; null when it was not started. */
  restarts: number | null;
  /** The last healthcheck outputs, newest last. */
  healthLog: string[];
  /** Its last log lines (100 when it failed). */
  logs: string[];
}

export interface ComposeReport {
  file: string;
  project: string;
  /** The service that is the app under check, and how it was chosen. */
  service: string;
  serviceSource: 'input' | 'build context';
  /** The networks the app joined, with the service name as alias. */
  networks: string[];
  /** Bind mounts of the app's service that were left out. */
  droppedMounts: string[];
  /** From `docker compose up` until every dependency was ready (or one failed). */
  durationMs: number;
  /** Why the dependencies could not be started; null when they were. */
  failure: string | null;
  /** Compose's own warnings (an unset variable defaulting to a blank string, an obsolete key), each once. */
  warnings: string[];
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

export interface BuildFailure {
  /** The failing step as BuildKit names it ("[stage n/m] RUN ..."), null when no step failed (e.g. a parse error). */
  step: string | null;
  /** BuildKit's error, without its "ERROR: failed to solve:" prefix. */
  message: string;
  /** The failing step's last output lines, else buildx's own error lines. */
  logs: string[];
  /**
   * The Dockerfile lines the error points at (BuildKit's error source), as they are in the file:
   * every line of a multi-line instruction. Absent or null when BuildKit named no line.
   */
  source?: { file: string; line: number; endLine: number; lines: string[] } | null;
}

export interface BuildReport {
  status: 'success' | 'failure';
  durationMs: number;
  steps: { total: number; cached: number; list: BuildStep[] };
  cache: CacheReport;
  builder: string | null;
  failure: BuildFailure | null;
  /** Builds run, when more than one: an earlier one hit a transient engine error and was run again. */
  attempts?: number;
}

export interface CacheReport {
  enabled: boolean;
  restored: boolean;
  /** The key this run saves under (prefix#fingerprint). */
  key: string | null;
  /** The key of the restored entry: this run's key (exactHit) or the newest under the prefix. */
  matchedKey: string | null;
  saved: boolean;
  /** Why the cache is off or degraded, in one sentence; null when all went as planned. */
  note: string | null;
  /** Where caches live: the Actions cache service, or the local command's --cache-dir. */
  store: 'actions' | 'directory' | null;
  mode: 'max' | 'min' | null;
  exactHit: boolean;
  /** Size of the restored BuildKit cache on disk. */
  restoredBytes: number | null;
  restoreMs: number | null;
  /** Why the cache was saved or not. */
  saveReason: string | null;
  /** Size of the saved BuildKit cache on disk (before the store compresses it). */
  savedBytes: number | null;
  saveMs: number | null;
  /** Build time the cached steps took when they were last really built; null when not known. */
  timeSavedMs: number | null;
  /** Warnings the cache raised (the run passes regardless). */
  warnings: string[];
}

export interface HealthReport {
  /** cancelled: the run was stopped while waiting (report.cancelled says how). */
  status: 'healthy' | 'unhealthy' | 'skipped' | 'cancelled';
  strategy: string;
  /** What was probed, e.g. "GET http://127.0.0.1:49153/health". */
  target: string | null;
  timeToHealthyMs: number | null;
  timeoutMs: number;
  reason: string | null;
  /** started: false when Docker could not start its process (startError says why); absent in reports of earlier versions. */
  container: { id: string | null; exitCode: number | null; oomKilled: boolean; running: boolean; started?: boolean } | null;
  lastHttp: { status: number | null; body: string | null; error: string | null; location?: string | null; host?: string | null } | null;
  healthLog: { exitCode: number; output: string; start: string }[];
  /** The container's output: the first and last lines, runs of identical lines folded, with a marker for what was left out. */
  logs: string[];
  /** Lines the container wrote in all (logs holds a selection when there were more). */
  logLines?: number;
  /** Railway parity: what was mirrored; absent in reports of earlier versions. */
  parity?: ParityReport | null;
  /** The image's own HEALTHCHECK as Docker saw it when the HTTP probe decided: a second opinion, never the verdict. */
  imageHealthcheck?: { status: string; lastOutput: string | null } | null;
  /** Docker's own reason when the container could not start (State.Error). */
  startError?: string | null;
  /** Probes sent while waiting. */
  probes?: number;
  /** Probes and waiting time before and after the back-off (50 ms, then 250 ms after 2 s; longer while an HTTP answer does not change or a 429 asks). */
  probing?: { fastProbes: number; fastMs: number; slowProbes: number; slowMs: number } | null;
  /**
   * The distinct answers of the HTTP probe, in the order first seen, each counted; absent for
   * other strategies. A new body with the same status folds into an earlier answer once there
   * are 20. The failure reason names the first answer that is not transient.
   */
  httpAnswers?: HttpAnswerReport[] | null;
}

/** One distinct answer of the HTTP health probe (status, Location and the body's first characters), and when it came. */
export interface HttpAnswerReport {
  /** null when no HTTP answer came or it was not valid HTTP (error says which). */
  status: number | null;
  location: string | null;
  /** The body's first 200 characters. */
  body: string | null;
  /** In words: why no answer came, or what was wrong with the answer. */
  error: string | null;
  /** True for answers that say "not yet": nothing listening or answering yet, 429 Too Many Requests, 503 Service Unavailable. */
  transient: boolean;
  /** A 429's Retry-After in ms (the last one); null when it named no time. Absent for other answers. */
  retryAfterMs?: number | null;
  count: number;
  /** When it came first and last, in ms after the container started (as timeToHealthyMs counts). */
  firstMs: number;
  lastMs: number;
  firstAt: string;
  lastAt: string;
}

export interface SizeLayer {
  /** The Dockerfile instruction that made the layer; `FROM <image>` for the base image's layers. */
  instruction: string;
  /** 1-based Dockerfile line (the FROM line for base layers); null when no line is known. */
  line: number | null;
  /** Uncompressed bytes, measured as `size.uncompressedSource` says. */
  bytes: number;
  /** The compressed layer blob, as a registry stores it; null when not measured. */
  compressedBytes: number | null;
  /** True when the layer came with the base image rather than from this Dockerfile. */
  base: boolean;
  /** The image history's record of the step (BuildKit's created_by). */
  createdBy: string;
  keyword: string | null;
  /** Stage name (or index) the instruction belongs to. */
  stage: string | null;
  diffId: string | null;
  /** Digest of the compressed blob. */
  digest: string | null;
}

/**
 * How the uncompressed figure was measured. Figures from different sources are not compared.
 * - engine-layer-diff: the classic store's layer sizes (file bytes; `docker images` on that store)
 * - engine-snapshot-usage: the containerd store's unpacked snapshots (disk usage, block-rounded)
 * - gzip-isize: a registry image's layer tar sizes, read from each gzip blob's trailer
 */
export type UncompressedSource = 'engine-layer-diff' | 'engine-snapshot-usage' | 'gzip-isize' | 'unavailable';

/**
 * How the compressed figure was measured.
 * - image-manifest: the layer blobs of the image's manifest, as the engine pushes them
 * - registry-manifest: a registry image's manifest
 * - engine-content-size: the containerd store's content size of the image (layers plus a few kB
 *   of manifests and config), an approximation used when the manifest could not be read
 */
export type CompressedSource = 'image-manifest' | 'registry-manifest' | 'engine-content-size' | 'unavailable';

export interface SizeBaseImage {
  /** As written in the Dockerfile's FROM, variables substituted. */
  ref: string | null;
  line: number | null;
  layers: number;
  bytes: number;
  compressedBytes: number | null;
}

export interface SizeBaseline {
  /** A sentence fragment saying where it came from: "main (run 42, abc1234)", "registry ghcr.io/acme/app:main". */
  source: string;
  kind: 'auto' | 'image' | 'file';
  ref: string | null;
  bytes: number | null;
  compressedBytes: number | null;
  uncompressedSource: UncompressedSource;
  compressedSource: CompressedSource;
  baseImage: SizeBaseImage | null;
  layers: SizeLayer[];
  commit: string | null;
  measuredAt: string | null;
}

export interface SizeLayerChange {
  change: 'added' | 'removed' | 'grown' | 'shrunk' | 'base-image';
  /** The current instruction (the baseline's for a removed layer). */
  instruction: string;
  line: number | null;
  base: boolean;
  /** Differences, current minus baseline; null when either side is unmeasured or not comparable. */
  bytes: number | null;
  compressedBytes: number | null;
  /** The baseline's instruction, when the line's text changed. */
  previousInstruction: string | null;
}

export interface SizeDelta {
  /** Uncompressed difference; null when the two figures were measured differently. */
  bytes: number | null;
  percent: number | null;
  compressedBytes: number | null;
  compressedPercent: number | null;
  /** The figure budgets and the `size-delta` output use. */
  metric: 'compressed' | 'uncompressed';
  baseImageChanged: boolean;
  /** Layers that changed, largest change first (unchanged layers are left out). */
  layers: SizeLayerChange[];
  notes: string[];
}

export interface SizeBudgetCheck {
  name: 'max-size' | 'max-increase' | 'max-wasted';
  /** As the user wrote it: "500MB", "10%". */
  limit: string;
  status: 'pass' | 'exceeded' | 'unchecked';
  /** The measured figure the limit was applied to (bytes, or percent for a percentage limit). */
  actual: number | null;
  /** One sentence: the budget, the figures, and the layer most responsible. */
  message: string;
  layer: { instruction: string; line: number | null } | null;
}

export interface SizeBudget {
  metric: 'compressed' | 'uncompressed';
  status: 'none' | 'pass' | 'exceeded' | 'unchecked';
  checks: SizeBudgetCheck[];
}

export interface SizeReport {
  status: 'measured' | 'skipped';
  /** Uncompressed bytes (the unpacked layers). */
  bytes: number | null;
  /** Compressed bytes (the sum of the layer blobs a registry stores and Railway pulls). */
  compressedBytes: number | null;
  uncompressedSource: UncompressedSource;
  compressedSource: CompressedSource;
  store: 'containerd' | 'classic' | null;
  measureMs: number | null;
  baseImage: SizeBaseImage | null;
  layers: SizeLayer[];
  baseline: SizeBaseline | null;
  /** Why there is no baseline (e.g. "no baseline yet"), or what limits the comparison. */
  baselineNote: string | null;
  delta: SizeDelta | null;
  budget: SizeBudget;
  /** The smallest change worth mentioning (`size-comment-threshold`), and whether this run's change reaches it. */
  commentThreshold: { limit: string; bytes: number | null; percent: number | null; reached: boolean | null };
  /** Where this run's report was stored as a future baseline. */
  baselineSaved: { key: string } | null;
  notes: string[];
  /**
   * Wasted space: bytes of files a later layer deletes or overwrites, which every pull still
   * downloads. Known from the hygiene check's layer scan; absent when hygiene is off.
   */
  wasted?: SizeWasted | null;
}

export interface SizeWasted {
  /** Uncompressed bytes, over all layers. */
  bytes: number;
  /** Of the image's uncompressed bytes. */
  percent: number;
  /** Layers that waste anything, most first. */
  layers: { index: number; instruction: string; line: number | null; base: boolean; bytes: number; files: number }[];
}

export interface HygieneFinding {
  /** Stable id (see src/model/findings.ts); `hygiene-ignore` takes these. */
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
  /** What to do about it. */
  fix?: string;
  /** Secrets: a fingerprint of the value (its public prefix, length and a short hash), never the value. */
  fingerprint?: string;
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
  /**
   * secrets (default): secret findings fail the check; warn: findings never fail it; fail: every
   * error finding fails it; off: not run. A finding's severity is what it is in this mode: `error` fails.
   */
  mode?: 'secrets' | 'warn' | 'fail' | 'off';
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
  /**
   * How the layers were read: `memo` (every layer known from earlier runs, nothing read),
   * `loopback-push` (the new layers' blobs, from the size stage's push), `docker-save-stream`
   * (the whole image, when the push could not deliver them).
   */
  method: 'memo' | 'loopback-push' | 'docker-save-stream';
  layers: number;
  /** Layers read this run, and layers whose facts came from the per-layer memo. */
  layersScanned?: number;
  layersReused?: number;
  entries: number;
  /** Bytes actually read this run (compressed blobs as received, or the saved archive). */
  bytesRead: number;
  durationMs: number;
  /** Why the memo's files were not trusted (another image store, not parseable). */
  memoIgnored?: string[];
  /** Set when the layers could not be read (the file checks then did not run). */
  error: string | null;
}

/**
 * skipped: the gate said no (reason says why). triggered: deployed without waiting (deploy-wait: false).
 * success: Railway reports SUCCESS or SLEEPING. failed: FAILED, CRASHED, REMOVED, REMOVING, SKIPPED (or the
 * smoke check failed). waiting: NEEDS_APPROVAL, a person must act. timeout: no verdict within
 * deploy-timeout. error: Railway's API or the image push failed before a verdict. delegated: Railway
 * deploys the commit by itself once the workflow's checks pass (a deployment trigger with "Wait for
 * CI", the deployment WAITING); deploy-check started nothing and did not wait.
 */
export type DeployStatus = 'skipped' | 'triggered' | 'success' | 'failed' | 'waiting' | 'timeout' | 'error' | 'delegated';

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
  /**
   * The service's deployment trigger for this repository and branch, when Railway deploys the push
   * by itself (deploy-trigger: auto): deploymentId is then Railway's own deployment of the commit.
   * Null when deploy-check deployed through the API.
   */
  trigger?: DeployTrigger | null;
  /** The deployment in Railway's dashboard. */
  dashboardUrl?: string | null;
  /** A deployment that went live but failed its smoke check, put back to the one live before it. */
  rollback?: RollbackReport | null;
  /** deploy-check cancelled its own deployment that had no verdict at deploy-timeout. */
  cancelled?: boolean;
  /** railway-preview: the pull request's own environment. (These last five are always written since they exist; optional for reports of earlier versions.) */
  preview?: PreviewReport | null;
}

export interface DeployTrigger {
  /** owner/name of the GitHub repository. */
  repository: string;
  branch: string;
  /** "Wait for CI": Railway holds the deployment (WAITING) until the commit's GitHub checks pass. */
  checkSuites: boolean;
}

/**
 * rolled-back: deploymentRollback to `to` was accepted. failed: Railway refused it. unavailable: no
 * earlier SUCCESS deployment, or it cannot be rolled back to. off: deploy-rollback is false.
 */
export interface RollbackReport {
  status: 'rolled-back' | 'failed' | 'unavailable' | 'off';
  /** The deployment that was live before (rolled back to), when known. */
  to: string | null;
  /** Its commit, when Railway recorded one. */
  commit: string | null;
  reason: string;
}

/**
 * deployed: the head commit (or checked image) went to the environment (deploy.status has the
 * verdict). deleted / already-gone: the pull request was closed. skipped: reason says why.
 */
export interface PreviewReport {
  action: 'deployed' | 'deleted' | 'already-gone' | 'skipped';
  pullRequest: number;
  /** pr-<number>. */
  environmentName: string;
  environmentId: string | null;
  /** This run created the environment (false: an earlier run did). */
  created: boolean;
  url: string | null;
  reason: string | null;
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
