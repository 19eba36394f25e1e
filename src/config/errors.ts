/** A configuration problem the user must fix: the local command exits 2, the action fails before any work. */
export class ConfigError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(`Input "${input}": ${message}`);
    this.name = 'ConfigError';
    this.input = input;
  }
}
