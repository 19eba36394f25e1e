import path from 'node:path';

/** Programs that expand the variables of the script they are given with -c. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);

/** $NAME and ${NAME...}: what a shell would expand. */
const VARIABLE = /\$\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g;
const HAS_VARIABLE = new RegExp(VARIABLE.source);

/**
 * The variable references ($PORT, ${PORT}) in a command run in exec form: no shell reads them,
 * so the program gets them as written. None when the command is a shell given a script
 * (`/bin/sh -c "…"`, also after `env`), which expands its own.
 */
export function unexpandedVariables(argv: readonly string[]): string[] {
  let first = 0;
  if (path.posix.basename(argv[0] ?? '') === 'env') {
    first = 1;
    while (first < argv.length && /^(-|[A-Za-z_][A-Za-z0-9_]*=)/.test(argv[first] ?? '')) first++;
  }
  const program = path.posix.basename(argv[first] ?? '');
  if (SHELLS.has(program) && argv.slice(first + 1).some((word) => /^-[a-z]*c[a-z]*$/.test(word))) return [];
  const found = new Set<string>();
  for (const word of argv) for (const m of word.matchAll(VARIABLE)) found.add(m[0]);
  return [...found];
}

/**
 * Why a command's $VARIABLES do nothing and the fix, one clause (lower case), or undefined when it
 * has none. Railway documents the fix: wrap the command in `/bin/sh -c "…"`.
 */
export function shellWrapHint(argv: readonly string[], what: string): string | undefined {
  const variables = unexpandedVariables(argv);
  if (variables.length === 0) return undefined;
  const names = variables.join(', ');
  return (
    `the ${what} runs without a shell (exec form, as on Railway), so ${names} ${variables.length === 1 ? 'reaches' : 'reach'} it as written, not expanded: ` +
    `wrap it in a shell, /bin/sh -c "exec ${shellScript(argv) ?? '…'}"`
  );
}

/** argv as a script inside "…", or undefined when a word would need quoting that changes its variables. */
function shellScript(argv: readonly string[]): string | undefined {
  const words: string[] = [];
  for (const word of argv) {
    if (/^[A-Za-z0-9_@%+=:,./${}-]+$/.test(word)) words.push(word);
    else if (!HAS_VARIABLE.test(word)) words.push(`'${word.replace(/'/g, `'\\''`)}'`);
    else return undefined;
  }
  return words.join(' ').replace(/["\\`]/g, '\\$&');
}
