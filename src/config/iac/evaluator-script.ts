/**
 * The program the evaluation child runs (`node --experimental-strip-types --input-type=module
 * -e <this> -- FILE OUT SDK_URL CONTEXT`). Like Railway's CLI it builds the context with the
 * SDK's createRailwayContext, imports the file, calls its default export (else `main`, else
 * `Railway`) with (ctx, project) and keeps `partial`; unlike it, the result goes to a file, so
 * nothing the repository's code prints can pass for the graph, and `railway/iac` falls back to
 * the SDK deploy-check ships when the repository has none installed.
 */
export const EVALUATOR_SCRIPT = String.raw`
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [file, out, sdk, contextJson] = process.argv.slice(1);
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (specifier === 'railway/iac') return { url: sdk, shortCircuit: true };
      throw err;
    }
  },
});
try {
  const iac = await import('railway/iac');
  const ctx = iac.createRailwayContext({ command: 'plan', ...JSON.parse(contextJson) });
  const mod = await import(pathToFileURL(file).href);
  const entry = mod.default ?? mod.main ?? mod.Railway;
  const value = typeof entry === 'function' ? await entry(ctx, iac.project) : entry;
  writeFileSync(out, JSON.stringify({ partial: mod.partial ?? null, project: value ?? null }));
  process.exit(0);
} catch (err) {
  const detail = { message: String(err && err.message !== undefined ? err.message : err), stack: String((err && err.stack) || ''), code: err && err.code };
  writeFileSync(out + '.error', JSON.stringify(detail));
  process.exit(1);
}
`;
