/**
 * A step's output read the way GitHub's runner reads it for workflow commands (actions/runner,
 * ActionCommandManager): lines end at CR, LF or CRLF (.NET's ReadLine), leading white space is
 * trimmed, `::name props::data` and the older `##[name props]data` are commands, and between
 * `::stop-commands::TOKEN` and `::TOKEN::` nothing is. The runner only acts on the names it knows;
 * this reader counts every name, so it finds at least what the runner would act on.
 */
export interface WorkflowCommand {
  readonly name: string;
  readonly properties: string;
  /** The data with @actions/core's escapes (%25, %0D, %0A) decoded. */
  readonly data: string;
  /** The line as the runner saw it. */
  readonly line: string;
}

export function workflowCommands(output: string): WorkflowCommand[] {
  const found: WorkflowCommand[] = [];
  let stopToken: string | null = null;
  for (const line of output.split(/\r\n|\r|\n/)) {
    const command = parseCommand(line);
    if (!command) continue;
    if (stopToken !== null) {
      // Only the token resumes; the runner prints every other line as it is.
      if (command.name.toLowerCase() === stopToken.toLowerCase()) stopToken = null;
      continue;
    }
    if (command.name === 'stop-commands') stopToken = command.data;
    found.push(command);
  }
  return found;
}

function parseCommand(raw: string): WorkflowCommand | null {
  const line = raw.trimStart();
  if (line.startsWith('::')) {
    const end = line.indexOf('::', 2);
    if (end < 0) return null;
    return split(line.slice(2, end), line.slice(end + 2), raw);
  }
  if (line.startsWith('##[')) {
    const end = line.indexOf(']');
    if (end < 0) return null;
    return split(line.slice(3, end), line.slice(end + 1), raw);
  }
  return null;
}

function split(info: string, data: string, line: string): WorkflowCommand | null {
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (name === '') return null;
  const decoded = data.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
  return { name, properties: space < 0 ? '' : info.slice(space + 1), data: decoded, line };
}
