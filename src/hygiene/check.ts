/**
 * The hygiene stage's verdict: gathers the image's facts for each rule family (src/hygiene/rules/),
 * then applies the run's mode and `hygiene-ignore` and annotates the findings.
 */
import type Docker from 'dockerode';
import type { Config } from '../config/config.ts';
import type { Log } from '../host/log.ts';
import type { HygieneFinding, HygieneLayerRef, HygieneReport, HygieneScan, SizeWasted } from '../model/report.ts';
import type { ImageConfigJson } from './archive.ts';
import type { HygieneConfig } from '../config/hygiene.ts';
import type { ContextFacts } from './context.ts';
import { FINDING_KINDS, isSecretFinding } from '../model/findings.ts';
import { attributeHistory, layerOrigins, stageChain, type HistoryEntry, type Origin } from './history.ts';
import type { LayerFacts } from './layer.ts';
import { isPlaceholder } from '../secrets/lookalikes.ts';
import { hasUrlPassword, parseImageUser, secretValueReason } from './rules.ts';
import { isSecretName } from '../secrets/names.ts';
import { contextFindings, copiedSources } from './rules/context.ts';
import { lastInstructionLine, type Draft } from './rules/draft.ts';
import { healthcheckFindings } from './rules/healthcheck.ts';
import { layerFindings } from './rules/layers.ts';
import { permissionFindings } from './rules/permissions.ts';
import { secretRecordFindings, type SecretRecordFacts } from './rules/secrets.ts';
import { hasUidZero, userFindings, type UserFacts } from './rules/user.ts';
import { finalAccountFile, wastedByLayer } from './scan.ts';
import { isFlagValue, isPublicByDesignName, MIN_GIVEN_SECRET, redactSecretValues, type GivenSecret } from '../secrets/values.ts';

export { LARGE_CONTEXT_BYTES } from './rules/context.ts';

export interface HygieneDeps {
  readonly docker: Docker;
  readonly log: Log;
  /** Registers a secret value found in the image, so that no output shows it. */
  readonly maskSecret: (value: string) => void;
}

/** Build secrets and `env` values, searched for by value: they must not end up in the image. */
export function givenSecrets(config: Config): GivenSecret[] {
  const out: GivenSecret[] = [];
  for (const s of config.buildSecrets) if (!isFlagValue(s.value)) out.push({ label: `build secret ${s.key}`, value: s.value });
  for (const e of config.env)
    if (!isFlagValue(e.value) && !isPublicByDesignName(e.key) && looksSecret(e.key, e.value)) out.push({ label: `env ${e.key}`, value: e.value });
  return out.filter((g) => g.value.length >= MIN_GIVEN_SECRET);
}

/**
 * An `env` value worth searching for: a secret by name, a URL with a password, or a
 * random-looking token; not a placeholder (a CI job's postgres://postgres:postgres@localhost
 * is in the app's tests too, and is no secret there).
 */
function looksSecret(name: string, value: string): boolean {
  if (hasUrlPassword(value)) return secretValueReason(name, value) === 'url-password';
  if (isPlaceholder(value)) return false;
  if (isSecretName(name)) return true;
  return value.length >= 12 && !/\s/.test(value) && /[A-Za-z]/.test(value) && /\d/.test(value) && !/^[a-z]+:\/\//i.test(value) && !value.startsWith('/');
}

export function skippedHygiene(mode: HygieneReport['mode'], reason: string): HygieneReport {
  return { status: 'skipped', mode, reason, findings: [], ignored: [], suppressed: 0, user: null, context: null, scan: null };
}

/**
 * Where the layers' facts came from: memo, loopback push or `docker save`, with the figures
 * the report shows.
 */
export interface ScanInput {
  /** In layer order; undefined when the layers could not be read. */
  readonly layers: readonly LayerFacts[] | undefined;
  readonly config: ImageConfigJson | undefined;
  readonly attestations: readonly unknown[];
  readonly scan: HygieneScan;
}

/** Turns the image's facts into findings. Pure but for the log and maskSecret. */
export interface HygieneOutcome {
  readonly report: HygieneReport;
  /** Wasted space, for the size section; null when the layers could not be read. */
  readonly wasted: SizeWasted | null;
}

export function evaluateHygiene(config: Config, input: ScanInput, context: ContextFacts, deps: Pick<HygieneDeps, 'log' | 'maskSecret'>): HygieneOutcome {
  const { mode, ignore } = config.hygiene;
  const image = imageFacts(config, input);
  const secrets = secretRecordFindings(image.secrets);
  for (const value of secrets.masks) deps.maskSecret(value);
  const drafts: Draft[] = [
    ...contextFindings({ context, sources: copiedSources(config.dockerfileFacts.stages.flatMap((s) => s.instructions)) }),
    ...(input.layers ? [] : [scanIncomplete(input.scan)]),
    ...userFindings(image.user),
    ...(input.layers ? layerFindings({ layers: input.layers, refs: image.refs, multiStage: config.dockerfileFacts.stages.length > 1 }) : []),
    ...(input.layers ? permissionFindings({ layers: input.layers, refs: image.refs, nonRoot: !image.user.user.root && !hasUidZero(image.user) }) : []),
    ...secrets.drafts,
    ...healthcheckFindings({ test: input.config?.config?.Healthcheck?.Test, healthPath: config.health.pathSource !== undefined, line: image.finalFromLine }),
  ];
  const silenced = new Set<string>(ignore);
  const findings = drafts.filter((d) => !silenced.has(d.id)).map((d) => toFinding(d, mode, config.dockerfile));
  for (const f of findings) annotate(deps.log, f);

  const report: HygieneReport = {
    status: 'checked',
    mode,
    reason: null,
    findings,
    ignored: [...ignore],
    suppressed: drafts.length - findings.length,
    user: input.config?.config?.User?.trim() || 'root',
    context: { bytes: context.bytes, files: context.files, ignoreFile: context.ignoreFile },
    scan: input.scan,
  };
  return { report, wasted: input.layers ? wastedSpace(input.layers, image.refs) : null };
}

function scanIncomplete(scan: HygieneScan): Draft {
  return { id: 'scan-incomplete', message: `Could not read the image layers, so the file checks did not run: ${scan.error ?? 'unknown error'}`, line: null };
}

/** The facts the user and secret rules read, from the image's config and history and the Dockerfile. */
interface ImageFacts {
  readonly user: UserFacts;
  /** What made each layer, by index; empty when the layers could not be read. */
  readonly refs: HygieneLayerRef[];
  readonly finalFromLine: number | null;
  readonly secrets: SecretRecordFacts;
}

function imageFacts(config: Config, input: ScanInput): ImageFacts {
  const { layers, config: imageConfig } = input;
  const history: HistoryEntry[] = imageConfig?.history ?? [];
  const origins = attributeHistory(history, config.dockerfileFacts);
  const chain = stageChain(config.dockerfileFacts);
  const finalFromLine = config.dockerfileFacts.finalStage?.line ?? null;
  const given = givenSecrets(config);
  const refs = layers ? layerRefs({ count: layers.length, imageConfig, history, origins }, given) : [];
  const user: UserFacts = {
    user: parseImageUser(imageConfig?.config?.User),
    configured: imageConfig?.config?.User?.trim(),
    accounts: layers ? { passwd: finalAccountFile(layers, 'passwd'), group: finalAccountFile(layers, 'group') } : undefined,
    line: lastInstructionLine(chain, 'USER') ?? finalFromLine,
  };
  // Config-level findings inherited from the base image point at its topmost layer.
  const baseTop = [...refs].reverse().find((r) => r.fromBase) ?? {
    index: 0,
    digest: null,
    instruction: chain[0] ? `FROM ${chain[0].from}` : 'base image',
    line: chain[0]?.line ?? null,
    fromBase: true,
  };
  const secrets = {
    env: imageConfig?.config?.Env ?? [],
    history,
    origins,
    chain,
    attestations: input.attestations,
    given,
    historyLayers: historyLayers(history, refs),
    baseTop,
  };
  return { user, refs, finalFromLine, secrets };
}

/** The layer each history entry made: null for an entry without one (ENV, ARG, CMD...). */
function historyLayers(history: readonly HistoryEntry[], refs: readonly HygieneLayerRef[]): (HygieneLayerRef | null)[] {
  let index = 0;
  return history.map((entry) => (entry.empty_layer === true ? null : (refs[index++] ?? null)));
}

function layerRefs(
  image: { count: number; imageConfig: ImageConfigJson | undefined; history: readonly HistoryEntry[]; origins: readonly Origin[] },
  given: readonly GivenSecret[],
): HygieneLayerRef[] {
  const byLayer = layerOrigins(image.history, image.origins, image.count);
  const diffIds = image.imageConfig?.rootfs?.diff_ids ?? [];
  return Array.from({ length: image.count }, (_, i) => {
    const origin = byLayer[i];
    return {
      index: i,
      digest: diffIds[i] ?? null,
      // Shown next to findings, and cut short there: a token in a RUN line must not show in part.
      instruction: redactSecretValues(origin?.instruction ?? 'unknown instruction', given),
      line: origin?.line ?? null,
      fromBase: origin?.fromBase ?? false,
    };
  });
}

function toFinding(d: Draft, mode: HygieneConfig['mode'], dockerfile: string): HygieneFinding {
  return {
    id: d.id,
    severity: effectiveSeverity(d, mode),
    message: d.message,
    file: d.file === undefined ? dockerfile : d.file,
    line: d.line,
    layer: d.layer ?? null,
    path: d.path ?? null,
    evidence: d.evidence ?? [],
    ...(d.fix ? { fix: d.fix } : {}),
    ...(d.fingerprint ? { fingerprint: d.fingerprint } : {}),
  };
}

function wastedSpace(layers: readonly LayerFacts[], refs: readonly HygieneLayerRef[]): SizeWasted {
  const per = wastedByLayer(layers);
  const total = layers.reduce((s, l) => s + l.bytes, 0);
  const bytes = per.reduce((s, w) => s + w.bytes, 0);
  return {
    bytes,
    percent: total > 0 ? Math.round((bytes / total) * 10000) / 100 : 0,
    layers: per
      .map((w, index) => ({
        index,
        instruction: refs[index]?.instruction ?? 'unknown instruction',
        line: refs[index]?.line ?? null,
        base: refs[index]?.fromBase ?? false,
        ...w,
      }))
      .filter((l) => l.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes),
  };
}

/**
 * The severity a finding has in this run, the same wherever it is shown: `error` fails the
 * check. Secrets fail unless `hygiene: warn`; other error kinds only with `hygiene: fail`;
 * whatever comes from the base image is at most a warning (the fix is another base).
 */
export function effectiveSeverity(d: Pick<Draft, 'id' | 'layer' | 'severity'>, mode: HygieneConfig['mode']): HygieneFinding['severity'] {
  const kind = d.severity ?? FINDING_KINDS[d.id].severity;
  if (kind !== 'error') return kind;
  if (d.layer?.fromBase) return 'warning';
  if (mode === 'fail') return 'error';
  if (mode === 'secrets' && isSecretFinding(d.id)) return 'error';
  return 'warning';
}

/** Annotated with the severity the report shows. */
function annotate(log: Log, f: HygieneFinding): void {
  const text = `${f.message}${f.fix ? ` Fix: ${f.fix}` : ''} [${f.id}]`;
  const where = f.file ? { file: f.file, ...(f.line !== null ? { line: f.line } : {}), title: `deploy-check hygiene: ${f.id}` } : undefined;
  if (f.severity === 'info') log.info(text);
  else if (f.severity === 'error') log.error(text, where);
  else log.warning(text, where);
}
