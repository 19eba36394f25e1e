import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  BaselineDirectory,
  BaselineStore,
  CacheStoreError,
  Secrets,
  checkStates,
  decisiveAnswer,
  deployLine,
  describeAnswerTimes,
  describeCache,
  describeDrift,
  describeHttpAnswer,
  exitCodeFor,
  formatBytes,
  formatDuration,
  hygieneLine,
  latestAnswer,
  loadConfig,
  openSession,
  parityFacts,
  planLines,
  preDeployOutcome,
  readRunContext,
  runPipeline,
  serviceLookup,
  serviceState,
  sourceLabel,
  stripControls,
  toolVersion
} from "./shared-local+main.js";
import {
  ConfigError,
  INPUT_NAMES,
  commandFreeLines,
  connectDocker,
  ensureEngine,
  ensureNetwork,
  oneLine,
  removeRunBuilders,
  visible
} from "./shared-local+main+post.js";

// src/local.ts
import { execFileSync } from "node:child_process";
import { randomBytes as randomBytes2 } from "node:crypto";
import { writeFile as writeFile3 } from "node:fs/promises";
import path4 from "node:path";
import { parseArgs } from "node:util";

// src/cache/directory-store.ts
import { createHash } from "node:crypto";
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
var short = (text) => createHash("sha256").update(text).digest("hex").slice(0, 16);
var DirectoryStore = class {
  kind = "directory";
  writable = true;
  description;
  root;
  constructor(root) {
    this.root = root;
    this.description = `directory ${root}`;
  }
  async workDir() {
    const dir = path.join(this.root, ".work");
    await this.guard(() => mkdir(dir, { recursive: true }));
    return dir;
  }
  async restore(keys) {
    const entries = await this.entries(keys.prefix);
    const exact = entries.find((e) => e.key === keys.key);
    const match = exact ?? keys.restoreKeys.map((p) => entries.find((e) => e.key.startsWith(p))).find((e) => e !== void 0);
    return match ? { matchedKey: match.key, dir: path.join(match.dir, "cache") } : null;
  }
  async save(keys, dir) {
    const slot = this.slot(keys.prefix);
    const target = path.join(slot, short(keys.key));
    const partial = path.join(slot, `.${short(keys.key)}.${process.pid}.partial`);
    await this.guard(async () => {
      await rm(partial, { recursive: true, force: true });
      await mkdir(partial, { recursive: true });
      try {
        await rename(dir, path.join(partial, "cache"));
      } catch {
        await cp(dir, path.join(partial, "cache"), { recursive: true });
        await rm(dir, { recursive: true, force: true });
      }
      await writeFile(path.join(partial, "key"), keys.key);
      await rm(target, { recursive: true, force: true });
      await rename(partial, target);
    });
    for (const entry of await this.entries(keys.prefix)) {
      if (entry.dir !== target) await rm(entry.dir, { recursive: true, force: true });
    }
    return true;
  }
  /** Entries are this store's own: they stay. */
  async release() {
  }
  slot(prefix) {
    return path.join(this.root, short(prefix));
  }
  /** The prefix's entries, newest first. */
  async entries(prefix) {
    const slot = this.slot(prefix);
    let names;
    try {
      names = await readdir(slot);
    } catch {
      return [];
    }
    const found = [];
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const dir = path.join(slot, name);
      try {
        const key = await readFile(path.join(dir, "key"), "utf8");
        found.push({ key, dir, time: (await stat(path.join(dir, "key"))).mtimeMs });
      } catch {
      }
    }
    return found.sort((a, b) => b.time - a.time);
  }
  async guard(fn) {
    try {
      return await fn();
    } catch (err) {
      throw new CacheStoreError(`${this.description}: ${err.message}`);
    }
  }
};

// src/host/git-head.ts
import { execFile } from "node:child_process";
import { readFile as readFile2 } from "node:fs/promises";
import path2 from "node:path";
var OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
async function gitCheckout(dir, ask = askGit) {
  const read = (file) => readFile2(file, "utf8").then(
    (t) => t.trim(),
    () => null
  );
  const gitDir = await findGitDir(path2.resolve(dir), read);
  if (gitDir === null) return { commit: null, branch: null };
  const head = await read(path2.join(gitDir, "HEAD"));
  if (head !== null && OBJECT_ID.test(head)) return { commit: head, branch: null };
  const ref = head?.match(/^ref: (refs\/\S+)$/)?.[1];
  if (ref === void 0 || ref.split("/").includes("..")) return { commit: await ask(dir), branch: null };
  const branch = ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null;
  const common = path2.resolve(gitDir, await read(path2.join(gitDir, "commondir")) ?? ".");
  const loose = await read(path2.join(gitDir, ref)) ?? await read(path2.join(common, ref));
  if (loose !== null && OBJECT_ID.test(loose)) return { commit: loose, branch };
  const packed = (await read(path2.join(common, "packed-refs")))?.split("\n").find((line) => line.endsWith(` ${ref}`));
  const id = packed?.split(" ")[0];
  return { commit: id !== void 0 && OBJECT_ID.test(id) ? id : await ask(dir), branch };
}
async function findGitDir(dir, read) {
  for (let at = dir; ; at = path2.dirname(at)) {
    const dotGit = path2.join(at, ".git");
    if (await read(path2.join(dotGit, "HEAD")) !== null) return dotGit;
    const pointer = (await read(dotGit))?.match(/^gitdir: (.+)$/)?.[1];
    if (pointer !== void 0) return path2.resolve(at, pointer);
    if (path2.dirname(at) === at) return null;
  }
}
function askGit(cwd) {
  return new Promise((resolve) => {
    execFile("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8" }, (err, stdout) => {
      const id = stdout.trim();
      resolve(!err && OBJECT_ID.test(id) ? id : null);
    });
  });
}

// src/report/file.ts
import { randomBytes } from "node:crypto";
import { mkdir as mkdir2, open, realpath, stat as stat2, unlink, writeFile as writeFile2 } from "node:fs/promises";
import path3 from "node:path";
var KERNEL_ROOTS = ["/proc", "/sys"];
async function prepareReportFile(raw, cwd) {
  const file = path3.resolve(cwd, raw);
  const refuse = (why) => {
    throw new ConfigError("report", `cannot write the report to ${file}: ${why}; give a file path in a writable directory`);
  };
  const existing = await stat2(file).catch(() => void 0);
  if (existing && !existing.isFile() && !existing.isDirectory()) return file;
  if (existing?.isDirectory()) refuse("it is a directory");
  const real = await existingRealPath(file);
  const kernel = KERNEL_ROOTS.find((root) => isUnder(file, root) || isUnder(real, root));
  if (kernel !== void 0) refuse(`it is under ${kernel}, a file system of the kernel's own`);
  const dir = path3.dirname(real);
  try {
    await mkdir2(dir, { recursive: true });
  } catch (err) {
    refuse(mkdirProblem(err, dir));
  }
  try {
    await probeWrite(existing ? real : void 0, dir);
  } catch (err) {
    refuse(`${existing ? real : dir} is not writable (${err.code ?? err.message})`);
  }
  return file;
}
async function probeWrite(existingFile, dir) {
  if (existingFile !== void 0) {
    await (await open(existingFile, "r+")).close();
    return;
  }
  const probe = path3.join(dir, `.deploy-check-report.${randomBytes(4).toString("hex")}.probe`);
  await writeFile2(probe, "", { flag: "wx" });
  await unlink(probe).catch(() => void 0);
}
function isUnder(file, root) {
  return file === root || file.startsWith(`${root}/`);
}
async function existingRealPath(file) {
  let head = file;
  const rest = [];
  for (; ; ) {
    const real = await realpath(head).catch(() => void 0);
    if (real !== void 0) return path3.join(real, ...rest.reverse());
    const parent = path3.dirname(head);
    if (parent === head) return file;
    rest.push(path3.basename(head));
    head = parent;
  }
}
function mkdirProblem(err, dir) {
  const code = err.code;
  if (code === "EEXIST" || code === "ENOTDIR") return `a part of ${dir} is a file, not a directory`;
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") return `${dir} cannot be created (${code})`;
  return `${dir} cannot be created (${code ?? err.message})`;
}

// src/report/terminal.ts
var TERMINAL_MARK = { pass: "\u2714", warn: "!", fail: "\u2718", skip: "-", pending: "\u23F3" };
function renderTerminal(report) {
  const out = ["", report.verdict === "pass" ? `\u2714 deploy-check passed: ${report.image.ref}` : `\u2718 deploy-check failed: ${report.reasons[0] ?? ""}`];
  out.push(...checkLines(report), ...terminalPlan(report));
  out.push(...buildEvidence(report), ...servicesEvidence(report), ...preDeployEvidence(report), ...healthEvidence(report), ...deployEvidence(report));
  for (const drift of report.deploy?.configDrift ?? []) out.push(`  note: ${describeDrift(drift)}`);
  for (const reason of report.reasons.slice(1)) out.push(`  also: ${reason}`);
  return out.flatMap(quotedLines).join("\n");
}
function checkLines(report) {
  const states = new Map(checkStates(report).map((s) => [s.name, s.state]));
  const mark = (name) => TERMINAL_MARK[states.get(name) ?? "skip"];
  const { build: b, health: h } = report;
  const out = [
    `  ${mark("Build")} build    ${b.status} in ${formatDuration(b.durationMs)}, ${b.steps.cached}/${b.steps.total} steps cached`,
    `  ${mark("Cache")} cache    ${describeCache(b.cache, b.steps)}`,
    ...serviceLines(report, mark("Services"))
  ];
  const pre = report.preDeploy;
  if (pre) {
    const list = pre.commands.map((c) => `${c.command} \u2192 ${preDeployOutcome(c)} in ${formatDuration(c.durationMs)}`);
    out.push(`  ${mark("Pre-deploy")} predeploy ${pre.status} in ${formatDuration(pre.durationMs)}${list.length ? `: ${list.join("; ")}` : ""}`);
  }
  out.push(
    `  ${mark("Health")} health   ${h.status}` + (h.target ? ` (${h.target})` : "") + (h.timeToHealthyMs !== null ? ` in ${formatDuration(h.timeToHealthyMs)}` : "") + (h.status === "skipped" && h.reason ? `: ${h.reason}` : "")
  );
  const parity = h.parity ? parityText(report) : null;
  if (parity) out.push(`             ${parity}`);
  out.push(...sizeLines(report, mark("Size")), ...hygieneLines(report, mark("Hygiene")));
  if (report.deploy) out.push(`  ${mark("Deploy")} deploy   ${deployLine(report.deploy)}`);
  return out;
}
function serviceLines(report, checkMark) {
  const services = report.services ?? [];
  const out = services.map(
    (svc) => `  ${TERMINAL_MARK[serviceState(svc)]} service  ${svc.name} ${svc.status}${svc.readyMs !== null ? ` in ${formatDuration(svc.readyMs)}` : ""} (${svc.condition})${svc.reason ? `: ${svc.reason}` : ""}`
  );
  const failure = report.compose?.failure;
  if (failure && !services.some((s) => serviceState(s) === "fail")) out.push(`  ${checkMark} services not started: ${failure}`);
  return out;
}
function sizeLines(report, mark) {
  const s = report.size;
  if (s.status !== "measured") return [];
  const out = [`  ${mark} size     ${formatBytes(s.compressedBytes)} compressed, ${formatBytes(s.bytes)} uncompressed${terminalSizeChange(report)}`];
  for (const c of (s.delta?.layers ?? []).slice(0, 5)) {
    const figure = s.delta?.metric === "uncompressed" ? c.bytes ?? c.compressedBytes : c.compressedBytes ?? c.bytes;
    const amount = figure === null ? "n/a" : figure > 0 ? `+${formatBytes(figure)}` : formatBytes(figure);
    out.push(
      `             ${amount.padStart(9)}  ${c.change === "base-image" ? "base image" : c.change}${c.line !== null ? ` line ${c.line}` : ""}: ${c.instruction.slice(0, 80)}`
    );
  }
  const wasted = s.wasted;
  if (wasted && (wasted.bytes >= 1e6 || wasted.percent >= 1)) {
    const worst = wasted.layers[0];
    out.push(
      `             wasted ${formatBytes(wasted.bytes)} (${wasted.percent.toFixed(1)}%)${worst ? `, most from ${worst.line !== null ? `line ${worst.line}: ` : ""}${worst.instruction.slice(0, 60)} (${formatBytes(worst.bytes)})` : ""}`
    );
  }
  return out;
}
function hygieneLines(report, mark) {
  const hy = report.hygiene;
  if (hy.status !== "checked") return [];
  const out = [`  ${mark} hygiene  ${hygieneLine(hy)}`];
  for (const f of hy.findings) out.push(`      ${f.severity.padEnd(7)} ${f.id}${f.line !== null ? ` (line ${f.line})` : ""}: ${oneLine(f.message)}`);
  return out;
}
function buildEvidence(report) {
  const failure = report.build.failure;
  if (!failure) return [];
  const out = [];
  const source = failure.source;
  if (source) {
    out.push("", `Failing instruction, ${sourceLabel(source)}:`);
    const width = String(source.endLine).length;
    source.lines.forEach((text, i) => out.push(`  ${String(source.line + i).padStart(width)} > ${text}`));
  }
  out.push("", `Build output${failure.step ? ` of ${failure.step}` : ""} (last ${Math.min(failure.logs.length, 20)} lines):`);
  for (const line of failure.logs.slice(-20)) out.push(`  | ${line}`);
  return out;
}
function servicesEvidence(report) {
  const out = [];
  for (const svc of (report.services ?? []).filter((x) => serviceState(x) === "fail")) {
    out.push("", `Service ${svc.name} (${svc.image ?? "?"}) ${svc.status}: ${svc.reason ?? ""}`);
    for (const line of svc.logs.slice(-20)) out.push(`  | ${line}`);
  }
  return out;
}
function preDeployEvidence(report) {
  const pre = report.preDeploy;
  if (pre?.status !== "failed") return [];
  const out = ["", `Pre-deploy command failed: ${pre.reason ?? ""}`];
  const last = pre.commands.at(-1);
  if (last?.error) out.push(`  Docker: ${last.error}`);
  for (const line of last?.logs ?? []) out.push(`  | ${line}`);
  return out;
}
function healthEvidence(report) {
  const h = report.health;
  if (h.status !== "unhealthy") return [];
  const out = ["", `Health check failed: ${h.reason ?? ""}`];
  if (h.container?.started === false) out.push(`  the container never started (no exit code); Docker's reason: ${h.startError ?? "not given"}`);
  else if (h.startError) out.push(`  Docker could not start the container: ${h.startError}`);
  if (h.container && h.container.started !== false)
    out.push(
      `  container exit code: ${h.container.exitCode ?? (h.container.running ? "still running" : "unknown")}, OOM-killed: ${h.container.oomKilled ? "yes" : "no"}`
    );
  out.push(...terminalAnswers(h.httpAnswers ?? []));
  if (h.lastHttp) {
    const redirect = h.lastHttp.status !== null && h.lastHttp.status >= 300 && h.lastHttp.status < 400 ? ` (redirect to ${h.lastHttp.location ?? "no Location given"})` : "";
    out.push(
      `  last HTTP status: ${h.lastHttp.status ?? `none (${h.lastHttp.error ?? ""})`}${redirect}${h.lastHttp.host ? `, sent with Host: ${h.lastHttp.host}` : ""}${h.lastHttp.body ? `, body: ${oneLine(h.lastHttp.body.slice(0, 200).trimEnd())}` : ""}`
    );
  }
  if (h.imageHealthcheck) out.push(`  the image's own HEALTHCHECK said "${h.imageHealthcheck.status}" (a second opinion only)`);
  for (const entry of h.healthLog.slice(-3)) out.push(`  health check exit ${entry.exitCode}: ${entry.output.split("\n")[0] ?? ""}`);
  if (h.logs.length) {
    const total = h.logLines ?? h.logs.length;
    out.push(total > h.logs.length ? `  the container's log (first and last lines of ${total}):` : `  the container's log (${total} lines):`);
    for (const line of h.logs) out.push(`  | ${line}`);
  }
  return out;
}
function deployEvidence(report) {
  const d = report.deploy;
  if (!d || d.status === "success" || d.status === "skipped" || !d.reason) return [];
  const out = ["", `Deploy to Railway ${d.status}: ${d.reason}`];
  for (const [kind, lines] of Object.entries(d.logs ?? {})) {
    if (lines.length === 0) continue;
    out.push(`  last ${Math.min(lines.length, 20)} lines of the ${kind === "push" ? "docker push output" : `Railway ${kind} log`}:`);
    for (const line of lines.slice(-20)) out.push(`  | ${line}`);
  }
  return out;
}
function quotedLines(entry) {
  const [first = "", ...rest] = visible(entry).split("\n");
  const prefix = /^\s*\| /.exec(first)?.[0] ?? `${/^\s*/.exec(first)?.[0] ?? ""}  | `;
  return [first, ...rest.map((line) => `${prefix}${line}`)];
}
function terminalPlan(report) {
  const plan = report.railway?.plan;
  if (!plan || plan.status === "unchanged") return [];
  const base = plan.base ? ` against ${plan.base.slice(0, 12)}` : "";
  if (plan.status === "unavailable") return [`  - railway  ${stripControls(plan.reason ?? "base configuration not available")}`];
  const head = `  - railway  configuration changes${base}${plan.reason ? ` (${plan.reason})` : ""}:`;
  return [head, ...planLines(plan).map((line) => `             ${line}`)].map(stripControls);
}
function terminalAnswers(answers) {
  const out = [];
  const decisive = decisiveAnswer(answers);
  if (decisive && decisive !== latestAnswer(answers)) {
    out.push(
      `  first answer that was not transient: ${describeHttpAnswer(decisive)} ${describeAnswerTimes(decisive)}${decisive.body ? `, body: ${firstLine(decisive.body, 200)}` : ""}`
    );
  }
  if (answers.length < 2) return out;
  out.push(`  answers seen, in order (times after the container started):`);
  for (const a of answers.slice(0, 10)) out.push(`    ${describeHttpAnswer(a)} ${describeAnswerTimes(a)}${a.body ? `: ${firstLine(a.body, 120)}` : ""}`);
  if (answers.length > 10) out.push(`    \u2026 ${answers.length - 10} more in the JSON report`);
  return out;
}
function firstLine(text, maxChars) {
  return stripControls(text.split(/\r?\n/)[0] ?? "").slice(0, maxChars);
}
function parityText(report) {
  const facts = parityFacts(report);
  if (!facts) return null;
  return facts.enabled ? `Railway parity (${facts.why}): ${facts.parts.join(" \xB7 ")}` : `Railway parity: off (${facts.why})`;
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
  --dockerfile FILE      Dockerfile (default: the service's build.dockerfilePath in .railway/railway.ts,
                         else Dockerfile in the context)
  --target STAGE         stage to build
  --build-args K=V       one KEY=VALUE; repeat the flag for more (they add up), or give
                         several lines in one word: --build-args $'A=1\\nB=2' (bash, zsh).
                         "A=1\\nB=2" in plain quotes is one line with a backslash in it: refused
  --build-secrets ID=V   the same form; BuildKit secrets (--mount=type=secret,id=ID), masked
  --env K=V              the same form; values are masked in all output
  --add-hosts HOST:IP    the same form, or comma separated
                         (--build-arg, --build-secret, --add-host: one at a time, also repeatable)
  --port N               container port (default: the Dockerfile's EXPOSE)
  --health-path /health  HTTP path (default: the service's healthcheck in .railway/railway.ts)
  --health-timeout 60s   seconds, or a number with s/m
  --wait-for auto|http|healthcheck|tcp|log:<regex>
  --railway-parity auto|true|false
                         run the app as Railway will (PORT, Host healthcheck.railway.app, only 200,
                         deploy.startCommand and deploy.preDeployCommand in place of the ENTRYPOINT);
                         auto: when .railway/railway.ts (or a railway.json/toml Railway
                         still reads) is found
  --keep-image           keep the image tag deploy-check created (removed at exit unless --image or this)
  --cache-dir DIR        keep the BuildKit layer cache in DIR between runs (one entry per image)
  --cache-mode max|min   max: every stage's layers (default); min: the final stage's
  --max-size 500MB       fail when the image is larger (compressed unless --size-metric uncompressed)
  --max-increase 10%     fail when the image grew more than this against the baseline
  --max-wasted 5%        fail when more than this is wasted space (bytes a later layer deletes or overwrites)
  --baseline auto|none|FILE|IMAGE
                         compare with a report file, a registry image, or (auto) --baseline-dir
  --baseline-dir DIR     where auto baselines are kept locally (newest one is compared with)
  --save-baseline        store this run's report in --baseline-dir when it passes
  --hygiene secrets|warn|fail|off  image hygiene: fail on secrets (default), report only (warn), fail on error findings, or skip
  --hygiene-ignore IDS   finding ids to silence, e.g. root-user,package-cache
  --report FILE          write the JSON report
  --railway-config FILE  the .railway/railway.ts to mirror (default: found from the context up to the
                         repository root); it is repository code, run without tokens
  --railway-service NAME the service to check when the file declares several
  --railway-token T      Railway project token (or account token with --railway-project); masked
  --deploy auto|always|never   auto means never here: auto deploys only from GitHub Actions
  --deploy-source commit|image  commit: Railway builds this checkout's HEAD; image: push --push-image and run it
Run as "node dist/cli.js", put -- before the flags when giving --env-file (Node reads a
--env-file of its own otherwise): node dist/cli.js -- --env-file .env ...
Exit codes: 0 every check passed, 1 a check failed, 2 configuration error.
All flags: ${INPUT_NAMES.map((n) => `--${n}`).join(" ")}`;
var REPEATABLE = {
  "build-args": "build-arg",
  "build-secrets": "build-secret",
  env: "env",
  "add-hosts": "add-host"
};
async function runCli(argv, io = process) {
  const parsed = parseCommandLine(argv, io);
  if (typeof parsed === "number") return parsed;
  const prepared = await prepareRun(parsed, io);
  if (typeof prepared === "number") return prepared;
  return runChecks(prepared, io);
}
function parseCommandLine(argv, io) {
  let values;
  try {
    const options = {};
    for (const name of INPUT_NAMES) options[name] = { type: "string", multiple: true };
    for (const single of Object.values(REPEATABLE)) options[single] = { type: "string", multiple: true };
    options["report"] = { type: "string", multiple: false };
    options["cache-dir"] = { type: "string", multiple: false };
    options["baseline-dir"] = { type: "string", multiple: false };
    options["save-baseline"] = { type: "boolean" };
    options["keep-image"] = { type: "boolean" };
    options["help"] = { type: "boolean" };
    options["version"] = { type: "boolean" };
    values = parseArgs({ args: joinDashValues(withoutSeparators(argv), options), options, allowPositionals: false, strict: true }).values;
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
    io.stdout.write(`${toolVersion()}
`);
    return EXIT_PASS;
  }
  const read = (name) => {
    const given = values[name];
    const single = REPEATABLE[name];
    const extra = single ? values[single] : void 0;
    return [given, extra].flat().filter((v) => typeof v === "string").join("\n");
  };
  return { values, read };
}
async function prepareRun(parsed, io) {
  const { values, read } = parsed;
  const checkout = await gitCheckout(path4.resolve(read("context") || "."));
  let config;
  try {
    const cacheDir = values["cache-dir"];
    config = await loadConfig(read, {
      runContext: localRunContext(checkout),
      railwayLookup: serviceLookup((m) => io.stderr.write(`${commandFreeLines(m)}
`)),
      ...typeof cacheDir === "string" ? { cacheDir } : {},
      // .railway/railway.ts is evaluated while the image builds (the pipeline waits for it).
      beside: true
    });
  } catch (err) {
    io.stderr.write(`deploy-check: ${commandFreeLines(err instanceof ConfigError ? err.message : err.message)}
`);
    return EXIT_CONFIG;
  }
  if (config.publish.mode === "comment") {
    io.stderr.write(
      'deploy-check: Input "mode": comment posts a pull-request comment from a report file, in the GitHub Action only; the local command checks (mode check)\n'
    );
    return EXIT_CONFIG;
  }
  let reportFile;
  try {
    const given = values["report"];
    reportFile = typeof given === "string" ? await prepareReportFile(given, process.cwd()) : void 0;
  } catch (err) {
    io.stderr.write(`deploy-check: ${commandFreeLines(err.message)}
`);
    return EXIT_CONFIG;
  }
  return { config, reportFile, values, read, checkout };
}
function localRunContext(checkout) {
  const ctx = readRunContext(process.env);
  return {
    ...ctx,
    sha: ctx.sha ?? checkout.commit,
    ref: ctx.ref ?? (checkout.branch === null ? null : `refs/heads/${checkout.branch}`)
  };
}
async function runChecks(prepared, io) {
  const { config, reportFile, values, read } = prepared;
  const secrets = new Secrets();
  for (const secret of config.secrets) secrets.add(secret);
  if (config.deploy.mode === "always" && config.deploy.source === "commit" && gitDirty(config.context)) {
    io.stderr.write(
      'deploy-check: warning: the work tree has uncommitted changes; deploy-source "commit" makes Railway build HEAD, not what is checked here (use --deploy-source image)\n'
    );
  }
  const say = (line) => {
    io.stderr.write(`${commandFreeLines(secrets.mask(line))}
`);
  };
  const log = terminalLog(say);
  let docker;
  try {
    docker = connectDocker();
  } catch (err) {
    say(`deploy-check: ${err.message}`);
    return EXIT_FAIL;
  }
  const builders = [];
  const cache = localCacheContext(config, builders);
  const source = { commit: prepared.checkout.commit, ref: null, runUrl: null };
  const removeOwnImage = async () => {
    if (read("image").trim() !== "" || values["keep-image"] === true) return;
    await docker.getImage(config.image).remove().then(
      () => say(`Removed the image tag ${config.image} (keep it with --keep-image)`),
      () => void 0
    );
  };
  const writeOut = async (report) => {
    if (reportFile !== void 0) await writeFile3(reportFile, JSON.stringify(report, null, 2) + "\n");
    io.stdout.write(`${commandFreeLines(secrets.mask(renderTerminal(report)))}
`);
  };
  const session = openSession(config, docker, source, {
    log,
    secrets,
    cancelling: (signal) => `
${signal}: removing this run's containers (the run is cancelled)`,
    unexpected: say,
    signalGrace: true,
    cleanUpOnSecondSignal: true,
    signalExitCode: exitCodeFor,
    writeReport: writeOut,
    reportFailed: () => void 0,
    cleanUp: async (leavingAtOnce) => {
      await removeRunBuilders(builders);
      if (!leavingAtOnce) await removeOwnImage();
    }
  });
  try {
    await ensureEngine(docker);
    await ensureNetwork(docker, config.network);
    const baselineDir = values["baseline-dir"];
    const baselines = localBaselineScope(typeof baselineDir === "string" ? baselineDir : void 0, values["save-baseline"] === true);
    const maskSecret = (value) => secrets.add(value);
    const report = await runPipeline(config, { docker, log, maskSecret, source, event: null, baselines, cache, cancel: session.cancel });
    await session.report(report);
    const signalled = session.signalled();
    if (signalled) return exitCodeFor(signalled);
    return report.verdict === "pass" ? EXIT_PASS : EXIT_FAIL;
  } catch (err) {
    say(`deploy-check: ${err.message}`);
    return err instanceof ConfigError ? EXIT_CONFIG : EXIT_FAIL;
  } finally {
    await session.close();
  }
}
function terminalLog(say) {
  const at = (where) => where ? `${path4.relative(process.cwd(), where.file)}${where.line ? `:${where.line}` : ""}: ` : "";
  return {
    info: say,
    warning: (m, where) => say(`warning: ${at(where)}${m}`),
    error: (m, where) => say(`error: ${at(where)}${m}`),
    debug: (m) => {
      if (process.env["DEPLOY_CHECK_DEBUG"]) say(`debug: ${m}`);
    },
    group: async (title, fn) => {
      say(`\u25B8 ${title}`);
      return fn();
    }
  };
}
function localCacheContext(config, builders) {
  return {
    store: config.cache.dir ? new DirectoryStore(config.cache.dir) : null,
    missingStore: config.cache.dir ? null : { reason: "no --cache-dir given (the engine's own build cache still applies)", warn: false },
    revision: null,
    // A local run has no default branch to keep caches for: cache-save default-branch saves like always.
    onDefaultBranch: true,
    ref: null,
    root: process.cwd(),
    rememberBuilder: (name) => builders.push(name)
  };
}
function localBaselineScope(dir, save) {
  const runKey = `${Date.now().toString(36)}-${randomBytes2(3).toString("hex")}`;
  if (dir === void 0) {
    return { store: null, unavailable: "locally, give --baseline-dir DIR (or --baseline FILE)", branch: null, save: false, runKey };
  }
  return { store: new BaselineStore(new BaselineDirectory(path4.resolve(dir))), unavailable: null, branch: "local", save, runKey };
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
function withoutSeparators(argv) {
  return argv.filter((arg) => arg !== "--");
}
function gitDirty(cwd) {
  try {
    return execFileSync("git", ["status", "--porcelain"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
  } catch {
    return false;
  }
}
export {
  EXIT_CONFIG,
  EXIT_FAIL,
  EXIT_PASS,
  runCli
};
