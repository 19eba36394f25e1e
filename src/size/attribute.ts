import type { DockerfileFacts, DockerfileInstruction, DockerfileStage } from '../config/dockerfile.ts';
import type { SizeLayer } from '../model/report.ts';

/** One entry of an image's history (oldest first), with the layer it made, if any. */
export interface HistoryLayerEntry {
  readonly createdBy: string;
  readonly comment: string;
  /** False for entries that changed only metadata (ENV, CMD, ...). */
  readonly layer: boolean;
  readonly bytes: number;
  readonly compressedBytes: number | null;
  readonly diffId: string | null;
  readonly digest: string | null;
}

const BUILDKIT_COMMENT = 'buildkit.dockerfile.v0';

/**
 * The Dockerfile keyword of a history entry: BuildKit writes "RUN |2 A=1 B=2 /bin/sh -c ...",
 * "COPY src dst # buildkit", "ENV A=1"; the classic builder writes "/bin/sh -c #(nop)  ENV A=1"
 * for metadata and "/bin/sh -c cmd" for RUN.
 */
export function historyKeyword(createdBy: string): string | null {
  let text = createdBy.trim();
  if (text === '') return null;
  const legacy = /^\/bin\/sh -c #\(nop\)\s*(.*)$/s.exec(text);
  if (legacy) text = legacy[1] ?? '';
  else if (/^\/bin\/sh -c /.test(text)) return 'RUN';
  const word = /^([A-Za-z]+)\b/.exec(text)?.[1];
  return word ? word.toUpperCase() : null;
}

/**
 * The instruction text with what varies between identical builds taken out: BuildKit's
 * "# buildkit" suffix and the "|N K=V" build-argument prefix of RUN (its values may be a
 * commit SHA), so the same Dockerfile line matches across runs.
 */
export function normalizeCreatedBy(createdBy: string): string {
  return createdBy
    .replace(/\s+# buildkit$/, '')
    .replace(/^RUN \|\d+(?: [^\s=]+=\S*)* /, 'RUN ')
    .replace(/^\/bin\/sh -c #\(nop\)\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

interface ChainInstruction {
  readonly instruction: DockerfileInstruction;
  readonly stage: DockerfileStage;
}

/** The stages an image is built through: the target, the stage it is FROM, and so on up to an external image. */
export function stageChain(facts: DockerfileFacts, stage: DockerfileStage | undefined = facts.finalStage): DockerfileStage[] {
  const chain: DockerfileStage[] = [];
  for (let s = stage; s;) {
    chain.unshift(s);
    const current = s;
    s = facts.stages.find((p) => p.index < current.index && p.name !== undefined && p.name.toLowerCase() === current.from.toLowerCase());
  }
  return chain;
}

export interface Attribution {
  readonly layers: SizeLayer[];
  /** The external image the chain starts FROM, as written (variables substituted when known). */
  readonly baseRef: string | null;
  readonly baseLine: number | null;
  /** How many of the Dockerfile's instructions found their history entry. */
  readonly matched: number;
  readonly expected: number;
}

/**
 * Which Dockerfile line made each layer. BuildKit writes one history entry per instruction of
 * the stages the image is built through (FROM excepted), in order, after the base image's own
 * entries; so the image's last entries are the Dockerfile's, matched backwards by keyword.
 * Everything before them came with the base image.
 */
export function attributeLayers(
  entries: readonly HistoryLayerEntry[],
  facts: DockerfileFacts,
  variables: ReadonlyMap<string, string> = new Map(),
): Attribution {
  const chain = stageChain(facts);
  const root = chain[0];
  const instructions: ChainInstruction[] = chain.flatMap((stage) =>
    stage.instructions.filter((i) => i.keyword !== 'FROM').map((instruction) => ({ instruction, stage })),
  );
  const fromScratch = root !== undefined && root.from.trim().toLowerCase() === 'scratch';
  const baseRef = root === undefined || fromScratch ? null : substitute(root.from, variables);

  const matches = new Map<number, ChainInstruction>();
  let i = entries.length - 1;
  let j = instructions.length - 1;
  let ownFrom = entries.length;
  while (i >= 0 && j >= 0) {
    const entry = entries[i];
    const wanted = instructions[j];
    if (!entry || !wanted) break;
    const keyword = historyKeyword(entry.createdBy);
    if (keyword === wanted.instruction.keyword) {
      matches.set(i, wanted);
      ownFrom = i;
      i--;
      j--;
      continue;
    }
    if (entry.comment !== BUILDKIT_COMMENT && !fromScratch) break;
    // A mismatch inside the Dockerfile's own entries: an instruction that wrote no history
    // (skip it) or an entry with no instruction of its own, such as an ONBUILD trigger (keep it as ours).
    if (instructions.slice(0, j).some((c) => c.instruction.keyword === keyword)) {
      j--;
    } else {
      ownFrom = i;
      i--;
    }
  }
  if (fromScratch) ownFrom = 0;

  const layers: SizeLayer[] = [];
  entries.forEach((entry, index) => {
    if (!entry.layer) return;
    const match = matches.get(index);
    const base = index < ownFrom;
    const keyword = historyKeyword(entry.createdBy);
    layers.push({
      instruction: match ? match.instruction.text : base && root ? `FROM ${baseRef ?? root.from}` : entry.createdBy || '(unknown instruction)',
      line: match ? match.instruction.line : base && root ? root.line : null,
      bytes: entry.bytes,
      compressedBytes: entry.compressedBytes,
      base,
      createdBy: entry.createdBy,
      keyword: match ? match.instruction.keyword : keyword,
      stage: match ? (match.stage.name ?? String(match.stage.index)) : null,
      diffId: entry.diffId,
      digest: entry.digest,
    });
  });
  return { layers, baseRef, baseLine: root?.line ?? null, matched: matches.size, expected: instructions.length };
}

/** ${VAR}, ${VAR:-default} and $VAR from build arguments and the global ARG defaults. */
export function substitute(text: string, variables: ReadonlyMap<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const value = variables.get(name);
      if (value !== undefined && value !== '') return value;
      return fallback ?? whole;
    },
  );
}
