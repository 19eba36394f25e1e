import { createHash } from 'crypto';
import { execFileSync } from 'child_process';
import process from 'process';

// src/iac/graph.ts
var RAILWAY_GRAPH_VERSION = 1;
function resourceAddress(type, name) {
  return `${type}.${name}`;
}
function indexGraph(graph) {
  const byAddress = /* @__PURE__ */ new Map();
  const byTypeAndName = /* @__PURE__ */ new Map();
  for (const resource of graph.resources) {
    byAddress.set(resource.address, resource);
    byTypeAndName.set(`${resource.type}:${resource.name}`, resource);
  }
  return { byAddress, byTypeAndName };
}
function validateGraph(graph) {
  const errors = [];
  if (graph.version !== RAILWAY_GRAPH_VERSION) errors.push(`Unsupported graph version: ${graph.version}`);
  const addresses = /* @__PURE__ */ new Set();
  for (const resource of graph.resources) {
    if (addresses.has(resource.address)) errors.push(`Duplicate resource address: ${resource.address}`);
    addresses.add(resource.address);
  }
  for (const edge of graph.edges) {
    if (!addresses.has(edge.from)) errors.push(`Edge references missing source: ${edge.from}`);
    if (!addresses.has(edge.to)) errors.push(`Edge references missing target: ${edge.to}`);
  }
  return errors;
}

// src/iac/compatibility.ts
var MINIMUM_IAC_CLI_VERSION = "5.42.1";
var MINIMUM_IAC_CLI_MESSAGE = `This version of railway/iac requires Railway CLI ${MINIMUM_IAC_CLI_VERSION} or newer. Upgrade the CLI and run the command again. The IaC engine now ships in the CLI, not the TypeScript SDK.`;

// src/iac/cli-version.ts
function assertMinimumIacCliVersion() {
  if (!isNativeCliEvaluation()) return;
  const executable = process.env._ || "railway";
  let output = "";
  try {
    output = execFileSync(executable, ["--version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"]
    });
  } catch {
    throw new Error(MINIMUM_IAC_CLI_MESSAGE);
  }
  const version = output.match(/\b(\d+)\.(\d+)\.(\d+)\b/);
  if (!version || compareVersions(version.slice(1).map(Number), [5, 42, 1]) < 0) {
    throw new Error(MINIMUM_IAC_CLI_MESSAGE);
  }
}
function isNativeCliEvaluation() {
  const evalFlag = process.execArgv.indexOf("-e");
  const source = evalFlag >= 0 ? process.execArgv[evalFlag + 1] : void 0;
  return process.execArgv.includes("--experimental-strip-types") && process.execArgv.includes("--input-type=module") && source?.includes("const partial = mod.partial") === true && source.includes("process.stdout.write(JSON.stringify({ partial, project: graph }))");
}
function compareVersions(left, right) {
  for (let index = 0; index < 3; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

// src/iac/sdk.ts
assertMinimumIacCliVersion();
function defineRailway(program) {
  return program;
}
var define = defineRailway;
function project(name, definition) {
  const resources = (definition.resources ?? definition.services ?? []).flat();
  return { name, ...definition, resources };
}
function createRailwayContext(input = {}) {
  const environment = input.environment ?? input.environmentName;
  return {
    ...input,
    ...environment ? { environment, environmentName: environment } : {},
    randomString: (label = "random", bytes = 12) => createHash("sha256").update(`railway-iac:${environment ?? "default"}:${label}`).digest("hex").slice(0, bytes * 2),
    isEnvironment: (name) => environment === name,
    shared: createSharedVariableRefs()
  };
}
function github(repo, options = {}) {
  if (options.autoUpdates !== void 0) {
    throw new Error("Image auto updates are only supported for Docker image sources.");
  }
  return { type: "github", repo, branch: options.branch ?? "main", ...options };
}
function image(imageName, options = {}) {
  if (options.autoUpdates !== void 0 && !supportsImageAutoUpdates(imageName)) {
    throw new Error("Image auto updates are only supported for Docker Hub and GHCR images.");
  }
  return { type: "image", image: imageName, ...options };
}
function supportsImageAutoUpdates(imageName) {
  const normalized = imageName.trim().toLowerCase();
  if (normalized === "") return false;
  if (!normalized.includes("/")) return true;
  const registry = normalized.split("/", 1)[0] ?? "";
  return !registry.includes(".") && !registry.includes(":") && registry !== "localhost" || registry === "docker.io" || registry === "ghcr.io";
}
function template(templateName, options = {}) {
  return { type: "template", template: templateName, ...options };
}
function empty() {
  return { type: "empty" };
}
function service(name, config = {}) {
  const source = normalizeSource(config.source, config.root ?? config.rootDirectory);
  const node = pruneEmpty({
    address: resourceAddress("service", name),
    type: "service",
    kind: source?.type === "github" ? "github" : source?.type === "image" ? "docker-image" : source?.type === "template" ? "template" : "empty",
    name,
    ...source ? { source } : {},
    build: normalizeBuild(config),
    deploy: normalizeDeploy(config),
    networking: normalizeNetworking(config),
    ...config.env || config.variables ? { variables: normalizeVariables({ ...config.variables ?? {}, ...config.env ?? {} }) } : {},
    ...normalizeVolumeMounts(config.volumeMounts),
    ...config.configFile ? { configFile: config.configFile } : {},
    ...config.parentServiceId ? { parentServiceId: config.parentServiceId } : {},
    ...config.groupId ? { groupId: config.groupId } : {},
    ...config.clusterRole ? { clusterRole: config.clusterRole } : {},
    ...config.replicaConfig ? { replicaConfig: config.replicaConfig } : {},
    ...config.clusterDisplay ? { clusterDisplay: config.clusterDisplay } : {}
  });
  return withVariableRefs(node);
}
function fn(name, config = {}) {
  return withVariableRefs({ ...service(name, config), kind: "function" });
}
function postgres(name, config = {}) {
  return database(name, "postgres", {
    image: "ghcr.io/railwayapp-templates/postgres-ssl:18",
    output: "DATABASE_URL",
    defaultMountPath: "/var/lib/postgresql/data",
    ...config
  });
}
function mysql(name, config = {}) {
  return database(name, "mysql", { image: "mysql:9", output: "MYSQL_URL", defaultMountPath: "/var/lib/mysql", ...config });
}
function redis(name, config = {}) {
  return database(name, "redis", { image: "railwayapp/redis:8.2", output: "REDIS_URL", defaultMountPath: "/bitnami", ...config });
}
function mongo(name, config = {}) {
  return database(name, "mongo", { image: "mongo:8", output: "MONGO_URL", defaultMountPath: "/data/db", ...config });
}
function database(name, engine, options) {
  const output = options.output ?? "DATABASE_URL";
  const node = {
    address: resourceAddress("database", name),
    type: "database",
    kind: "database",
    engine,
    name,
    image: options.image,
    output,
    defaultMountPath: options.defaultMountPath,
    source: image(options.image),
    ...options.region ? { deploy: { multiRegionConfig: { [options.region]: { numReplicas: 1 } } } } : {}
  };
  return withVariableRefs(node);
}
function volume(name, config = {}) {
  return { address: resourceAddress("volume", name), type: "volume", name, config };
}
function bucket(name, config = {}) {
  return { address: resourceAddress("bucket", name), type: "bucket", name, config };
}
function group(name, resourcesOrOptions = {}, maybeOptions = {}) {
  const resources = Array.isArray(resourcesOrOptions) ? resourcesOrOptions.flat(Infinity) : void 0;
  const options = Array.isArray(resourcesOrOptions) ? maybeOptions : resourcesOrOptions;
  const node = { address: resourceAddress("group", name), type: "group", name, ...options };
  if (!resources) return node;
  return [node, ...resources.map((resource) => ({ ...resource, groupId: name }))];
}
function ref(resource, output) {
  return variableReference(resource, output);
}
function preserve() {
  return { type: "preserve" };
}
function variableReference(resource, output) {
  return { type: "reference", resource: resource.address, output };
}
function sharedVariableReference(name) {
  return { type: "sharedReference", name };
}
function createSharedVariableRefs() {
  return new Proxy({}, {
    get(_target, property) {
      if (typeof property !== "string") return void 0;
      return sharedVariableReference(property);
    }
  });
}
function createVariableRefAccessor(resource) {
  return new Proxy({}, {
    get(_target, property) {
      if (typeof property !== "string") return void 0;
      return variableReference(resource, property);
    }
  });
}
function withVariableRefs(node) {
  Object.defineProperty(node, "env", { enumerable: false, value: createVariableRefAccessor(node) });
  return node;
}
function normalizeSource(source, rootDirectory) {
  if (source == null) return rootDirectory ? { type: "empty", rootDirectory } : void 0;
  if ("type" in source && source.type) return pruneEmpty({ ...source, rootDirectory: source.rootDirectory ?? rootDirectory });
  if ("repo" in source && source.repo) return pruneEmpty({ type: "github", repo: source.repo, branch: source.branch ?? "main", rootDirectory });
  if ("image" in source && source.image) return pruneEmpty({ type: "image", image: source.image, rootDirectory });
  return rootDirectory ? { type: "empty", rootDirectory } : void 0;
}
function normalizeBuild(config) {
  if (typeof config.build === "string") return { buildCommand: config.build };
  return pruneEmpty({ ...config.build });
}
function normalizeDeploy(config) {
  const preDeployCommand = config.preDeploy ?? config.preDeployCommand ?? config.run?.preDeploy;
  const replicaConfig = normalizeReplicas(config.replicas, config.regions);
  return pruneEmpty({
    ...config.deploy,
    startCommand: config.start ?? config.startCommand ?? config.run?.command ?? config.deploy?.startCommand,
    preDeployCommand: Array.isArray(preDeployCommand) ? preDeployCommand : preDeployCommand ? [preDeployCommand] : config.deploy?.preDeployCommand,
    healthcheckPath: config.healthcheck ?? config.healthcheckPath ?? config.run?.healthcheck ?? config.deploy?.healthcheckPath,
    healthcheckTimeout: config.healthcheckTimeout ?? config.run?.healthcheckTimeout ?? config.deploy?.healthcheckTimeout,
    ...replicaConfig,
    multiRegionConfig: replicaConfig?.multiRegionConfig ?? config.deploy?.multiRegionConfig
  });
}
function normalizeReplicas(replicas, regions) {
  if (typeof replicas === "number") return { numReplicas: replicas };
  if (replicas) return { multiRegionConfig: normalizeRegions(replicas) };
  if (regions) return { multiRegionConfig: normalizeRegions(regions) };
  return void 0;
}
function normalizeRegions(regions) {
  return Object.fromEntries(
    Object.entries(regions).map(([region, value]) => [
      region,
      typeof value === "number" ? { numReplicas: value } : pruneEmpty({ numReplicas: value.count ?? value.replicas, stackerAssignment: value.stacker }) ?? {}
    ])
  );
}
function normalizeNetworking(config) {
  const customDomains = config.domains ? Object.fromEntries(config.domains.map((domain) => typeof domain === "string" ? [domain, { port: 8080 }] : [domain.domain, { port: domain.port ?? 8080 }])) : void 0;
  const tcpProxies = config.tcp ? Object.fromEntries(config.tcp.map((port) => [String(port), {}])) : config.tcpProxies ? Object.fromEntries(config.tcpProxies.map((port) => [port, {}])) : void 0;
  return pruneEmpty({ ...config.networking, customDomains, tcpProxies });
}
function normalizeVariables(variables) {
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => {
      if (typeof value === "string") return [key, { type: "literal", value }];
      if ("type" in value) return [key, value];
      return [key, { type: "raw", value }];
    })
  );
}
function normalizeVolumeMounts(volumeMounts) {
  if (!volumeMounts) return {};
  const rawMounts = {};
  const attachments = {};
  for (const [key, value] of Object.entries(volumeMounts)) {
    if (value && typeof value === "object" && "type" in value && value.type === "volume") {
      attachments[value.name] = {
        volume: value.address,
        mountPath: key,
        ...value.config ? { volumeConfig: value.config } : {}
      };
      continue;
    }
    rawMounts[key] = value;
  }
  return pruneEmpty({ volumeMounts: rawMounts, volumeAttachments: attachments }) ?? {};
}
function pruneEmpty(value) {
  if (value == null || typeof value !== "object") return value;
  const entries = Object.entries(value).filter(([, child]) => child != null);
  if (entries.length === 0) return void 0;
  return Object.fromEntries(entries);
}

export { RAILWAY_GRAPH_VERSION, bucket, createRailwayContext, database, define, defineRailway, empty, fn, github, group, image, indexGraph, mongo, mysql, postgres, preserve, project, redis, ref, resourceAddress, service, template, validateGraph, volume };
//# sourceMappingURL=index.js.map
//# sourceMappingURL=index.js.map