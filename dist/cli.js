#!/usr/bin/env node
import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  removeRunResources
} from "./chunks/chunk-ZRQKALGK.js";
import {
  ConfigError,
  DirectoryBaselineStore,
  INPUT_NAMES,
  connectDocker,
  deployLine,
  describeDrift,
  ensureEngine,
  formatBytes,
  formatDuration,
  loadConfig,
  package_default,
  redact,
  redactDeep,
  runPipeline,
  serviceLookup
} from "./chunks/chunk-ANHONJO4.js";

// src/local.ts
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

// src/report/terminal.ts
function renderTerminal(report) {
  const out = [];
  const mark = (ok) => ok === null ? "-" : ok ? "\u2714" : "\u2718";
  out.push("");
  out.push(report.verdict === "pass" ? `\u2714 deploy-check passed: ${report.image.ref}` : `\u2718 deploy-check failed: ${report.reasons[0] ?? ""}`);
  const b = report.build;
  out.push(`  ${mark(b.status === "success")} build    ${b.status} in ${formatDuration(b.durationMs)}, ${b.steps.cached}/${b.steps.total} steps cached`);
  const h = report.health;
  out.push(
    `  ${mark(h.status === "skipped" ? null : h.status === "healthy")} health   ${h.status}` + (h.target ? ` (${h.target})` : "") + (h.timeToHealthyMs !== null ? ` in ${formatDuration(h.timeToHealthyMs)}` : "")
  );
  const s = report.size;
  if (s.status === "measured") {
    out.push(`  ${mark(s.budget.status !== "exceeded")} size     ${formatBytes(s.compressedBytes)} compressed, ${formatBytes(s.bytes)} uncompressed${terminalSizeChange(report)}`);
    for (const c of (s.delta?.layers ?? []).slice(0, 5)) {
      const figure = s.delta?.metric === "uncompressed" ? c.bytes ?? c.compressedBytes : c.compressedBytes ?? c.bytes;
      const amount = figure === null ? "n/a" : figure > 0 ? `+${formatBytes(figure)}` : formatBytes(figure);
      out.push(`             ${amount.padStart(9)}  ${c.change === "base-image" ? "base image" : c.change}${c.line !== null ? ` line ${c.line}` : ""}: ${c.instruction.slice(0, 80)}`);
    }
  }
  const d = report.deploy;
  if (d) {
    const ok = d.status === "skipped" || d.status === "triggered" ? null : d.status === "success" || d.status === "waiting" && d.onApproval === "pass";
    out.push(`  ${mark(ok)} deploy   ${deployLine(d)}`);
  }
  if (b.failure) {
    out.push("", `Build failure${b.failure.step ? ` in ${b.failure.step}` : ""}: ${b.failure.message}`);
    for (const line of b.failure.logs.slice(-20)) out.push(`  | ${line}`);
  }
  if (h.status === "unhealthy") {
    out.push("", `Health check failed: ${h.reason ?? ""}`);
    if (h.container) out.push(`  container exit code: ${h.container.exitCode ?? "still running"}, OOM-killed: ${h.container.oomKilled ? "yes" : "no"}`);
    if (h.lastHttp) out.push(`  last HTTP status: ${h.lastHttp.status ?? `none (${h.lastHttp.error ?? ""})`}${h.lastHttp.body ? `, body: ${h.lastHttp.body.slice(0, 200)}` : ""}`);
    for (const entry of h.healthLog.slice(-3)) out.push(`  health check exit ${entry.exitCode}: ${entry.output.split("\n")[0] ?? ""}`);
    if (h.logs.length) {
      out.push(`  last ${Math.min(h.logs.length, 30)} log lines of the container:`);
      for (const line of h.logs.slice(-30)) out.push(`  | ${line}`);
    }
  }
  if (d && d.status !== "success" && d.status !== "skipped" && d.reason) {
    out.push("", `Deploy to Railway ${d.status}: ${d.reason}`);
    for (const [kind, lines] of Object.entries(d.logs ?? {})) {
      if (lines.length === 0) continue;
      out.push(`  last ${Math.min(lines.length, 20)} lines of the ${kind === "push" ? "docker push output" : `Railway ${kind} log`}:`);
      for (const line of lines.slice(-20)) out.push(`  | ${line}`);
    }
  }
  for (const drift of d?.configDrift ?? []) out.push(`  note: ${describeDrift(drift)}`);
  for (const reason of report.reasons.slice(1)) out.push(`  also: ${reason}`);
  return out.join("\n");
}
function terminalSizeChange(report) {
  const { delta, baseline, baselineNote } = report.size;
  if (!delta || !baseline) return baselineNote ? ` (${baselineNote})` : "";
  const bytes = delta.metric === "compressed" ? delta.compressedBytes : delta.bytes;
  const percent = delta.metric === "compressed" ? delta.compressedPercent : delta.percent;
  if (bytes === null) return ` (not comparable with ${baseline.source})`;
  return `, ${bytes > 0 ? "+" : ""}${formatBytes(bytes)}${percent === null ? "" : ` (${percent >= 0 ? "+" : ""}${percent.toFixed(1)}%)`} ${delta.metric} against ${baseline.source}`;
}

// src/local.ts
var EXIT_PASS = 0;
var EXIT_FAIL = 1;
var EXIT_CONFIG = 2;
var USAGE = `Usage: deploy-check [--context DIR] [--flag value ...] [--report FILE]

Builds the image, runs it, waits until it is healthy, measures it and reports.
Every input of the GitHub Action is a flag of the same name, e.g.:
  --context DIR          build context (default .)
  --dockerfile FILE      Dockerfile (default: railway.json build.dockerfilePath, else Dockerfile in the context)
  --target STAGE         stage to build
  --build-arg K=V        repeatable; also --build-args "K=V\\nK2=V2"
  --env K=V              repeatable; values are masked in all output
  --port N               container port (default: the Dockerfile's EXPOSE)
  --health-path /health  HTTP path (default: railway.json deploy.healthcheckPath)
  --health-timeout 60s   seconds, or a number with s/m
  --wait-for auto|http|healthcheck|tcp|log:<regex>
  --max-size 500MB       fail when the image is larger (compressed unless --size-metric uncompressed)
  --max-increase 10%     fail when the image grew more than this against the baseline
  --baseline auto|none|FILE|IMAGE
                         compare with a report file, a registry image, or (auto) --baseline-dir
  --baseline-dir DIR     where auto baselines are kept locally (newest one is compared with)
  --save-baseline        store this run's report in --baseline-dir when it passes
  --report FILE          write the JSON report
  --railway-token T      Railway project token (or account token with --railway-project); masked
  --deploy auto|always|never   auto means never here: auto deploys only from GitHub Actions
  --deploy-source commit|image  commit: Railway builds this checkout's HEAD; image: push --push-image and run it
Exit codes: 0 every check passed, 1 a check failed, 2 configuration error.
All flags: ${INPUT_NAMES.map((n) => `--${n}`).join(" ")}`;
var REPEATABLE = {
  "build-args": "build-arg",
  "build-secrets": "build-secret",
  env: "env",
  "add-hosts": "add-host"
};
async function runCli(argv, io = process) {
  let values;
  try {
    const options = {};
    for (const name of INPUT_NAMES) options[name] = { type: "string", multiple: true };
    for (const single of Object.values(REPEATABLE)) options[single] = { type: "string", multiple: true };
    options["report"] = { type: "string", multiple: false };
    options["baseline-dir"] = { type: "string", multiple: false };
    options["save-baseline"] = { type: "boolean" };
    options["help"] = { type: "boolean" };
    options["version"] = { type: "boolean" };
    values = parseArgs({ args: joinDashValues(argv, options), options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    io.stderr.write(`deploy-check: ${err.message}

${USAGE}
`);
    return EXIT_CONFIG;
  }
  if (values["help"]) {
    io.stdout.write(`${USAGE}
`);
    return EXIT_PASS;
  }
  if (values["version"]) {
    io.stdout.write(`${package_default.version}
`);
    return EXIT_PASS;
  }
  const read = (name) => {
    const given = values[name];
    const single = REPEATABLE[name];
    const extra = single ? values[single] : void 0;
    return [given, extra].flat().filter((v) => typeof v === "string").join("\n");
  };
  let config;
  try {
    config = await loadConfig(read, { railwayLookup: serviceLookup((m) => io.stderr.write(`${m}
`)) });
  } catch (err) {
    io.stderr.write(`deploy-check: ${err instanceof ConfigError ? err.message : err.message}
`);
    return EXIT_CONFIG;
  }
  const secrets = config.secrets;
  if (config.deploy.mode === "always" && config.deploy.source === "commit" && gitDirty(config.context)) {
    io.stderr.write('deploy-check: warning: the work tree has uncommitted changes; deploy-source "commit" makes Railway build HEAD, not what is checked here (use --deploy-source image)\n');
  }
  const say = (line) => {
    io.stderr.write(`${redact(line, secrets)}
`);
  };
  const log = {
    info: say,
    warning: (m, where) => say(`warning: ${where ? `${path.relative(process.cwd(), where.file)}${where.line ? `:${where.line}` : ""}: ` : ""}${m}`),
    error: (m, where) => say(`error: ${where ? `${path.relative(process.cwd(), where.file)}${where.line ? `:${where.line}` : ""}: ` : ""}${m}`),
    debug: (m) => {
      if (process.env["DEPLOY_CHECK_DEBUG"]) say(`debug: ${m}`);
    },
    group: async (title, fn) => {
      say(`\u25B8 ${title}`);
      return fn();
    }
  };
  const docker = connectDocker();
  const onSignal = (signal) => {
    say(`
${signal}: removing this run's containers`);
    void removeRunResources(docker, config.runId).catch(() => void 0).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await ensureEngine(docker);
    const baselineDir = values["baseline-dir"];
    const baselines = localBaselineScope(typeof baselineDir === "string" ? baselineDir : void 0, values["save-baseline"] === true);
    const report = redactDeep(
      await runPipeline(config, { docker, log, source: { commit: gitHead(config.context), ref: null, runUrl: null }, event: null, baselines }),
      secrets
    );
    const reportFile = values["report"];
    if (typeof reportFile === "string") {
      await mkdir(path.dirname(path.resolve(reportFile)), { recursive: true });
      await writeFile(path.resolve(reportFile), JSON.stringify(report, null, 2) + "\n");
    }
    io.stdout.write(`${redact(renderTerminal(report), secrets)}
`);
    return report.verdict === "pass" ? EXIT_PASS : EXIT_FAIL;
  } catch (err) {
    say(`deploy-check: ${err.message}`);
    return EXIT_FAIL;
  } finally {
    await removeRunResources(docker, config.runId).catch(() => void 0);
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
function localBaselineScope(dir, save) {
  const runKey = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  if (dir === void 0) {
    return { store: null, unavailable: "locally, give --baseline-dir DIR (or --baseline FILE)", branch: null, save: false, runKey };
  }
  return { store: new DirectoryBaselineStore(path.resolve(dir)), unavailable: null, branch: "local", save, runKey };
}
function joinDashValues(argv, options) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const next = argv[i + 1];
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : void 0;
    if (name !== void 0 && options[name]?.type === "string" && next !== void 0 && /^-(?!-)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
function gitHead(cwd) {
  try {
    const sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return /^[0-9a-f]{40}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}
function gitDirty(cwd) {
  try {
    return execFileSync("git", ["status", "--porcelain"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
  } catch {
    return false;
  }
}

// src/cli.ts
process.exitCode = await runCli(process.argv.slice(2));
