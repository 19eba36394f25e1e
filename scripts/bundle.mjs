// Writes docs/report.schema.json from the report's types, bundles the three entries into dist/,
// and prints what each file weighs and what each entry loads when it starts (the post step runs
// on every job, also after a failure or a cancel).
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleFiles, loadedOutputs } from './bundle-options.mjs';
import { SCHEMA_FILE, reportSchemaText } from './report-schema.mjs';

const outdir = path.relative(process.cwd(), new URL('../dist', import.meta.url).pathname) || 'dist';
// mode comment validates report files against the schema the bundle embeds: refresh it from
// the report's types first, so the bundle never carries a schema older than src/.
await writeFile(SCHEMA_FILE, reportSchemaText());
await rm(outdir, { recursive: true, force: true });
const { files, metafile } = await bundleFiles({ outdir });
for (const file of files) {
  await mkdir(path.dirname(file.path), { recursive: true });
  // As esbuild writes them: a file that starts with #! (dist/cli.js, the package's bin) is executable.
  const executable = Buffer.from(file.contents.slice(0, 2)).toString() === '#!';
  await writeFile(file.path, file.contents, { mode: executable ? 0o755 : 0o644 });
}
// Railway's SDK (railway/iac) for .railway/railway.ts files in repositories that have no
// node_modules: the evaluation child falls back to this copy. It imports only Node's built-ins.
const sdk = new URL('../node_modules/railway/dist/iac/index.js', import.meta.url);
const sdkVersion = JSON.parse(await readFile(new URL('../node_modules/railway/package.json', import.meta.url), 'utf8')).version;
await copyFile(sdk, path.join(outdir, 'railway-iac.js'));
await writeFile(
  path.join(outdir, 'railway-iac.LICENSE.txt'),
  `railway ${sdkVersion} (npm), railway/iac\n\n${await readFile(new URL('../node_modules/railway/LICENSE', import.meta.url), 'utf8')}`,
);

const kB = (bytes) => `${(bytes / 1024).toFixed(1).padStart(8)} kB`;
const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.js'));
for (const [file, out] of outputs.sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`${kB(out.bytes)}  ${file}`);
}
for (const [file, out] of outputs) {
  if (!out.entryPoint) continue;
  const loaded = loadedOutputs(metafile, file);
  const total = loaded.reduce((sum, f) => sum + metafile.outputs[f].bytes, 0);
  console.log(`${kB(total)}  loaded by ${path.basename(file)} at start (${loaded.length} file(s))`);
}
