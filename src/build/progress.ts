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
}

interface RawVertex {
  digest?: string;
  name?: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
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
        digest: raw.digest, name: raw.name ?? '', started: undefined, completed: undefined, cached: false, error: undefined, logs: [],
      };
      const wasDone = v.completed !== undefined;
      if (raw.name) v.name = raw.name;
      if (raw.started) v.started = raw.started;
      if (raw.completed) v.completed = raw.completed;
      if (raw.cached) v.cached = true;
      if (raw.error) v.error = raw.error;
      this.vertexes.set(raw.digest, v);
      if (!wasDone && v.completed !== undefined) this.onStepDone(v);
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
   * Steps that count for "N of M cached": the Dockerfile's own instructions
   * (BuildKit names them "[stage n/m] RUN ..."), not context transfers or metadata loads.
   */
  steps(): Vertex[] {
    // A step can come as more than one vertex (seen when another build of the same Dockerfile
    // shares the solve); its name, "[stage n/m] ...", is what identifies it, so count it once.
    const byName = new Map<string, Vertex>();
    for (const v of this.all().filter((x) => /^\[[^\]]*\d+\/\d+\]/.test(x.name))) {
      const seen = byName.get(v.name);
      byName.set(v.name, seen ? mergeVertices(seen, v) : v);
    }
    return [...byName.values()];
  }

  failed(): Vertex | undefined {
    return this.all().find((v) => v.error !== undefined && !/context canceled/.test(v.error));
  }
}

/** One step reported twice: cached only if every run of it that finished was, failed if either failed. */
function mergeVertices(a: Vertex, b: Vertex): Vertex {
  const finished = [a, b].filter((v) => v.completed !== undefined);
  const earliest = (x: string | undefined, y: string | undefined): string | undefined => (x === undefined ? y : y === undefined ? x : Date.parse(x) <= Date.parse(y) ? x : y);
  const latest = (x: string | undefined, y: string | undefined): string | undefined => (x === undefined ? y : y === undefined ? x : Date.parse(x) >= Date.parse(y) ? x : y);
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
