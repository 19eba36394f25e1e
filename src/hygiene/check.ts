/**
 * The hygiene stage: checks what a production Dockerfile promises on the built image itself
 * (its config, history and every layer's files) and on the build context.
 */
import type Docker from 'dockerode';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import type { Log } from '../host/log.ts';
import type { HygieneFinding, HygieneLayerRef, HygieneReport, HygieneScan, SizeWasted } from '../report/model.ts';
import { formatBytes } from '../report/format.ts';
import type { ImageConfigJson } from './archive.ts';
import type { HygieneConfig } from './config.ts';
import type { ContextFacts } from './context.ts';
import { FINDING_KINDS, isSecretFinding, type FindingId } from './findings.ts';
import { attributeHistory, layerOrigins, stageChain, type HistoryEntry, type Origin } from './history.ts';
import type { LayerFacts, ModeFact } from './layer.ts';
import { isPlaceholder, LOOKALIKE_LABELS } from './lookalikes.ts';
import {
  accountNames, hasUrlPassword, isSecretName, isUnder, packageCacheAdvice, parseEnvInstruction, parseHistoryBuildArgs, parseImageUser,
  secretValueReason, SECRET_FILE_LABELS, splitEnv, type SecretFileKind,
} from './rules.ts';
import { allDeletedBy, deletedBy, finalAccountFile, finalShadowEmpty, shownAtTop, visibleAtTop, wastedByLayer } from './scan.ts';
import {
  classifySecretValues, findSecretValues, fingerprint, isFlagValue, redactSecretValues, isPublicByDesignName, mayHoldSecret, MIN_GIVEN_SECRET, VALUE_KIND_LABELS,
  type GivenSecret, type ValueKind,
} from './values.ts';

/** Values read back from history text shorter than this are not masked (they may be plain words). */
const MIN_PARSED_SECRET = 6;

/** A context above this many bytes is reported: every build sends it to the builder. */
export const LARGE_CONTEXT_BYTES = 100_000_000;

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
  for (const e of config.env) if (!isFlagValue(e.value) && !isPublicByDesignName(e.key) && looksSecret(e.key, e.value)) out.push({ label: `env ${e.key}`, value: e.value });
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

interface Draft {
  id: FindingId;
  /** Overrides the kind's severity (info for base-image permissions). */
  severity?: HygieneFinding['severity'];
  message: string;
  fix?: string;
  fingerprint?: string;
  line: number | null;
  file?: string | null;
  layer?: HygieneLayerRef | null;
  path?: string | null;
  evidence?: string[];
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
  const { log, maskSecret } = deps;
  const drafts: Draft[] = [];
  const dockerfile = config.dockerfile;
  drafts.push(...contextFindings(context, copiedSources(config.dockerfileFacts.stages.flatMap((s) => s.instructions))));
  const layers = input.layers;
  if (!layers) {
    drafts.push({ id: 'scan-incomplete', message: `Could not read the image layers, so the file checks did not run: ${input.scan.error ?? 'unknown error'}`, line: null });
  }

  const imageConfig = input.config;
  const history: HistoryEntry[] = imageConfig?.history ?? [];
  const origins = attributeHistory(history, config.dockerfileFacts);
  const chain = stageChain(config.dockerfileFacts);
  const finalFromLine = config.dockerfileFacts.finalStage?.line ?? null;

  const user = parseImageUser(imageConfig?.config?.User);
  const userLine = lastInstructionLine(chain, 'USER') ?? finalFromLine;
  const passwd = layers ? finalAccountFile(layers, 'passwd') : undefined;
  const uidZero = !user.root && !user.numeric && passwd !== undefined && accountUid(passwd, user.user) === '0';
  if (user.root || uidZero) {
    const configured = imageConfig?.config?.User?.trim();
    drafts.push({
      id: 'root-user',
      message: uidZero
        ? `The image runs as root: USER ${configured ?? user.user} has uid 0 in the image's /etc/passwd; give that account its own uid (useradd without -o -u 0) or switch to another user`
        : configured
          ? `The image runs as root (USER ${configured}); add a non-root user and switch to it with USER`
          : 'The image runs as root: no USER instruction; add a non-root user and switch to it with USER',
      line: userLine,
      path: uidZero ? '/etc/passwd' : null,
    });
  }

  const refs = layers ? layerRefs(layers.length, imageConfig, history, origins, givenSecrets(config)) : [];
  if (layers) {
    if (!user.root) drafts.push(...userFindings(user, layers, userLine));
    drafts.push(...layerFindings(layers, refs, config.dockerfileFacts.stages.length > 1));
    drafts.push(...permissionFindings(layers, refs, !user.root && !uidZero));
  }

  const layerOfHistory = (h: number): HygieneLayerRef | null => {
    if (history[h]?.empty_layer === true) return null;
    const index = history.slice(0, h).filter((e) => e.empty_layer !== true).length;
    return refs[index] ?? null;
  };
  // Config-level findings inherited from the base image point at its topmost layer.
  const baseTop = [...refs].reverse().find((r) => r.fromBase) ?? { index: 0, digest: null, instruction: chain[0] ? `FROM ${chain[0].from}` : 'base image', line: chain[0]?.line ?? null, fromBase: true };
  drafts.push(...secretConfigFindings(imageConfig, history, origins, chain, input.attestations, maskSecret, layerOfHistory, givenSecrets(config), baseTop));

  const healthcheck = imageConfig?.config?.Healthcheck?.Test;
  const hasHealthcheck = Boolean(healthcheck?.length && healthcheck[0] !== 'NONE');
  if (!hasHealthcheck && config.health.pathSource === undefined) {
    drafts.push({
      id: 'no-healthcheck',
      message: 'The image has no HEALTHCHECK and no health path is configured (health-path, deploy.healthcheckPath in railway.json/toml, or the Railway service\'s health check path): nothing tells the platform when the app is ready',
      line: finalFromLine,
    });
  }

  const silenced = new Set<string>(ignore);
  const findings: HygieneFinding[] = drafts
    .filter((d) => !silenced.has(d.id))
    .map((d) => ({
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
    }));
  for (const f of findings) annotate(log, f);

  const report: HygieneReport = {
    status: 'checked',
    mode,
    reason: null,
    findings,
    ignored: [...ignore],
    suppressed: drafts.length - findings.length,
    user: imageConfig?.config?.User?.trim() || 'root',
    context: { bytes: context.bytes, files: context.files, ignoreFile: context.ignoreFile },
    scan: input.scan,
  };
  return { report, wasted: layers ? wastedSpace(layers, refs) : null };
}

function wastedSpace(layers: readonly LayerFacts[], refs: readonly HygieneLayerRef[]): SizeWasted {
  const per = wastedByLayer(layers);
  const total = layers.reduce((s, l) => s + l.bytes, 0);
  const bytes = per.reduce((s, w) => s + w.bytes, 0);
  return {
    bytes,
    percent: total > 0 ? Math.round((bytes / total) * 10000) / 100 : 0,
    layers: per
      .map((w, index) => ({ index, instruction: refs[index]?.instruction ?? 'unknown instruction', line: refs[index]?.line ?? null, base: refs[index]?.fromBase ?? false, ...w }))
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

/** Context paths COPY and ADD take (not --from another stage): what can reach an image. */
function copiedSources(instructions: readonly { keyword: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const ins of instructions) {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const body = ins.text.replace(/^(?:COPY|ADD)\s+/i, '');
    if (/(?:^|\s)--from=/.test(body)) continue;
    let args: string[];
    const json = body.replace(/^(?:--\S+\s+)*/, '');
    try {
      args = json.startsWith('[') ? (JSON.parse(json) as string[]) : json.split(/\s+/).filter(Boolean);
    } catch {
      args = json.split(/\s+/).filter(Boolean);
    }
    out.push(...args.slice(0, -1));
  }
  return out;
}

/** ".", "./", "*" or "/": a COPY source that takes the whole context. */
function isWholeContext(raw: string): boolean {
  const s = raw.replace(/^\.\//, '').replace(/\/+$/, '');
  return s === '' || s === '.' || s === '*' || s === '/';
}

/** Does a COPY source (".", "app/", "*.py", ".env*") take this top-level context entry? */
function copies(sources: readonly string[], name: string): boolean {
  return sources.some((raw) => {
    const s = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if (isWholeContext(raw)) return true;
    if (s === name || s.startsWith(`${name}/`)) return true;
    if (!s.includes('*') && !s.includes('?')) return false;
    const first = s.split('/')[0] ?? s;
    const re = new RegExp(`^${first.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    return re.test(name);
  });
}

/**
 * What a context without .dockerignore lets into the image, as far as the Dockerfile's own COPY
 * and ADD sources go: all of it for "COPY .", else only the entries a source names or matches.
 */
function noIgnoreFileReach(context: ContextFacts, sources: readonly string[]): string {
  const present = context.gaps.filter((g) => g.present);
  const list = (gaps: typeof present): string => gaps.map((g) => `${g.name}${g.name in context.sentBytes ? ` (${formatBytes(context.sentBytes[g.name] ?? 0)})` : ''}`).join(', ');
  if (sources.some(isWholeContext)) {
    return ` and COPY . copies it into the image${present.length ? `, including ${list(present)}` : ''}`;
  }
  const copied = present.filter((g) => copies(sources, g.name));
  const sentOnly = present.filter((g) => !copies(sources, g.name));
  return [
    copied.length ? `, and the Dockerfile's COPY takes ${list(copied)} into the image` : '',
    sentOnly.length ? `${copied.length ? '; ' : ', including '}${list(sentOnly)}${copied.length ? ' is sent too' : ''}, which no COPY or ADD of the Dockerfile takes into the image` : '',
  ].join('');
}

function contextFindings(context: ContextFacts, sources: readonly string[]): Draft[] {
  const drafts: Draft[] = [];
  const sent = (name: string): string => {
    const bytes = context.sentBytes[name];
    return bytes === undefined ? '' : `: ${formatBytes(bytes)} sent`;
  };
  if (context.ignoreFile === null) {
    drafts.push({
      id: 'no-dockerignore',
      message: `The build context has no .dockerignore: every file is sent to the builder${noIgnoreFileReach(context, sources)}`,
      file: null,
      line: null,
      path: path.join(context.dir, '.dockerignore'),
      evidence: [`context: ${formatBytes(context.bytes)} in ${context.files} files`],
    });
  } else {
    // Only what a COPY or ADD of the context would take into an image.
    const gaps = context.gaps.filter((g) => copies(sources, g.name));
    const what = (g: (typeof gaps)[number]): string => (g.missing ? g.missing.join(', ') : g.name);
    if (gaps.length > 0) {
      drafts.push({
        id: 'dockerignore-gaps',
        message: `${path.basename(context.ignoreFile)} does not exclude ${gaps.map((g) => `${what(g)}${g.present ? ` (in the context${sent(g.name)})` : ''}`).join(', ')}, which the Dockerfile's COPY would take into the image`,
        file: context.ignoreFile,
        line: null,
        path: context.ignoreFile,
        evidence: gaps.map((g) => `${what(g)}: ${g.present ? 'in the context, sent to the builder' : 'not in the context now, would be sent and copied if created'}`),
        fix: `add ${gaps.map((g) => (g.name === '.env' ? '.env*' : g.name)).join(', ')} to ${path.basename(context.ignoreFile)}`,
      });
    }
  }
  if (context.bytes > LARGE_CONTEXT_BYTES) {
    drafts.push({
      id: 'large-context',
      message: `The build context is ${formatBytes(context.bytes)} (${context.files} files): every build sends it to the builder; exclude what the image does not need in .dockerignore`,
      file: context.ignoreFile,
      line: null,
      path: context.dir,
      evidence: Object.entries(context.sentBytes).map(([name, bytes]) => `${name}: ${formatBytes(bytes)}`),
    });
  }
  return drafts;
}

/**
 * Credential-shaped values that are not secrets, as one note: whoever reads the report sees
 * that they were looked at and why they do not fail the check.
 */
function lookalikeNote(layers: readonly LayerFacts[], ref: (i: number) => HygieneLayerRef): Draft | undefined {
  const byPath = new Map<string, { layer: number; lines: Set<number>; what: Set<string> }>();
  let count = 0;
  layers.forEach((layer, i) => {
    for (const l of layer.lookalikes) {
      const seen = byPath.get(l.path) ?? { layer: i, lines: new Set<number>(), what: new Set<string>() };
      seen.lines.add(l.line);
      seen.what.add(`${withArticle(VALUE_KIND_LABELS[l.kind])}, ${LOOKALIKE_LABELS[l.reason]}`);
      byPath.set(l.path, seen);
      count++;
    }
  });
  const [first] = byPath.entries();
  if (!first) return undefined;
  const files = byPath.size;
  const evidence = [...byPath].slice(0, 20).map(([p, s]) => `${p} (line ${[...s.lines].sort((a, b) => a - b).slice(0, 5).join(', ')}): ${[...s.what].join('; ')}`);
  if (files > 20) evidence.push(`and ${files - 20} more file${files > 21 ? 's' : ''}`);
  return {
    id: 'placeholder-credentials',
    message: `${count} credential-shaped value${count > 1 ? 's' : ''} in ${files} file${files > 1 ? 's' : ''} ${count > 1 ? 'are' : 'is'} not counted as secrets: placeholders, trivial passwords for local hosts, or documentation, example, test and CI files`,
    line: ref(first[1].layer).line,
    layer: ref(first[1].layer),
    path: first[0],
    evidence,
  };
}

/** Secret files, .git directories, package caches and compilers, from the layers' file lists. */
function layerFindings(layers: readonly LayerFacts[], refs: readonly HygieneLayerRef[], multiStage: boolean): Draft[] {
  const drafts: Draft[] = [];
  const ref = (i: number): HygieneLayerRef => refs[i] ?? { index: i, digest: null, instruction: 'unknown', line: null, fromBase: false };
  const where = (i: number): string => describeLayer(ref(i), layers.length);
  const describeLayerShort = (i: number): string => `layer ${i + 1}${ref(i).line !== null ? ` (line ${ref(i).line})` : ''}`;

  // Secret files, grouped by path: the first layer that adds one is where to fix it.
  const secretPaths = new Map<string, { kind: SecretFileKind; layers: number[]; bytes: number }>();
  layers.forEach((layer, i) => {
    for (const f of layer.secretFiles) {
      const seen = secretPaths.get(f.path) ?? { kind: f.kind, layers: [], bytes: f.bytes };
      if (!seen.layers.includes(i)) seen.layers.push(i);
      secretPaths.set(f.path, seen);
    }
  });
  for (const [filePath, found] of secretPaths) {
    const first = found.layers[0] ?? 0;
    const label = SECRET_FILE_LABELS[found.kind];
    const gone = deletedBy(layers, found.layers.at(-1) ?? first, filePath);
    const evidence = found.layers.map((i) => `in ${where(i)}`);
    if (gone !== undefined) evidence.push(`deleted by ${where(gone)}; anyone who pulls the image can still read it from the earlier layer`);
    drafts.push({
      id: 'secret-file',
      message: `${filePath} (${label}) is in ${where(first)}${gone !== undefined ? `; ${describeLayerShort(gone)} deletes it, but the earlier layer still ships it` : ''}`,
      line: ref(first).line,
      layer: ref(first),
      path: filePath,
      evidence,
      fix: ref(first).fromBase ? BASE_SECRET_FIX : secretFileFix(filePath, gone !== undefined),
    });
  }

  // Secrets recognised by their value, grouped by file and kind.
  const valueHits = new Map<string, { path: string; kind: ValueKind; layers: number[]; lines: Set<number>; fingerprints: Set<string>; source: string | null }>();
  layers.forEach((layer, i) => {
    for (const v of layer.secretValues) {
      const key = `${v.path}\0${v.kind}\0${v.source ?? ''}`;
      const hit = valueHits.get(key) ?? { path: v.path, kind: v.kind, layers: [], lines: new Set<number>(), fingerprints: new Set<string>(), source: v.source };
      if (!hit.layers.includes(i)) hit.layers.push(i);
      hit.lines.add(v.line);
      hit.fingerprints.add(v.fingerprint);
      valueHits.set(key, hit);
    }
  });
  for (const hit of valueHits.values()) {
    const first = hit.layers[0] ?? 0;
    const last = hit.layers.at(-1) ?? first;
    const gone = shownAtTop(layers, last, hit.path) ? undefined : (deletedBy(layers, last, hit.path) ?? -1);
    const what = hit.kind === 'given-secret' ? `the value of ${hit.source ?? 'a given secret'}` : withArticle(VALUE_KIND_LABELS[hit.kind]);
    const lines = [...hit.lines].sort((a, b) => a - b);
    drafts.push({
      id: 'secret-value',
      message: `${hit.path} holds ${what} (line ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? ', ...' : ''}) in ${where(first)}${gone === undefined ? '' : gone >= 0 ? `; ${describeLayerShort(gone)} deletes it, but the earlier layer still ships it` : '; a later layer replaces the file, but the earlier layer still ships it'}`,
      line: ref(first).line,
      layer: ref(first),
      path: hit.path,
      evidence: [...[...hit.fingerprints].map((f) => `fingerprint ${f}`), ...hit.layers.map((i) => `in ${where(i)}`)],
      fingerprint: [...hit.fingerprints][0] ?? '',
      fix: ref(first).fromBase ? BASE_SECRET_FIX : valueFix(hit.kind, hit.source),
    });
  }

  const note = lookalikeNote(layers, ref);
  if (note) drafts.push(note);

  const gitDirs = new Map<string, { layers: number[]; files: number; bytes: number }>();
  layers.forEach((layer, i) => {
    for (const [dir, t] of Object.entries(layer.gitDirectories)) {
      const g = gitDirs.get(dir) ?? { layers: [], files: 0, bytes: 0 };
      g.layers.push(i);
      g.files += t.files;
      g.bytes += t.bytes;
      gitDirs.set(dir, g);
    }
  });
  for (const [dir, g] of gitDirs) {
    const first = g.layers[0] ?? 0;
    drafts.push({
      id: 'git-directory',
      message: `${dir} (the repository's history, ${g.files} files, ${formatBytes(g.bytes)}) is in ${where(first)}; exclude .git in .dockerignore`,
      line: ref(first).line,
      layer: ref(first),
      path: dir,
      evidence: g.layers.map((i) => `in ${where(i)}`),
    });
  }

  const caches = new Map<string, { layers: { index: number; files: number; bytes: number; paths: readonly string[] }[] }>();
  layers.forEach((layer, i) => {
    for (const [found, t] of Object.entries(layer.caches)) {
      // /var/cache/apt and /var/cache/apt/archives are one cache, counted once.
      const root = cacheRoot(found, layers);
      const c = caches.get(root) ?? { layers: [] };
      c.layers.push({ index: i, ...t });
      caches.set(root, c);
    }
  });
  for (const [root, c] of caches) {
    const bytes = c.layers.reduce((s, l) => s + l.bytes, 0);
    const first = c.layers[0]?.index ?? 0;
    // Widened on purpose: the callback below sets it, which control-flow narrowing does not see.
    let deletedLater = false as boolean;
    const evidence = c.layers.map((l) => {
      const gone = allDeletedBy(layers, l.index, l.paths);
      if (gone !== undefined) deletedLater = true;
      return `${formatBytes(l.bytes)} (${l.files} files) in ${where(l.index)}${gone !== undefined ? `; deleted by ${where(gone)}, but the bytes still ship in the earlier layer` : ''}`;
    });
    drafts.push({
      id: 'package-cache',
      message: `Package cache ${root} is left in the image: ${formatBytes(bytes)}, from ${where(first)}${deletedLater ? ' (a later layer deletes it, which does not shrink the image)' : ''}; ${ref(first).fromBase ? 'it comes with the base image: use a slimmer or newer base image, or one that cleans its package caches' : packageCacheAdvice(root)}`,
      line: ref(first).line,
      layer: ref(first),
      path: root,
      evidence,
    });
  }

  if (multiStage) {
    const found = new Map<string, { path: string; layer: number }>();
    layers.forEach((layer, i) => {
      for (const [name, p] of Object.entries(layer.compilers)) if (visibleAtTop(layers, i, p)) found.set(name, { path: p, layer: i });
    });
    if (found.size > 0) {
      const firstLayer = Math.min(...[...found.values()].map((f) => f.layer));
      drafts.push({
        id: 'compiler-in-final-stage',
        message: `Build tools reached the final stage of this multi-stage build (${[...found.keys()].sort().join(', ')}, from ${where(firstLayer)}); install them in a build stage and COPY --from only what runs`,
        line: ref(firstLayer).line,
        layer: ref(firstLayer),
        path: [...found.values()].find((f) => f.layer === firstLayer)?.path ?? null,
        evidence: [...found.entries()].map(([name, f]) => `${name}: ${f.path} in ${where(f.layer)}`),
      });
    }
  }
  return drafts;
}

/** The outermost cache directory among those any layer has, for a cache path. */
function cacheRoot(root: string, layers: readonly LayerFacts[]): string {
  let best = root;
  for (const layer of layers) for (const other of Object.keys(layer.caches)) if (other.length < best.length && isUnder(root, other)) best = other;
  return best;
}

/** setuid/setgid files and world-writable paths visible in the final filesystem. */
function permissionFindings(layers: readonly LayerFacts[], refs: readonly HygieneLayerRef[], nonRoot: boolean): Draft[] {
  const drafts: Draft[] = [];
  const ref = (i: number): HygieneLayerRef => refs[i] ?? { index: i, digest: null, instruction: 'unknown', line: null, fromBase: false };
  const collect = (pick: (l: LayerFacts) => readonly ModeFact[]): { base: { fact: ModeFact; layer: number }[]; own: { fact: ModeFact; layer: number }[] } => {
    const base: { fact: ModeFact; layer: number }[] = [];
    const own: { fact: ModeFact; layer: number }[] = [];
    layers.forEach((layer, i) => {
      for (const fact of pick(layer)) {
        // Only what the final filesystem shows with these bits: a later chmod or delete fixes it.
        if (!shownAtTop(layers, i, fact.path) && fact.type === 'file') continue;
        (ref(i).fromBase ? base : own).push({ fact, layer: i });
      }
    });
    return { base, own };
  };
  const list = (items: { fact: ModeFact; layer: number }[]): string[] => items.slice(0, 10).map(({ fact, layer }) => `${fact.path} (mode ${(fact.mode & 0o7777).toString(8).padStart(4, '0')}) in ${describeLayer(ref(layer), layers.length)}`);
  const privileged = collect((l) => l.privileged);
  const risk = nonRoot ? 'a process running as the image\'s non-root user can use them to become root or another user' : 'they matter once the image runs as a non-root user';
  if (privileged.own.length) {
    const first = privileged.own[0];
    drafts.push({
      id: 'setuid-file',
      message: `${privileged.own.length} setuid/setgid file${privileged.own.length > 1 ? 's' : ''} added by the Dockerfile (${privileged.own.slice(0, 3).map((p) => p.fact.path).join(', ')}${privileged.own.length > 3 ? ', ...' : ''}): ${risk}`,
      line: first ? ref(first.layer).line : null,
      layer: first ? ref(first.layer) : null,
      path: first?.fact.path ?? null,
      evidence: list(privileged.own),
      fix: 'remove the bits in the same RUN that installs them (chmod u-s,g-s FILE), or do not install the tool in the final stage',
    });
  }
  if (privileged.base.length) {
    const first = privileged.base[0];
    drafts.push({
      id: 'setuid-file',
      severity: 'info',
      message: `The base image ships ${privileged.base.length} setuid/setgid file${privileged.base.length > 1 ? 's' : ''} (${privileged.base.slice(0, 3).map((p) => p.fact.path).join(', ')}${privileged.base.length > 3 ? ', ...' : ''}), as most distribution images do`,
      line: first ? ref(first.layer).line : null,
      layer: first ? ref(first.layer) : null,
      path: first?.fact.path ?? null,
      evidence: list(privileged.base),
      fix: 'if the app never needs them: RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + in the final stage, or use a distroless base image',
    });
  }
  const writable = collect((l) => l.worldWritable);
  for (const [items, fromBase] of [[writable.own, false], [writable.base, true]] as const) {
    if (!items.length) continue;
    const first = items[0];
    drafts.push({
      id: 'world-writable',
      severity: fromBase ? 'info' : undefined,
      message: `${items.length} world-writable path${items.length > 1 ? 's' : ''} outside /tmp ${fromBase ? 'in the base image' : 'added by the Dockerfile'} (${items.slice(0, 3).map((p) => p.fact.path).join(', ')}${items.length > 3 ? ', ...' : ''}): any process in the container can change ${items.length > 1 ? 'them' : 'it'}`,
      line: first ? ref(first.layer).line : null,
      layer: first ? ref(first.layer) : null,
      path: first?.fact.path ?? null,
      evidence: list(items),
      fix: fromBase ? 'chmod o-w the paths in the final stage, or use another base image' : 'give the files to the app\'s user (COPY --chown=app, chmod 755/644) instead of chmod 777',
    });
  }
  const shadow = finalShadowEmpty(layers);
  if (shadow) {
    drafts.push({
      id: 'empty-password',
      message: `${shadow.accounts.slice(0, 5).join(', ')} ${shadow.accounts.length > 1 ? 'have' : 'has'} an empty password in /etc/shadow (from ${describeLayer(ref(shadow.layer), layers.length)}): anyone in the container can log in as ${shadow.accounts.length > 1 ? 'them' : 'it'}, e.g. with su`,
      line: ref(shadow.layer).line,
      layer: ref(shadow.layer),
      path: '/etc/shadow',
      evidence: [`accounts: ${shadow.accounts.join(', ')}`],
      fix: 'lock the account instead of clearing its password: passwd -l NAME (or usermod -p \'*\' NAME)',
    });
  }
  return drafts;
}

/** The uid of an account in /etc/passwd content. */
function accountUid(passwd: string, name: string): string | undefined {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name) return fields[2];
  }
  return undefined;
}

function userFindings(user: ReturnType<typeof parseImageUser>, layers: readonly LayerFacts[], line: number | null): Draft[] {
  const drafts: Draft[] = [];
  const passwd = finalAccountFile(layers, 'passwd');
  if (!user.numeric) {
    const known = passwd ? accountNames(passwd).names : new Set<string>();
    if (!known.has(user.user)) {
      drafts.push({
        id: 'unknown-user',
        message: `USER ${user.user}: no such user in the image's /etc/passwd${passwd ? '' : ' (the image has no /etc/passwd)'}; create it (useradd/adduser) before USER, or use a numeric uid`,
        line,
        path: '/etc/passwd',
      });
    }
  }
  if (user.group !== undefined && !/^\d+$/.test(user.group)) {
    const groups = finalAccountFile(layers, 'group');
    if (!groups || !accountNames(groups).names.has(user.group)) {
      drafts.push({
        id: 'unknown-user',
        message: `USER ${user.user}:${user.group}: no such group in the image's /etc/group; create it before USER, or use a numeric gid`,
        line,
        path: '/etc/group',
      });
    }
  }
  return drafts;
}

/**
 * ENV values, ARG defaults, build arguments and RUN commands recorded in the config, the
 * history and the provenance attestation. Only names, places and fingerprints are reported;
 * every value goes to maskSecret.
 */
function secretConfigFindings(
  imageConfig: ImageConfigJson | undefined,
  history: readonly HistoryEntry[],
  origins: readonly Origin[],
  chain: ReturnType<typeof stageChain>,
  attestations: readonly unknown[],
  maskSecret: (value: string) => void,
  layerOfHistory: (h: number) => HygieneLayerRef | null,
  given: readonly GivenSecret[],
  baseTop: HygieneLayerRef,
): Draft[] {
  const drafts: Draft[] = [];
  const reported = new Set<string>();
  const envLine = (name: string): { line: number | null; fromBase: boolean } => {
    for (let h = history.length - 1; h >= 0; h--) {
      const by = history[h]?.created_by ?? '';
      if (/^ENV\s/.test(by) && parseEnvInstruction(by).some((e) => e.name === name)) {
        return { line: origins[h]?.line ?? null, fromBase: origins[h]?.fromBase ?? false };
      }
    }
    const line = lastInstructionLine(chain, 'ENV', (text) => parseEnvInstruction(text).some((e) => e.name === name));
    return { line: line ?? null, fromBase: line === undefined };
  };
  const baseRef = (fromBase: boolean): HygieneLayerRef | null => (fromBase ? baseTop : null);

  const configEnv = new Map((imageConfig?.config?.Env ?? []).map((entry) => [splitEnv(entry).name, splitEnv(entry).value]));
  // History text does not quote values, so a value with spaces parses as its first word: mask
  // only what cannot be a common word, and not a cut-off copy of a config value masked already.
  const maskParsed = (name: string, value: string): void => {
    if (value.length >= MIN_PARSED_SECRET && !(configEnv.get(name) ?? '').startsWith(value)) maskSecret(value);
  };

  for (const [name, value] of configEnv) {
    const verdict = judgeValue(name, value, given);
    if (!verdict) continue;
    maskSecret(value);
    const at = envLine(name);
    reported.add(`ENV ${name}`);
    drafts.push({
      id: 'secret-env',
      message: `ENV ${name} carries ${verdict.what} baked into the image config${at.fromBase ? ' (inherited from the base image)' : ''}`,
      line: at.line,
      layer: baseRef(at.fromBase),
      evidence: ['the value is readable by anyone who pulls the image (docker inspect)', ...(verdict.fingerprint ? [`fingerprint ${verdict.fingerprint}`] : [])],
      fingerprint: verdict.fingerprint,
      fix: at.fromBase ? BASE_SECRET_FIX : `remove ENV ${name} from the Dockerfile and set it at run time (Railway service variables); rotate the exposed value`,
    });
  }

  history.forEach((entry, h) => {
    const by = entry.created_by ?? '';
    const origin = origins[h];
    const fromBase = origin?.fromBase ?? false;
    if (/^(?:ENV|ARG)\s/.test(by)) {
      const keyword = by.startsWith('ARG') ? 'ARG' : 'ENV';
      for (const { name, value } of parseEnvInstruction(by)) {
        const verdict = judgeValue(name, value, given);
        if (!verdict) continue;
        maskParsed(name, value);
        if (reported.has(`${keyword} ${name}`)) continue;
        reported.add(`${keyword} ${name}`);
        drafts.push({
          id: 'secret-env',
          message:
            keyword === 'ARG'
              ? `ARG ${name} has a default value that is ${verdict.what}, recorded in the image history`
              : `ENV ${name} once carried ${verdict.what}: it was overridden, but the image history still records it`,
          line: origin?.line ?? null,
          layer: baseRef(fromBase),
          evidence: ['readable with docker history --no-trunc', ...(verdict.fingerprint ? [`fingerprint ${verdict.fingerprint}`] : [])],
          fingerprint: verdict.fingerprint,
          fix: fromBase ? BASE_SECRET_FIX : `give ARG/ENV ${name} no secret default; pass secrets with RUN --mount=type=secret (build-secrets) and rotate the exposed value`,
        });
      }
      return;
    }
    const parsed = parseHistoryBuildArgs(by);
    for (const { name, value } of parsed?.args ?? []) {
      const verdict = judgeValue(name, value, given);
      if (!verdict) continue;
      maskParsed(name, value);
      const key = `RUN ${name} ${origin?.line ?? h}`;
      if (reported.has(key)) continue;
      reported.add(key);
      drafts.push({
        id: 'secret-build-arg',
        message: `Build argument ${name} leaked into the image history through the RUN that uses it (${verdict.what})`,
        line: origin?.line ?? null,
        layer: layerOfHistory(h),
        evidence: [`history entry ${h + 1} of ${history.length} records ${name}=<value> (docker history --no-trunc shows it)`, ...(verdict.fingerprint ? [`fingerprint ${verdict.fingerprint}`] : [])],
        fingerprint: verdict.fingerprint,
        fix: `pass it as a build secret (build-secrets, RUN --mount=type=secret,id=${name}) instead of a build argument, and rotate the exposed value`,
      });
    }
    // The command itself: a token pasted into a RUN line.
    const command = parsed ? parsed.command : by;
    if (!command || !mayHoldSecret(command, given)) return;
    for (const m of findSecretValues(command, given, 5)) {
      if (m.secret.length >= MIN_PARSED_SECRET) maskSecret(m.secret);
      const key = `CMD ${h} ${m.kind} ${m.fingerprint}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const what = m.kind === 'given-secret' ? `the value of ${m.source ?? 'a given secret'}` : withArticle(VALUE_KIND_LABELS[m.kind]);
      drafts.push({
        id: 'secret-in-history',
        message: `A command recorded in the image history holds ${what}${fromBase ? ' (in the base image)' : ''}`,
        line: origin?.line ?? null,
        layer: layerOfHistory(h) ?? baseRef(fromBase),
        evidence: [`history entry ${h + 1} of ${history.length} (docker history --no-trunc shows it)`, `fingerprint ${m.fingerprint}`],
        fingerprint: m.fingerprint,
        fix: fromBase ? BASE_SECRET_FIX : 'never write a secret into a RUN line: mount it with RUN --mount=type=secret (build-secrets) and read it from /run/secrets; rotate the exposed value',
      });
    }
  });

  for (const statement of attestations) {
    const args = provenanceArgs(statement);
    for (const [key, value] of Object.entries(args)) {
      const name = key.replace(/^build-arg:/, '');
      if (!key.startsWith('build-arg:')) continue;
      const verdict = judgeValue(name, value, given);
      if (!verdict) continue;
      maskSecret(value);
      drafts.push({
        id: 'secret-build-arg',
        message: `Build argument ${name} (${verdict.what}) is recorded in the image's provenance attestation`,
        line: lastInstructionLine(chain, 'ARG', (text) => parseEnvInstruction(text).some((e) => e.name === name)) ?? null,
        evidence: ['stored next to the image as an in-toto provenance statement (invocation.parameters.args)', ...(verdict.fingerprint ? [`fingerprint ${verdict.fingerprint}`] : [])],
        fingerprint: verdict.fingerprint,
        fix: `pass it as a build secret (build-secrets, RUN --mount=type=secret,id=${name}) instead of a build argument, and rotate the exposed value`,
      });
    }
  }
  return drafts;
}

/**
 * Is this NAME=value a secret? By its value first (a known token format, a URL with a
 * password, a given secret), then by its name; flags and names public by design never are.
 */
function judgeValue(name: string, value: string, given: readonly GivenSecret[]): { what: string; fingerprint: string } | undefined {
  const v = value.trim();
  if (v === '' || isFlagValue(v)) return undefined;
  if (mayHoldSecret(v, given)) {
    const matches = classifySecretValues(v, given, 1);
    const m = matches.find((x) => !x.lookalike);
    if (m && !(isPublicByDesignName(name) && m.kind !== 'given-secret')) {
      return { what: m.kind === 'given-secret' ? `the value of ${m.source ?? 'a given secret'}` : withArticle(VALUE_KIND_LABELS[m.kind]), fingerprint: m.fingerprint };
    }
    // postgres://postgres:postgres@db/app, a made-up token: the name cannot make it a secret.
    if (matches.length > 0) return undefined;
  }
  if (isPublicByDesignName(name)) return undefined;
  const reason = secretValueReason(name, v);
  if (!reason) return undefined;
  return { what: reason === 'url-password' ? 'a URL with a password' : 'a secret-looking value', fingerprint: fingerprint(v, '') };
}

function withArticle(label: string): string {
  // "a URL": the letter says you, not a vowel.
  return `${/^(?:[aeiou](?!rl\b)|npm\b)/i.test(label) ? 'an' : 'a'} ${label}`;
}

const BASE_SECRET_FIX = 'it comes with the base image: use another base image or a newer tag, and tell its maintainers';

function secretFileFix(filePath: string, deletedLater: boolean): string {
  const name = filePath.slice(filePath.lastIndexOf('/') + 1);
  const deleted = deletedLater ? 'deleting it in a later layer does not remove it; ' : '';
  return `${deleted}exclude ${name} from the build context in .dockerignore (or COPY only what the app needs, or copy from a build stage with COPY --from), pass credentials as build secrets (RUN --mount=type=secret) and rotate what was exposed`;
}

function valueFix(kind: ValueKind, source: string | null): string {
  if (kind === 'given-secret' && source?.startsWith('build secret')) {
    return 'a RUN step wrote the build secret into a file: use it only inside the RUN that mounts it (RUN --mount=type=secret) and never copy it to the filesystem; rotate it';
  }
  return 'remove the value from the source and the image (.dockerignore, or a multi-stage build that copies only what runs), read it from an environment variable at run time, and rotate the exposed key';
}

function provenanceArgs(statement: unknown): Record<string, string> {
  const args = (statement as { predicate?: { invocation?: { parameters?: { args?: unknown } } } }).predicate?.invocation?.parameters?.args;
  if (!args || typeof args !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(args)) if (typeof v === 'string') out[k] = v;
  return out;
}

function lastInstructionLine(
  chain: ReturnType<typeof stageChain>,
  keyword: string,
  accept: (text: string) => boolean = () => true,
): number | undefined {
  for (let s = chain.length - 1; s >= 0; s--) {
    const ins = chain[s]?.instructions.filter((i) => i.keyword === keyword && accept(i.text)).at(-1);
    if (ins) return ins.line;
  }
  return undefined;
}

function layerRefs(count: number, imageConfig: ImageConfigJson | undefined, history: readonly HistoryEntry[], origins: readonly Origin[], given: readonly GivenSecret[]): HygieneLayerRef[] {
  const byLayer = layerOrigins(history, origins, count);
  const diffIds = imageConfig?.rootfs?.diff_ids ?? [];
  return Array.from({ length: count }, (_, i) => {
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

/** "layer 2 of 4 (COPY .env /app/.env, line 4)"; base-image layers say so. */
function describeLayer(ref: HygieneLayerRef, count: number): string {
  const text = ref.instruction.length > 60 ? `${ref.instruction.slice(0, 57)}...` : ref.instruction;
  const what = ref.fromBase ? `base image ${text.replace(/^FROM /, '')}` : text;
  return `layer ${ref.index + 1} of ${count} (${what}${ref.line !== null ? `, line ${ref.line}` : ''})`;
}

export async function inspectConfig(docker: Docker, image: string): Promise<ImageConfigJson | undefined> {
  try {
    const info = await docker.getImage(image).inspect();
    const history = (await docker.getImage(image).history()) as { CreatedBy?: string; Size?: number }[];
    return {
      config: info.Config,
      // The API lists history newest first and has no empty_layer flag.
      history: history.reverse().map((h) => ({ created_by: h.CreatedBy ?? '' })),
    };
  } catch {
    return undefined;
  }
}
