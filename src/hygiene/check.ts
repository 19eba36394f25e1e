/**
 * The hygiene stage: checks what a production Dockerfile promises on the built image itself
 * (its config, history and every layer's files) and on the build context.
 */
import type Docker from 'dockerode';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import type { Log } from '../host/log.ts';
import type { HygieneFinding, HygieneLayerRef, HygieneReport } from '../report/model.ts';
import { formatBytes } from '../report/format.ts';
import type { ImageConfigJson } from './archive.ts';
import { scanContext, type ContextFacts } from './context.ts';
import { FINDING_KINDS, type FindingId } from './findings.ts';
import { attributeHistory, layerOrigins, stageChain, type HistoryEntry, type Origin } from './history.ts';
import {
  accountNames, packageCacheAdvice, parseEnvInstruction, parseHistoryBuildArgs, parseImageUser, secretValueReason,
  SECRET_FILE_LABELS, splitEnv, type SecretFileKind,
} from './rules.ts';
import { allDeletedBy, deletedBy, finalAccountFile, scanImage, visibleAtTop, type ImageScan } from './scan.ts';

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

interface Draft {
  id: FindingId;
  message: string;
  line: number | null;
  file?: string | null;
  layer?: HygieneLayerRef | null;
  path?: string | null;
  evidence?: string[];
}

export function skippedHygiene(mode: HygieneReport['mode'], reason: string): HygieneReport {
  return { status: 'skipped', mode, reason, findings: [], ignored: [], suppressed: 0, user: null, context: null, scan: null };
}

export async function checkHygiene(config: Config, deps: HygieneDeps): Promise<HygieneReport> {
  const { mode, ignore } = config.hygiene;
  if (mode === 'off') return skippedHygiene(mode, 'hygiene is off');
  const { docker, log, maskSecret } = deps;
  const drafts: Draft[] = [];
  const dockerfile = config.dockerfile;

  const context = await scanContext(config.context, dockerfile);
  drafts.push(...contextFindings(context));

  let scan: ImageScan | undefined;
  let scanError: string | null = null;
  try {
    scan = await scanImage(docker, config.image);
    log.info(
      `Read ${scan.layers.length} layer${scan.layers.length === 1 ? '' : 's'} (${scan.entries} entries, ${formatBytes(scan.bytesRead)} streamed from the engine) in ${(scan.durationMs / 1000).toFixed(1)} s`,
    );
  } catch (err) {
    scanError = (err as Error).message;
    drafts.push({ id: 'scan-incomplete', message: `Could not read the image layers, so the file checks did not run: ${scanError}`, line: null });
  }

  // Without the archive, the engine still tells the config and history.
  const imageConfig = scan?.config ?? (await inspectConfig(docker, config.image));
  const history: HistoryEntry[] = imageConfig?.history ?? [];
  const origins = attributeHistory(history, config.dockerfileFacts);
  const chain = stageChain(config.dockerfileFacts);
  const finalFromLine = config.dockerfileFacts.finalStage?.line ?? null;

  const user = parseImageUser(imageConfig?.config?.User);
  const userLine = lastInstructionLine(chain, 'USER') ?? finalFromLine;
  if (user.root) {
    const configured = imageConfig?.config?.User?.trim();
    drafts.push({
      id: 'root-user',
      message: configured
        ? `The image runs as root (USER ${configured}); add a non-root user and switch to it with USER`
        : 'The image runs as root: no USER instruction; add a non-root user and switch to it with USER',
      line: userLine,
    });
  }

  const refs = scan ? layerRefs(scan, history, origins) : [];
  if (scan) {
    if (!user.root) drafts.push(...userFindings(user, scan.layers, userLine));
    drafts.push(...layerFindings(scan.layers, refs, config.dockerfileFacts.stages.length > 1));
  }

  const layerOfHistory = (h: number): HygieneLayerRef | null => {
    if (history[h]?.empty_layer === true) return null;
    const index = history.slice(0, h).filter((e) => e.empty_layer !== true).length;
    return refs[index] ?? null;
  };
  drafts.push(...secretConfigFindings(imageConfig, history, origins, chain, scan?.attestations ?? [], maskSecret, layerOfHistory));

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
      severity: FINDING_KINDS[d.id].severity,
      message: d.message,
      file: d.file === undefined ? dockerfile : d.file,
      line: d.line,
      layer: d.layer ?? null,
      path: d.path ?? null,
      evidence: d.evidence ?? [],
    }));
  for (const f of findings) annotate(log, f, mode);

  return {
    status: 'checked',
    mode,
    reason: null,
    findings,
    ignored: [...ignore],
    suppressed: drafts.length - findings.length,
    user: imageConfig?.config?.User?.trim() || 'root',
    context: { bytes: context.bytes, files: context.files, ignoreFile: context.ignoreFile },
    scan: {
      method: 'docker-save-stream',
      layers: scan?.layers.length ?? 0,
      entries: scan?.entries ?? 0,
      bytesRead: scan?.bytesRead ?? 0,
      durationMs: scan?.durationMs ?? 0,
      error: scanError,
    },
  };
}

/** In warn mode nothing fails, so even error findings are annotated as warnings. */
function annotate(log: Log, f: HygieneFinding, mode: 'warn' | 'fail'): void {
  const text = `${f.message} [${f.id}]`;
  const where = f.file ? { file: f.file, ...(f.line !== null ? { line: f.line } : {}), title: `deploy-check hygiene: ${f.id}` } : undefined;
  if (f.severity === 'info') log.info(text);
  else if (f.severity === 'error' && mode === 'fail') log.error(text, where);
  else log.warning(text, where);
}

function contextFindings(context: ContextFacts): Draft[] {
  const drafts: Draft[] = [];
  const sent = (name: string): string => {
    const bytes = context.sentBytes[name];
    return bytes === undefined ? '' : `: ${formatBytes(bytes)} sent`;
  };
  const presentGaps = context.gaps.filter((g) => g.present);
  if (context.ignoreFile === null) {
    drafts.push({
      id: 'no-dockerignore',
      message: `The build context has no .dockerignore: every file is sent to the builder and COPY . copies it into the image${presentGaps.length ? `, including ${presentGaps.map((g) => `${g.name}${g.name in context.sentBytes ? ` (${formatBytes(context.sentBytes[g.name] ?? 0)})` : ''}`).join(', ')}` : ''}`,
      file: null,
      line: null,
      path: path.join(context.dir, '.dockerignore'),
      evidence: [`context: ${formatBytes(context.bytes)} in ${context.files} files`],
    });
  } else if (context.gaps.length > 0) {
    drafts.push({
      id: 'dockerignore-gaps',
      message: `${path.basename(context.ignoreFile)} does not exclude ${context.gaps.map((g) => `${g.name}${g.present ? ` (in the context${sent(g.name)})` : ''}`).join(', ')}`,
      file: context.ignoreFile,
      line: null,
      path: context.ignoreFile,
      evidence: context.gaps.map((g) => `${g.name}: ${g.present ? 'in the context, sent to the builder' : 'not in the context now, would be sent if created'}`),
    });
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

/** Secret files, .git directories, package caches and compilers, from the layers' file lists. */
function layerFindings(layers: ImageScan['layers'], refs: readonly HygieneLayerRef[], multiStage: boolean): Draft[] {
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
    });
  }

  const gitDirs = new Map<string, { layers: number[]; files: number; bytes: number }>();
  layers.forEach((layer, i) => {
    for (const [dir, t] of layer.gitDirectories) {
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
    for (const [root, t] of layer.caches) {
      const c = caches.get(root) ?? { layers: [] };
      c.layers.push({ index: i, ...t });
      caches.set(root, c);
    }
  });
  for (const [root, c] of caches) {
    const bytes = c.layers.reduce((s, l) => s + l.bytes, 0);
    const first = c.layers[0]?.index ?? 0;
    let deletedLater = false;
    const evidence = c.layers.map((l) => {
      const gone = allDeletedBy(layers, l.index, l.paths);
      if (gone !== undefined) deletedLater = true;
      return `${formatBytes(l.bytes)} (${l.files} files) in ${where(l.index)}${gone !== undefined ? `; deleted by ${where(gone)}, but the bytes still ship in the earlier layer` : ''}`;
    });
    drafts.push({
      id: 'package-cache',
      message: `Package cache ${root} is left in the image: ${formatBytes(bytes)}, from ${where(first)}${deletedLater ? ' (a later layer deletes it, which does not shrink the image)' : ''}; ${packageCacheAdvice(root)}`,
      line: ref(first).line,
      layer: ref(first),
      path: root,
      evidence,
    });
  }

  if (multiStage) {
    const found = new Map<string, { path: string; layer: number }>();
    layers.forEach((layer, i) => {
      for (const [name, p] of layer.compilers) if (visibleAtTop(layers, i, p)) found.set(name, { path: p, layer: i });
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

function userFindings(user: ReturnType<typeof parseImageUser>, layers: ImageScan['layers'], line: number | null): Draft[] {
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
 * ENV values, ARG defaults and build arguments recorded in the config, the history and the
 * provenance attestation. Only names and places are reported; every value goes to maskSecret.
 */
function secretConfigFindings(
  imageConfig: ImageConfigJson | undefined,
  history: readonly HistoryEntry[],
  origins: readonly Origin[],
  chain: ReturnType<typeof stageChain>,
  attestations: readonly unknown[],
  maskSecret: (value: string) => void,
  layerOfHistory: (h: number) => HygieneLayerRef | null,
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

  const configEnv = new Map((imageConfig?.config?.Env ?? []).map((entry) => [splitEnv(entry).name, splitEnv(entry).value]));
  // History text does not quote values, so a value with spaces parses as its first word: mask
  // only what cannot be a common word, and not a cut-off copy of a config value masked already.
  const maskParsed = (name: string, value: string): void => {
    if (value.length >= MIN_PARSED_SECRET && !(configEnv.get(name) ?? '').startsWith(value)) maskSecret(value);
  };

  for (const [name, value] of configEnv) {
    const reason = secretValueReason(name, value);
    if (!reason) continue;
    maskSecret(value);
    const at = envLine(name);
    reported.add(`ENV ${name}`);
    drafts.push({
      id: 'secret-env',
      message: `ENV ${name} carries a ${reason === 'url-password' ? 'URL with a password' : 'secret-looking value'} baked into the image config${at.fromBase ? ' (inherited from the base image)' : ''}; pass it at run time (Railway variables) instead`,
      line: at.line,
      evidence: ['the value is readable by anyone who pulls the image (docker inspect)'],
    });
  }

  history.forEach((entry, h) => {
    const by = entry.created_by ?? '';
    const origin = origins[h];
    if (/^(?:ENV|ARG)\s/.test(by)) {
      const keyword = by.startsWith('ARG') ? 'ARG' : 'ENV';
      for (const { name, value } of parseEnvInstruction(by)) {
        const reason = secretValueReason(name, value);
        if (!reason) continue;
        maskParsed(name, value);
        if (reported.has(`${keyword} ${name}`)) continue;
        reported.add(`${keyword} ${name}`);
        drafts.push({
          id: 'secret-env',
          message:
            keyword === 'ARG'
              ? `ARG ${name} has a secret-looking default value, recorded in the image history; give no default and pass secrets with RUN --mount=type=secret`
              : `ENV ${name} once carried a secret-looking value: it was overridden, but the image history still records it`,
          line: origin?.line ?? null,
          evidence: ['readable with docker history --no-trunc'],
        });
      }
      return;
    }
    const parsed = parseHistoryBuildArgs(by);
    if (!parsed) return;
    for (const { name, value } of parsed.args) {
      const reason = secretValueReason(name, value);
      if (!reason) continue;
      maskParsed(name, value);
      const key = `RUN ${name} ${origin?.line ?? h}`;
      if (reported.has(key)) continue;
      reported.add(key);
      drafts.push({
        id: 'secret-build-arg',
        message: `Build argument ${name} leaked into the image history through the RUN that uses it; pass secrets with RUN --mount=type=secret (build-secrets) instead of build-args`,
        line: origin?.line ?? null,
        layer: layerOfHistory(h),
        evidence: [`history entry ${h + 1} of ${history.length} records ${name}=<value> (docker history --no-trunc shows it)`],
      });
    }
  });

  for (const statement of attestations) {
    const args = provenanceArgs(statement);
    for (const [key, value] of Object.entries(args)) {
      const name = key.replace(/^build-arg:/, '');
      if (!key.startsWith('build-arg:') || !secretValueReason(name, value)) continue;
      maskSecret(value);
      drafts.push({
        id: 'secret-build-arg',
        message: `Build argument ${name} is recorded in the image's provenance attestation; pass secrets with RUN --mount=type=secret instead of build-args`,
        line: lastInstructionLine(chain, 'ARG', (text) => parseEnvInstruction(text).some((e) => e.name === name)) ?? null,
        evidence: ['stored next to the image as an in-toto provenance statement (invocation.parameters.args)'],
      });
    }
  }
  return drafts;
}

function provenanceArgs(statement: unknown): Record<string, string> {
  const args = (statement as { predicate?: { invocation?: { parameters?: { args?: unknown } } } })?.predicate?.invocation?.parameters?.args;
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

function layerRefs(scan: ImageScan, history: readonly HistoryEntry[], origins: readonly Origin[]): HygieneLayerRef[] {
  const byLayer = layerOrigins(history, origins, scan.layers.length);
  const diffIds = scan.config?.rootfs?.diff_ids ?? [];
  return scan.layers.map((_, i) => {
    const origin = byLayer[i];
    return {
      index: i,
      digest: diffIds[i] ?? null,
      instruction: origin?.instruction ?? 'unknown instruction',
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

async function inspectConfig(docker: Docker, image: string): Promise<ImageConfigJson | undefined> {
  try {
    const info = await docker.getImage(image).inspect();
    const history = (await docker.getImage(image).history()) as { CreatedBy?: string; Size?: number }[];
    return {
      config: info.Config as ImageConfigJson['config'],
      // The API lists history newest first and has no empty_layer flag.
      history: history.reverse().map((h) => ({ created_by: h.CreatedBy ?? '' })),
    };
  } catch {
    return undefined;
  }
}
