import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../inputs/inputs.ts';
import type { CheckReport } from '../model/report.ts';
import { checkReport } from '../report/validate.ts';

/** A real report is tens of kilobytes; anything far larger is not one. */
const MAX_REPORT_BYTES = 20 * 1024 * 1024;

/**
 * The report a check run wrote, for mode comment. It may come from a fork's run, so it is
 * checked against the published schema (docs/report.schema.json) and read typed only when it
 * matches; the renderers still escape every string.
 */
export async function readReportFile(file: string, cwd = process.cwd()): Promise<CheckReport> {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    const info = await stat(full);
    if (!info.isFile()) throw new ConfigError('report-file', `${full} is not a file`);
    if (info.size > MAX_REPORT_BYTES) throw new ConfigError('report-file', `${full} is ${info.size} bytes: not a deploy-check report`);
    text = await readFile(full, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError('report-file', `cannot read ${full}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('report-file', `${full} is not JSON: ${(err as Error).message}`);
  }
  const checked = checkReport(parsed);
  if (!checked.ok) {
    throw new ConfigError('report-file', `${full} is not a deploy-check report (docs/report.schema.json): ${checked.problems.join('; ')}`);
  }
  return checked.report;
}

/**
 * The report files behind `report-file`: the file itself, or every report JSON in a directory
 * (what actions/download-artifact leaves, one per service of a matrix), in name order.
 */
export async function reportFilesAt(input: string, cwd = process.cwd()): Promise<string[]> {
  const full = path.resolve(cwd, input);
  let info;
  try {
    info = await stat(full);
  } catch (err) {
    throw new ConfigError('report-file', `cannot read ${full}: ${(err as Error).message}`);
  }
  if (!info.isDirectory()) return [full];
  const entries = await readdir(full, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  if (files.length === 0) throw new ConfigError('report-file', `${full} holds no .json report`);
  return files;
}
