/** Where stages say what they are doing: GitHub's log commands in the action, stderr locally. */
export interface Annotation {
  readonly file: string;
  readonly line?: number;
  /** Last line, for an instruction that spans several. */
  readonly endLine?: number;
  readonly title?: string;
}

export interface Log {
  info(message: string): void;
  warning(message: string, where?: Annotation): void;
  error(message: string, where?: Annotation): void;
  debug(message: string): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * Replaces every secret value in text by ***, whatever its length: a short secret also hides the
 * same characters where they mean something else, which is the safe side. Longer secrets go
 * first, so that a short one inside a long one cannot leave the rest of the long one readable.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret !== '') out = out.split(secret).join('***');
  }
  return out;
}

/** Deep-redacts every string in a JSON-shaped value. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'string' ? redact(v, secrets) : v)) as T;
}
