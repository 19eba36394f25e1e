import path from 'node:path';
import type { Config } from '../config/config.ts';
import { CONFIG_AS_CODE_CUTOFF, settingsOf, type RailwayFileConfig } from '../config/railway-file.ts';
import { planAgainstBase } from '../config/iac/base.ts';
import type { Log } from '../host/log.ts';
import { planLines } from '../model/format.ts';
import type { RailwayConfigReport, RailwayPlanReport, RailwaySettingReport } from '../model/report.ts';

/** The report's railway section: which file, which fields, what the app got, what was not mirrored. */
export function railwayConfigReport(config: Config): RailwayConfigReport | null {
  const file = config.railwayFile;
  const stale = config.staleRailwayFile;
  if (!file && !stale && config.railwayNotes.length === 0) return null;
  const iac = config.railwayIac;
  return {
    file: file ? shown(file.file) : '',
    kind: file?.label ?? 'none',
    environment: iac?.environment ?? null,
    service: iac?.service.name ?? null,
    serviceChoice: iac?.serviceChoice ?? null,
    evaluationMs: iac?.evaluationMs ?? null,
    settings: file ? settingsFrom(file) : [],
    notMirrored: iac ? iac.notMirrored.map((n) => ({ ...n })) : [],
    variables: iac ? iac.variables.sources.map((v) => ({ ...v })) : [],
    unavailable: iac ? iac.variables.unavailable.map((v) => ({ name: v.name, reason: v.source })) : [],
    databases: iac ? iac.databases.map((d) => ({ name: d.name, engine: d.engine, image: d.image, host: d.host })) : [],
    staleFile: stale ? { file: shown(stale.file.file), reason: staleReason(stale.why), settings: settingsOf(stale.file) } : null,
    notes: [...config.railwayNotes],
    plan: null,
  };
}

function settingsFrom(file: RailwayFileConfig): RailwaySettingReport[] {
  const from = (field: string): string => `${shown(file.file)} ${file.fieldPrefix}${field}`;
  const out: RailwaySettingReport[] = [];
  const add = (setting: string, field: string, value: string | undefined): void => {
    if (value !== undefined) out.push({ setting, value, from: from(field) });
  };
  add('dockerfilePath', 'build.dockerfilePath', file.dockerfilePath);
  add('startCommand', 'deploy.startCommand', file.startCommand);
  add('preDeployCommand', 'deploy.preDeployCommand', file.preDeployCommand?.join(' && '));
  add('healthcheckPath', 'deploy.healthcheckPath', file.healthcheckPath);
  add('healthcheckTimeout', 'deploy.healthcheckTimeout', file.healthcheckTimeoutMs === undefined ? undefined : `${file.healthcheckTimeoutMs / 1000}`);
  add('cronSchedule', 'deploy.cronSchedule', file.cronSchedule);
  return out;
}

function staleReason(why: 'cutoff' | 'railway.ts'): string {
  return why === 'cutoff'
    ? `Railway stopped reading railway.json / railway.toml on ${CONFIG_AS_CODE_CUTOFF}`
    : '.railway/railway.ts configures the service, and Railway does not manage a service by both';
}

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

/** Once, before the checks: what Railway's configuration gave the run, and what it did not. */
export function announceRailwayConfig(config: Config, log: Log): void {
  const section = railwayConfigReport(config);
  if (!section) return;
  const stale = config.staleRailwayFile;
  if (stale && section.staleFile) {
    const settings = section.staleFile.settings.length
      ? `its ${section.staleFile.settings.join(', ')} ${section.staleFile.settings.length === 1 ? 'is' : 'are'} not applied by Railway and not mirrored here`
      : 'nothing in it is applied';
    const fix =
      stale.why === 'cutoff'
        ? '; `railway config migrate` writes the replacement, .railway/railway.ts (if your Railway still reads the file, set railway-config-file: true)'
        : '; delete it once `railway config migrate --apply` has moved its settings';
    log.warning(`${section.staleFile.file} is not read: ${section.staleFile.reason}, so ${settings}${fix}`, {
      file: stale.file.file,
      title: 'Railway no longer reads this file',
    });
  }
  for (const note of section.notes) log.info(`Railway configuration: ${note}`);
  const iac = config.railwayIac;
  if (!iac) return;
  log.info(
    `Railway configuration: ${section.file}, service "${iac.service.name}" (${iac.serviceChoice}), environment ${iac.environment}, evaluated in ${iac.evaluationMs} ms`,
  );
  if (section.databases.length) log.info(`Railway databases: ${section.databases.map((d) => `${d.name} (${d.image}) as ${d.host}`).join(', ')}`);
  if (section.variables.length) log.info(`Railway variables: ${section.variables.map((v) => `${v.name} (${v.source})`).join(', ')}`);
  for (const v of section.unavailable) log.warning(`Railway variable ${v.name} is not set here: ${v.reason}`);
  for (const n of section.notMirrored) log.info(`Not mirrored: ${n.setting} = ${n.value}: ${n.effect}`);
}

/**
 * Starts the comparison of the checked service with the pull request's base (`base`: its commit;
 * undefined outside pull requests, when there is nothing to compare). It runs beside the build
 * and never rejects: a base that cannot be read is "unavailable" in the report.
 */
export function startRailwayPlan(config: Config, base: string | null | undefined): Promise<RailwayPlanReport | null> {
  const iac = config.railwayIac;
  if (!iac || base === undefined) return Promise.resolve(null);
  return planAgainstBase(iac, base).then(
    (plan) => ({ base: plan.base, status: plan.status, changes: plan.changes.map((c) => ({ ...c })), reason: plan.reason }),
    (err: unknown) => ({ base, status: 'unavailable', changes: [], reason: `base configuration not available: ${(err as Error).message}` }),
  );
}

/** One line per change in the run's log (the comment shows them as a table). */
export function announceRailwayPlan(plan: RailwayPlanReport | null, log: Log): void {
  if (!plan || plan.status === 'unchanged') return;
  const base = plan.base ? ` against ${plan.base.slice(0, 12)}` : '';
  const reason = plan.reason?.replace(/[\r\n]+/g, ' ');
  if (plan.status === 'unavailable') {
    log.info(`Railway configuration changes${base}: ${reason ?? 'base configuration not available'}`);
    return;
  }
  log.info(`Railway configuration changes${base}${reason ? ` (${reason})` : ''}:`);
  for (const line of planLines(plan)) log.info(`  ${line}`);
}
