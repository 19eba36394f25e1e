/**
 * A step's output read the way GitHub's runner reads it for workflow commands (actions/runner,
 * ActionCommandManager and ActionCommand): lines end at CR, LF or CRLF (.NET's ReadLine);
 * `::name props::data` after any leading white space is a command, and so is the legacy
 * `##[name props]data` anywhere in a line; between `::stop-commands::TOKEN` and `::TOKEN::` none
 * is. A name counts when the runner registers it (case does not matter); a `::` line with another
 * name falls through to the legacy form, as in the runner.
 */
export interface WorkflowCommand {
  readonly name: string;
  readonly properties: string;
  /** The data with @actions/core's escapes (%25, %0D, %0A) decoded. */
  readonly data: string;
  /** The line as the runner saw it. */
  readonly line: string;
}

/** The runner's command extensions (ActionCommandManager), and its stop command. */
const REGISTERED = [
  'stop-commands',
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo',
];

export function workflowCommands(output: string): WorkflowCommand[] {
  const found: WorkflowCommand[] = [];
  let stopToken: string | null = null;
  for (const line of output.split(/\r\n|\r|\n/)) {
    const known = new Set([...REGISTERED, ...(stopToken === null ? [] : [stopToken.toLowerCase()])]);
    const command = parseCommand(line, known);
    if (!command) continue;
    if (stopToken !== null) {
      // Only the token resumes; the runner prints every other line as it is.
      if (command.name.toLowerCase() === stopToken.toLowerCase()) stopToken = null;
      continue;
    }
    if (command.name.toLowerCase() === 'stop-commands') stopToken = command.data;
    found.push(command);
  }
  return found;
}

function parseCommand(raw: string, known: ReadonlySet<string>): WorkflowCommand | null {
  const line = raw.trimStart();
  if (line.startsWith('::')) {
    const end = line.indexOf('::', 2);
    const command = end < 0 ? null : split(line.slice(2, end), line.slice(end + 2), raw);
    if (command && known.has(command.name.toLowerCase())) return command;
  }
  // The legacy form is looked for anywhere in the line.
  const start = raw.indexOf('##[');
  if (start < 0) return null;
  const end = raw.indexOf(']', start);
  if (end < 0) return null;
  const command = split(raw.slice(start + 3, end), raw.slice(end + 1), raw);
  return known.has(command.name.toLowerCase()) ? command : null;
}

function split(info: string, data: string, line: string): WorkflowCommand {
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  const decoded = data.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
  return { name, properties: space < 0 ? '' : info.slice(space + 1), data: decoded, line };
}
