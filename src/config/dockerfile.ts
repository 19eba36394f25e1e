import { DockerfileParser } from 'dockerfile-ast';

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

export function readDockerfileFacts(content: string, target?: string): DockerfileFacts {
  const dockerfile = DockerfileParser.parse(content);
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
    const text = instruction.getTextContent().replace(/\\\r?\n\s*/g, ' ').replace(/\s+/g, ' ').trim();
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
