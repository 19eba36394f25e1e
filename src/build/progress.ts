/**
 * Reads BuildKit's `--progress=rawjson` stream: a sequence of pretty-printed JSON SolveStatus
 * objects (not one per line), with
 * vertexes (steps) that gain `started`, `completed`, `cached` and `error` over time, and
 * base64 log chunks attached to a vertex.
 */
export interface Vertex {
  digest: string;
  name: string;
  started: string | undefined;
  completed: string | undefined;
  cached: boolean;
  error: string | undefined;
  logs: string[];
  /**
   * The Dockerfile instruction a vertex belongs to when BuildKit splits one instruction into
   * several vertices (`COPY --link` adds a `LINK` vertex); buildx shows the group as one line.
   */
  group: string | undefined;
}

interface RawVertex {
  digest?: string;
  name?: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
  progressGroup?: { id?: string; name?: string; weak?: boolean };
}
interface RawLog {
  vertex?: string;
  /** 1 stdout, 2 stderr. */
  stream?: number;
  data?: string;
}
interface RawStatus {
  vertexes?: RawVertex[];
  logs?: RawLog[];
}

export class BuildProgress {
  private readonly vertexes = new Map<string, Vertex>();
  /** Unfinished last line per vertex and stream: a step's stdout and stderr interleave mid-line. */
  private readonly partial = new Map<string, { vertex: string; text: string }>();
  /** Lines that were not rawjson (buildx's own errors go to stderr as text). */
  readonly otherLines: string[] = [];

  private readonly onStepDone: (v: Vertex) => void;

  constructor(onStepDone: (v: Vertex) => void = () => {}) {
    this.onStepDone = onStepDone;
  }

  private readonly splitter = new JsonObjectSplitter(
    (json) => this.pushStatus(json),
    (line) => {
      this.otherLines.push(line);
      if (this.otherLines.length > 200) this.otherLines.shift();
    },
  );

  /** Feeds a chunk of buildx's stderr, as it arrives. */
  write(chunk: string): void {
    this.splitter.write(chunk);
  }

  /** Flushes a trailing partial line (call once the process has exited). */
  end(): void {
    this.splitter.end();
  }

  private readonly announced = new Set<string>();

  /** A step is announced once, when every vertex of its instruction has completed (a COPY --link ends with its LINK). */
  private announce(v: Vertex): void {
    const key = stepKey(v.name);
    if (key === undefined) {
      this.onStepDone(v);
      return;
    }
    if (this.announced.has(key)) return;
    const parts = [...this.vertexes.values()].filter((x) => stepKey(x.name) === key);
    if (parts.some((x) => x.completed === undefined)) return;
    this.announced.add(key);
    this.onStepDone(mergeStep(parts));
  }

  private pushStatus(json: string): void {
    let status: RawStatus;
    try {
      status = JSON.parse(json) as RawStatus;
    } catch {
      this.otherLines.push(json.slice(0, 500));
      return;
    }
    for (const raw of status.vertexes ?? []) {
      if (!raw.digest) continue;
      const v = this.vertexes.get(raw.digest) ?? {
        digest: raw.digest,
        name: raw.name ?? '',
        started: undefined,
        completed: undefined,
        cached: false,
        error: undefined,
        logs: [],
        group: undefined,
      };
      const wasDone = v.completed !== undefined;
      if (raw.name) v.name = raw.name;
      if (raw.started) v.started = raw.started;
      if (raw.completed) v.completed = raw.completed;
      if (raw.cached) v.cached = true;
      if (raw.error) v.error = raw.error;
      if (raw.progressGroup?.name) v.group = raw.progressGroup.name;
      this.vertexes.set(raw.digest, v);
      if (!wasDone && v.completed !== undefined) this.announce(v);
    }
    for (const log of status.logs ?? []) {
      if (!log.vertex || !log.data) continue;
      const v = this.vertexes.get(log.vertex);
      if (!v) continue;
      const key = `${log.vertex}\n${log.stream ?? 1}`;
      const chunk = (this.partial.get(key)?.text ?? '') + Buffer.from(log.data, 'base64').toString('utf8');
      const lines = chunk.split(/\r?\n/);
      this.partial.set(key, { vertex: log.vertex, text: lines.pop() ?? '' });
      v.logs.push(...lines);
      if (v.logs.length > 500) v.logs.splice(0, v.logs.length - 500);
    }
  }

  /** The Dockerfile steps and internal ones, in the order BuildKit reported them. */
  all(): Vertex[] {
    for (const { vertex, text } of this.partial.values()) {
      if (text !== '') this.vertexes.get(vertex)?.logs.push(text);
    }
    this.partial.clear();
    return [...this.vertexes.values()];
  }

  /**
   * Steps that count for "N of M cached": the Dockerfile's own instructions (BuildKit names them
   * "[stage n/m] RUN ..."), not context transfers or metadata loads, one per instruction as
   * buildx displays them, in the order BuildKit reported them (see `inDockerfileOrder`).
   */
  steps(): Vertex[] {
    // An instruction can come as more than one vertex: `COPY --link` adds a LINK vertex, and
    // another build of the same Dockerfile may share the solve. Its "[stage n/m]" prefix is
    // what identifies it, so it counts once, under the instruction's own name.
    const byStep = new Map<string, Vertex[]>();
    for (const v of this.all()) {
      const key = stepKey(v.name);
      if (key !== undefined) byStep.set(key, [...(byStep.get(key) ?? []), v]);
    }
    return [...byStep.values()].map(mergeStep);
  }

  failed(): Vertex | undefined {
    const failed = this.all().find((v) => v.error !== undefined && !isCancelled(v));
    return failed && { ...failed, name: instructionName(failed) };
  }
}

/** BuildKit stopped the vertex: another step failed, or its result was not needed. */
export function isCancelled(v: Vertex): boolean {
  return v.error !== undefined && /context canceled/.test(v.error);
}

/** "[stage n/m]" (with the platform when there is one) of a Dockerfile step's vertex; undefined for internal vertices. */
export function stepKey(name: string): string | undefined {
  return /^\[[^\]]*\d+\/\d+\]/.exec(name)?.[0];
}

/** The instruction's name: the group's for a vertex BuildKit added to an instruction (LINK). */
function instructionName(v: Vertex): string {
  return v.group !== undefined && stepKey(v.group) === stepKey(v.name) ? v.group : v.name;
}

/**
 * The vertices of one instruction as one step, under the instruction's name. A vertex BuildKit
 * cancelled (a duplicate of the step in a shared solve) did no work: it neither makes a cached
 * step uncached nor gives the step its error, unless it is all there is.
 */
function mergeStep(parts: readonly Vertex[]): Vertex {
  const live = parts.filter((v) => !isCancelled(v));
  const [first, ...rest] = live.length > 0 ? live : parts;
  if (!first) throw new Error('a step has at least one vertex');
  return rest.reduce(mergeVertices, { ...first, name: instructionName(first) });
}

/**
 * Steps in the Dockerfile's order: by stage (as `stageNames` lists them, first to last), then
 * by the step's number in its stage. BuildKit reports them as they start and finish, which
 * with parallel stages is not the order a person reads the Dockerfile in.
 */
export function inDockerfileOrder<T extends { name: string }>(steps: readonly T[], stageNames: readonly (string | undefined)[]): T[] {
  const position = (name: string): [number, number] => {
    const m = /^\[(?:\S+\/\S+ )?(?:(\S+) )?(\d+)\/\d+\]/.exec(name);
    if (!m) return [Number.MAX_SAFE_INTEGER, 0];
    const stage = m[1];
    let index = stage === undefined ? stageNames.length - 1 : stageNames.findIndex((s) => s !== undefined && s.toLowerCase() === stage.toLowerCase());
    // Unnamed stages of a multi-stage Dockerfile are "stage-N" (N counts from 0).
    if (index < 0 && stage !== undefined && /^stage-\d+$/.test(stage)) index = Number(stage.slice(6));
    return [index < 0 ? stageNames.length : index, Number(m[2])];
  };
  return steps
    .map((step, i) => ({ step, i, at: position(step.name) }))
    .sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1] || a.i - b.i)
    .map((x) => x.step);
}

/** One step reported twice: cached only if every run of it that finished was, failed if either failed. */
function mergeVertices(a: Vertex, b: Vertex): Vertex {
  const finished = [a, b].filter((v) => v.completed !== undefined);
  const earliest = (x: string | undefined, y: string | undefined): string | undefined =>
    x === undefined ? y : y === undefined ? x : Date.parse(x) <= Date.parse(y) ? x : y;
  const latest = (x: string | undefined, y: string | undefined): string | undefined =>
    x === undefined ? y : y === undefined ? x : Date.parse(x) >= Date.parse(y) ? x : y;
  return {
    ...a,
    started: earliest(a.started, b.started),
    completed: latest(a.completed, b.completed),
    cached: finished.length > 0 ? finished.every((v) => v.cached) : a.cached && b.cached,
    error: a.error ?? b.error,
    logs: a.logs.length >= b.logs.length ? a.logs : b.logs,
  };
}

export function vertexDurationMs(v: Vertex): number | null {
  if (!v.started || !v.completed) return null;
  return Math.max(0, Date.parse(v.completed) - Date.parse(v.started));
}

/**
 * Splits a text stream into top-level JSON objects, whatever their line breaks, and hands
 * over any text between them (buildx prints its final error as plain text) line by line.
 */
export class JsonObjectSplitter {
  private buffer = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private readonly onObject: (json: string) => void;
  private readonly onText: (line: string) => void;

  constructor(onObject: (json: string) => void, onText: (line: string) => void) {
    this.onObject = onObject;
    this.onText = onText;
  }

  write(chunk: string): void {
    for (const ch of chunk) {
      if (this.depth === 0) {
        if (ch === '{' && this.buffer.trim() === '') {
          this.buffer = '{';
          this.depth = 1;
        } else if (ch === '\n') {
          this.flushText();
        } else {
          this.buffer += ch;
        }
        continue;
      }
      this.buffer += ch;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
      } else if (ch === '"') this.inString = true;
      else if (ch === '{') this.depth++;
      else if (ch === '}' && --this.depth === 0) {
        this.onObject(this.buffer);
        this.buffer = '';
      }
    }
  }

  end(): void {
    if (this.depth === 0) this.flushText();
    else this.onText(this.buffer.trim().slice(0, 500));
    this.buffer = '';
    this.depth = 0;
  }

  private flushText(): void {
    const line = this.buffer.trim();
    this.buffer = '';
    if (line !== '') this.onText(line);
  }
}
