// Writes the inputs and outputs tables of README.md from action.yml, so the two never disagree.
// `node scripts/readme-tables.mjs --check` exits 1 when README.md is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const root = new URL('../', import.meta.url);
const action = parse(readFileSync(new URL('action.yml', root), 'utf8'));
const readmeUrl = new URL('README.md', root);
const readme = readFileSync(readmeUrl, 'utf8');

const cell = (text) =>
  String(text ?? '')
    .replace(/\s+/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
const inputs = [
  '| Input | Default | Description |',
  '|---|---|---|',
  ...Object.entries(action.inputs ?? {}).map(
    ([name, spec]) => `| \`${name}\` | ${spec.default === undefined || spec.default === '' ? '' : `\`${cell(spec.default)}\``} | ${cell(spec.description)} |`,
  ),
].join('\n');
const outputs = [
  '| Output | Description |',
  '|---|---|',
  ...Object.entries(action.outputs ?? {}).map(([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`),
].join('\n');

const replace = (text, name, table) => {
  const re = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!re.test(text)) throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> block`);
  return text.replace(re, (_m, start, end) => `${start}\n${table}\n${end}`);
};
const next = replace(replace(readme, 'inputs', inputs), 'outputs', outputs);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md inputs/outputs tables differ from action.yml: run node scripts/readme-tables.mjs');
    process.exit(1);
  }
} else if (next !== readme) {
  writeFileSync(readmeUrl, next);
}
