/**
 * The rules on what the image records beside its files: ENV values, ARG defaults, build
 * arguments and RUN commands in the config, the history and the provenance attestation. Only
 * names, places and fingerprints are reported; every value found is handed back to be masked.
 */
import type { DockerfileStage } from '../../config/dockerfile.ts';
import type { HygieneLayerRef } from '../../model/report.ts';
import type { HistoryEntry, Origin } from '../history.ts';
import { parseEnvInstruction, parseHistoryBuildArgs, secretValueReason, splitEnv } from '../rules.ts';
import {
  classifySecretValues,
  findSecretValues,
  fingerprint,
  isFlagValue,
  isPublicByDesignName,
  mayHoldSecret,
  VALUE_KIND_LABELS,
  type GivenSecret,
} from '../../secrets/values.ts';
import { BASE_SECRET_FIX, lastInstructionLine, withArticle, type Draft } from './draft.ts';

/** Values read back from history text shorter than this are not masked (they may be plain words). */
const MIN_PARSED_SECRET = 6;

export interface SecretRecordFacts {
  /** Config.Env, NAME=value entries. */
  readonly env: readonly string[];
  readonly history: readonly HistoryEntry[];
  /** The Dockerfile instruction of each history entry. */
  readonly origins: readonly Origin[];
  /** The stages that make the image (stageChain). */
  readonly chain: readonly DockerfileStage[];
  /** In-toto statements stored next to the image. */
  readonly attestations: readonly unknown[];
  /** Build secrets and `env` values, searched for by value. */
  readonly given: readonly GivenSecret[];
  /** The layer each history entry made; null for an entry without a layer. */
  readonly historyLayers: readonly (HygieneLayerRef | null)[];
  /** Where findings inherited from the base image point: its topmost layer. */
  readonly baseTop: HygieneLayerRef;
}

export interface SecretRecordOutcome {
  readonly drafts: Draft[];
  /** Every secret value found, in the order found: to be masked before anything is printed. */
  readonly masks: string[];
}

/** The facts, and what the rules have found so far: one finding per name and place. */
interface Scan extends SecretRecordOutcome {
  readonly facts: SecretRecordFacts;
  readonly configEnv: ReadonlyMap<string, string>;
  readonly reported: Set<string>;
}

interface Verdict {
  readonly what: string;
  readonly fingerprint: string;
}

export function secretRecordFindings(facts: SecretRecordFacts): SecretRecordOutcome {
  const configEnv = new Map(facts.env.map((entry) => [splitEnv(entry).name, splitEnv(entry).value]));
  const scan: Scan = { facts, configEnv, reported: new Set<string>(), drafts: [], masks: [] };
  configEnvFindings(scan);
  facts.history.forEach((entry, h) => {
    const by = entry.created_by ?? '';
    if (/^(?:ENV|ARG)\s/.test(by)) {
      historyEnvFindings(scan, by, h);
      return;
    }
    const parsed = parseHistoryBuildArgs(by);
    historyBuildArgFindings(scan, parsed?.args ?? [], h);
    // The command itself: a token pasted into a RUN line.
    historyCommandFindings(scan, parsed ? parsed.command : by, h);
  });
  provenanceFindings(scan);
  return { drafts: scan.drafts, masks: scan.masks };
}

/** Has this finding been raised already? Marks it raised. */
function once(scan: Scan, key: string): boolean {
  if (scan.reported.has(key)) return true;
  scan.reported.add(key);
  return false;
}

/**
 * History text does not quote values, so a value with spaces parses as its first word: mask
 * only what cannot be a common word, and not a cut-off copy of a config value masked already.
 */
function maskParsed(scan: Scan, name: string, value: string): void {
  if (value.length >= MIN_PARSED_SECRET && !(scan.configEnv.get(name) ?? '').startsWith(value)) scan.masks.push(value);
}

function fingerprintEvidence(verdict: Verdict): string[] {
  return verdict.fingerprint ? [`fingerprint ${verdict.fingerprint}`] : [];
}

/** The ENV instruction that set `name` last: from the history, else the Dockerfile; else the base image's. */
function envLine({ history, origins, chain }: SecretRecordFacts, name: string): { line: number | null; fromBase: boolean } {
  for (let h = history.length - 1; h >= 0; h--) {
    const by = history[h]?.created_by ?? '';
    if (/^ENV\s/.test(by) && parseEnvInstruction(by).some((e) => e.name === name)) {
      return { line: origins[h]?.line ?? null, fromBase: origins[h]?.fromBase ?? false };
    }
  }
  const line = lastInstructionLine(chain, 'ENV', (text) => parseEnvInstruction(text).some((e) => e.name === name));
  return { line: line ?? null, fromBase: line === undefined };
}

function configEnvFindings(scan: Scan): void {
  const { facts } = scan;
  for (const [name, value] of scan.configEnv) {
    const verdict = judgeValue(name, value, facts.given);
    if (!verdict) continue;
    scan.masks.push(value);
    const at = envLine(facts, name);
    scan.reported.add(`ENV ${name}`);
    scan.drafts.push({
      id: 'secret-env',
      message: `ENV ${name} carries ${verdict.what} baked into the image config${at.fromBase ? ' (inherited from the base image)' : ''}`,
      line: at.line,
      layer: at.fromBase ? facts.baseTop : null,
      evidence: ['the value is readable by anyone who pulls the image (docker inspect)', ...fingerprintEvidence(verdict)],
      fingerprint: verdict.fingerprint,
      fix: at.fromBase
        ? BASE_SECRET_FIX
        : `remove ENV ${name} from the Dockerfile and set it at run time (Railway service variables); rotate the exposed value`,
    });
  }
}

/** An ENV or ARG history entry: a secret default, or an ENV value overridden later. */
function historyEnvFindings(scan: Scan, by: string, h: number): void {
  const origin = scan.facts.origins[h];
  const fromBase = origin?.fromBase ?? false;
  const keyword = by.startsWith('ARG') ? 'ARG' : 'ENV';
  for (const { name, value } of parseEnvInstruction(by)) {
    const verdict = judgeValue(name, value, scan.facts.given);
    if (!verdict) continue;
    maskParsed(scan, name, value);
    if (once(scan, `${keyword} ${name}`)) continue;
    scan.drafts.push({
      id: 'secret-env',
      message:
        keyword === 'ARG'
          ? `ARG ${name} has a default value that is ${verdict.what}, recorded in the image history`
          : `ENV ${name} once carried ${verdict.what}: it was overridden, but the image history still records it`,
      line: origin?.line ?? null,
      layer: fromBase ? scan.facts.baseTop : null,
      evidence: ['readable with docker history --no-trunc', ...fingerprintEvidence(verdict)],
      fingerprint: verdict.fingerprint,
      fix: fromBase
        ? BASE_SECRET_FIX
        : `give ARG/ENV ${name} no secret default; pass secrets with RUN --mount=type=secret (build-secrets) and rotate the exposed value`,
    });
  }
}

/** Build arguments a RUN recorded in the history (`|1 NAME=value /bin/sh -c ...`). */
function historyBuildArgFindings(scan: Scan, args: readonly { name: string; value: string }[], h: number): void {
  const { facts } = scan;
  const origin = facts.origins[h];
  for (const { name, value } of args) {
    const verdict = judgeValue(name, value, facts.given);
    if (!verdict) continue;
    maskParsed(scan, name, value);
    if (once(scan, `RUN ${name} ${origin?.line ?? h}`)) continue;
    scan.drafts.push({
      id: 'secret-build-arg',
      message: `Build argument ${name} leaked into the image history through the RUN that uses it (${verdict.what})`,
      line: origin?.line ?? null,
      layer: facts.historyLayers[h] ?? null,
      evidence: [
        `history entry ${h + 1} of ${facts.history.length} records ${name}=<value> (docker history --no-trunc shows it)`,
        ...fingerprintEvidence(verdict),
      ],
      fingerprint: verdict.fingerprint,
      fix: `pass it as a build secret (build-secrets, RUN --mount=type=secret,id=${name}) instead of a build argument, and rotate the exposed value`,
    });
  }
}

/** Secret values in the text of a command the history recorded. */
function historyCommandFindings(scan: Scan, command: string, h: number): void {
  const { facts } = scan;
  if (!command || !mayHoldSecret(command, facts.given)) return;
  const origin = facts.origins[h];
  const fromBase = origin?.fromBase ?? false;
  for (const m of findSecretValues(command, facts.given, 5)) {
    if (m.secret.length >= MIN_PARSED_SECRET) scan.masks.push(m.secret);
    if (once(scan, `CMD ${h} ${m.kind} ${m.fingerprint}`)) continue;
    const what = m.kind === 'given-secret' ? `the value of ${m.source ?? 'a given secret'}` : withArticle(VALUE_KIND_LABELS[m.kind]);
    scan.drafts.push({
      id: 'secret-in-history',
      message: `A command recorded in the image history holds ${what}${fromBase ? ' (in the base image)' : ''}`,
      line: origin?.line ?? null,
      layer: facts.historyLayers[h] ?? (fromBase ? facts.baseTop : null),
      evidence: [`history entry ${h + 1} of ${facts.history.length} (docker history --no-trunc shows it)`, `fingerprint ${m.fingerprint}`],
      fingerprint: m.fingerprint,
      fix: fromBase
        ? BASE_SECRET_FIX
        : 'never write a secret into a RUN line: mount it with RUN --mount=type=secret (build-secrets) and read it from /run/secrets; rotate the exposed value',
    });
  }
}

/** Build arguments the provenance attestation records (invocation.parameters.args). */
function provenanceFindings(scan: Scan): void {
  const { facts } = scan;
  for (const statement of facts.attestations) {
    for (const [key, value] of Object.entries(provenanceArgs(statement))) {
      const name = key.replace(/^build-arg:/, '');
      if (!key.startsWith('build-arg:')) continue;
      const verdict = judgeValue(name, value, facts.given);
      if (!verdict) continue;
      scan.masks.push(value);
      scan.drafts.push({
        id: 'secret-build-arg',
        message: `Build argument ${name} (${verdict.what}) is recorded in the image's provenance attestation`,
        line: lastInstructionLine(facts.chain, 'ARG', (text) => parseEnvInstruction(text).some((e) => e.name === name)) ?? null,
        evidence: ['stored next to the image as an in-toto provenance statement (invocation.parameters.args)', ...fingerprintEvidence(verdict)],
        fingerprint: verdict.fingerprint,
        fix: `pass it as a build secret (build-secrets, RUN --mount=type=secret,id=${name}) instead of a build argument, and rotate the exposed value`,
      });
    }
  }
}

function provenanceArgs(statement: unknown): Record<string, string> {
  const args = (statement as { predicate?: { invocation?: { parameters?: { args?: unknown } } } }).predicate?.invocation?.parameters?.args;
  if (!args || typeof args !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(args)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * Is this NAME=value a secret? By its value first (a known token format, a URL with a
 * password, a given secret), then by its name; flags and names public by design never are.
 */
function judgeValue(name: string, value: string, given: readonly GivenSecret[]): Verdict | undefined {
  const v = value.trim();
  if (v === '' || isFlagValue(v)) return undefined;
  if (mayHoldSecret(v, given)) {
    const matches = classifySecretValues(v, given, 1);
    const m = matches.find((x) => !x.lookalike);
    if (m && !(isPublicByDesignName(name) && m.kind !== 'given-secret')) {
      return {
        what: m.kind === 'given-secret' ? `the value of ${m.source ?? 'a given secret'}` : withArticle(VALUE_KIND_LABELS[m.kind]),
        fingerprint: m.fingerprint,
      };
    }
    // postgres://postgres:postgres@db/app, a made-up token: the name cannot make it a secret.
    if (matches.length > 0) return undefined;
  }
  if (isPublicByDesignName(name)) return undefined;
  const reason = secretValueReason(name, v);
  if (!reason) return undefined;
  return { what: reason === 'url-password' ? 'a URL with a password' : 'a secret-looking value', fingerprint: fingerprint(v, '') };
}
