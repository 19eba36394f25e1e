import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';

/** A Dockerfile's text, or its syntax tree when it was parsed already (parsing is most of the cost). */
export type DockerfileSource = string | Dockerfile;

export function parseDockerfile(content: string): Dockerfile {
  return DockerfileParser.parse(content);
}

function parsed(source: DockerfileSource): Dockerfile {
  return typeof source === 'string' ? parseDockerfile(source) : source;
}

/** What deploy-check needs to know about a Dockerfile before building it. */
export interface DockerfileFacts {
  readonly stages: readonly DockerfileStage[];
  /** The stage that is built: the `target` one, else the last. */
  readonly finalStage: DockerfileStage | undefined;
  /** ARGs declared before the first FROM, with their defaults: they may name the base image. */
  readonly globalArgs: readonly { readonly name: string; readonly value: string | undefined }[];
}

export interface DockerfileStage {
  readonly name: string | undefined;
  readonly index: number;
  readonly from: string;
  /** 1-based line of the FROM instruction. */
  readonly line: number;
  readonly exposedPorts: readonly number[];
  readonly healthcheck: 'none' | 'defined' | 'disabled';
  readonly user: string | undefined;
  readonly instructions: readonly DockerfileInstruction[];
}

export interface DockerfileInstruction {
  readonly keyword: string;
  /** 1-based first line. */
  readonly line: number;
  readonly text: string;
}

export function readDockerfileFacts(content: DockerfileSource, target?: string): DockerfileFacts {
  const dockerfile = parsed(content);
  const stages: DockerfileStage[] = [];
  const globalArgs: { name: string; value: string | undefined }[] = [];
  let current: { name: string | undefined; from: string; line: number; instructions: DockerfileInstruction[] } | undefined;
  const close = (): void => {
    if (!current) return;
    const ins = current.instructions;
    const exposed = ins
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.text.replace(/^EXPOSE\s+/i, '').split(/\s+/))
      .map((p) => /^(\d+)(?:\/tcp)?$/i.exec(p)?.[1])
      .filter((p): p is string => p !== undefined)
      .map(Number);
    const hc = ins.filter((i) => i.keyword === 'HEALTHCHECK').at(-1);
    const user = ins.filter((i) => i.keyword === 'USER').at(-1);
    stages.push({
      name: current.name,
      index: stages.length,
      from: current.from,
      line: current.line,
      exposedPorts: [...new Set(exposed)],
      healthcheck: hc === undefined ? 'none' : /^HEALTHCHECK\s+NONE\b/i.test(hc.text) ? 'disabled' : 'defined',
      user: user?.text.replace(/^USER\s+/i, '').trim(),
      instructions: ins,
    });
  };
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    const line = instruction.getRange().start.line + 1;
    const text = instruction
      .getTextContent()
      .replace(/\\\r?\n\s*/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (keyword === 'FROM') {
      close();
      const from = dockerfile.getFROMs().find((f) => f.getRange().start.line + 1 === line);
      current = { name: from?.getBuildStage() ?? undefined, from: from?.getImage() ?? '', line, instructions: [] };
    }
    if (!current && keyword === 'ARG') {
      const arg = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/i.exec(text);
      if (arg?.[1]) globalArgs.push({ name: arg[1], value: arg[2]?.replace(/^(["'])(.*)\1$/, '$2') });
    }
    current?.instructions.push({ keyword, line, text });
  }
  close();
  const finalStage = target === undefined ? stages.at(-1) : stages.find((s) => s.name?.toLowerCase() === target.toLowerCase());
  return { stages, finalStage, globalArgs };
}

/** A Dockerfile line BuildKit's parser refuses, found before any build starts. */
export interface DockerfileSyntaxProblem {
  /** 1-based. */
  readonly line: number;
  readonly message: string;
}

const INSTRUCTIONS = [
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
];
/** Instructions BuildKit refuses without an argument (RUN, CMD and ENTRYPOINT take none). */
const NEED_ARGUMENT = new Set(['ARG', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/**
 * The first line BuildKit's Dockerfile parser would refuse, with the same reason: an unknown
 * instruction, an instruction without its arguments, a FROM or COPY of the wrong shape. Only
 * what the parser itself refuses, so that no Dockerfile that builds is turned away; a
 * `# syntax=` frontend other than docker/dockerfile has its own grammar and is left to build.
 */
export function dockerfileSyntaxProblem(content: DockerfileSource): DockerfileSyntaxProblem | undefined {
  const dockerfile = parsed(content);
  const syntax = dockerfile
    .getDirectives()
    .find((d) => d.getName().toLowerCase() === 'syntax')
    ?.getValue();
  if (syntax !== undefined && !/^(?:docker\.io\/)?docker\/dockerfile(?:-upstream)?(?:[:@]|$)/.test(syntax)) return undefined;
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    const line = instruction.getRange().start.line + 1;
    const problem = instructionProblem(
      keyword,
      instruction.getArguments().map((a) => a.getValue()),
    );
    if (problem !== undefined) return { line, message: problem };
  }
  return undefined;
}

function instructionProblem(keyword: string, args: readonly string[]): string | undefined {
  if (!INSTRUCTIONS.includes(keyword)) {
    const near = INSTRUCTIONS.find((known) => editDistance(known, keyword) <= 1);
    return `unknown instruction ${keyword}${near ? ` (did you mean ${near}?)` : ''}`;
  }
  if (NEED_ARGUMENT.has(keyword) && args.length === 0) return `${keyword} requires at least one argument`;
  if (keyword === 'FROM' && !(args.length === 1 || (args.length === 3 && args[1]?.toUpperCase() === 'AS'))) {
    return `FROM requires an image and optionally "AS name" (FROM image [AS name]); it has ${args.length === 0 ? 'none' : `"${args.join(' ')}"`}`;
  }
  if ((keyword === 'COPY' || keyword === 'ADD') && copyOperands(args) < 2) {
    return `${keyword} requires at least two arguments, a source and a destination`;
  }
  return undefined;
}

/** The sources and destination of a COPY or ADD: the JSON form's items, else its words. */
function copyOperands(args: readonly string[]): number {
  if (args[0]?.startsWith('[')) {
    try {
      const items: unknown = JSON.parse(args.join(' '));
      if (Array.isArray(items)) return items.length;
    } catch {
      // Not JSON: BuildKit then reads the words, as here.
    }
  }
  return args.length;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/**
 * Ports and health checks are inherited from earlier stages a stage is built FROM
 * (`FROM base AS runtime`), so look through the chain.
 */
/** The earlier stage a stage is built FROM (`FROM base AS runtime`), when it names one. */
function parentStage(facts: DockerfileFacts, stage: DockerfileStage): DockerfileStage | undefined {
  const from = stage.from.toLowerCase();
  return facts.stages.find((p) => p.name?.toLowerCase() === from && p.index < stage.index);
}

export function effectiveExposedPorts(facts: DockerfileFacts, stage = facts.finalStage): number[] {
  const seen = new Set<number>();
  for (let s = stage; s; s = parentStage(facts, s)) {
    for (const p of s.exposedPorts) seen.add(p);
  }
  return [...seen];
}

export function effectiveHealthcheck(facts: DockerfileFacts, stage = facts.finalStage): DockerfileStage['healthcheck'] {
  for (let s = stage; s; s = parentStage(facts, s)) {
    if (s.healthcheck !== 'none') return s.healthcheck;
  }
  return 'none';
}
