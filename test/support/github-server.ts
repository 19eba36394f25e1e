// A local stand-in for GitHub's REST API, for tests that run the bundled action against it
// through GITHUB_API_URL. Every request and every answer is checked against GitHub's own
// OpenAPI description (npm package @octokit/openapi), so a client that sends a call GitHub
// would reject fails here too instead of passing against a lenient fake.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';

// ---------------------------------------------------------------------------------------------
// The OpenAPI description

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonObject;
  'x-multi-segment'?: boolean;
}

export interface OpenApiOperation {
  method: string;
  pathTemplate: string;
  operationId: string;
  parameters: OpenApiParameter[];
  requestBodySchema: JsonObject | null;
  requestBodyRequired: boolean;
  responses: Map<string, JsonObject | null>;
}

interface PathMatcher {
  template: string;
  regex: RegExp;
  names: string[];
  literalSegments: number;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

/**
 * OpenAPI 3.0 spells "may be null" as `nullable: true`; JSON Schema (what ajv speaks) needs
 * the null type itself. Rewritten in place, once, for the whole description.
 */
function rewriteNullable(node: Json): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteNullable(item);
    return;
  }
  if (!isObject(node)) return;
  for (const value of Object.values(node)) rewriteNullable(value);
  if (node['nullable'] !== true) return;
  delete node['nullable'];
  const type = node['type'];
  if (typeof type === 'string') {
    node['type'] = [type, 'null'];
    const enumValues = node['enum'];
    if (Array.isArray(enumValues) && !enumValues.includes(null)) enumValues.push(null);
    return;
  }
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    rest[key] = value;
    Reflect.deleteProperty(node, key);
  }
  node['anyOf'] = [{ type: 'null' }, rest];
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function isUri(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function newAjv(coerceTypes: boolean): Ajv {
  return new Ajv({
    strict: false,
    allErrors: true,
    coerceTypes,
    // The description uses OpenAPI keywords ajv does not know (example, discriminator, x-*);
    // they are annotations, so non-strict mode ignores them. Formats are declared explicitly
    // so that a wrong value still fails.
    validateFormats: true,
    formats: {
      'date-time': DATE_TIME,
      date: DATE,
      email: EMAIL,
      uri: isUri,
      'uri-template': true,
      binary: true,
      timestamp: true,
      'repo.nwo': /^[^/\s]+\/[^/\s]+$/,
      int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 },
      int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
      double: { type: 'number', validate: () => true },
    },
  });
}

function deepCopy(node: Json): Json {
  if (Array.isArray(node)) return node.map(deepCopy);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) out[key] = deepCopy(value);
  return out;
}

function collectRefs(node: Json, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, into);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') into.add(value);
    else collectRefs(value, into);
  }
}

function templateMatcher(template: string, multiSegment: Set<string>): PathMatcher {
  const names: string[] = [];
  let literalSegments = 0;
  const source = template
    .split('/')
    .map((segment) => {
      if (!segment.includes('{')) {
        if (segment) literalSegments++;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      return segment.replace(/\{([^}]+)\}|([^{]+)/g, (_all, name: string | undefined, literal: string | undefined) => {
        if (name === undefined) return (literal ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(name);
        return multiSegment.has(name) ? '(.+)' : '([^/]+)';
      });
    })
    .join('/');
  return { template, regex: new RegExp(`^${source}$`), names, literalSegments };
}

function formatErrors(errors: ErrorObject[] | null | undefined, prefix: string): string[] {
  return (errors ?? []).map((e) => {
    const where = `${prefix}${e.instancePath}`;
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : '';
    return `${where} ${e.message ?? e.keyword}${extra}`;
  });
}

/** GitHub's REST description with lazily compiled validators. One per process. */
export class GitHubOpenApi {
  readonly loadMs: number;
  readonly #paths: JsonObject;
  readonly #components: JsonObject;
  readonly #matchers: PathMatcher[];
  readonly #bodies: Ajv;
  readonly #params: Ajv;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(document: JsonObject, loadMs: number) {
    this.loadMs = loadMs;
    this.#paths = asObject(document['paths']);
    this.#components = asObject(document['components']);
    const multiSegment = new Set<string>();
    for (const parameter of Object.values(asObject(this.#components['parameters']))) {
      if (isObject(parameter) && parameter['x-multi-segment'] === true && typeof parameter['name'] === 'string') {
        multiSegment.add(parameter['name']);
      }
    }
    this.#matchers = Object.keys(this.#paths)
      .map((template) => templateMatcher(template, multiSegment))
      .sort((a, b) => b.literalSegments - a.literalSegments);
    this.#bodies = newAjv(false);
    this.#params = newAjv(true);
  }

  #resolve(node: Json | undefined): JsonObject {
    let current = node;
    for (let depth = 0; depth < 10 && isObject(current) && typeof current['$ref'] === 'string'; depth++) {
      const pointer = current['$ref'].replace(/^#\//, '').split('/');
      let target: Json | undefined = { components: this.#components };
      for (const part of pointer) target = isObject(target) ? target[part] : undefined;
      current = target;
    }
    return asObject(current);
  }

  /** Finds the operation for a method and a concrete path, with the path's parameters. */
  match(method: string, path: string): { operation: OpenApiOperation; pathParams: Record<string, string> } | null {
    const lower = method.toLowerCase();
    for (const matcher of this.#matchers) {
      const found = matcher.regex.exec(path);
      if (!found) continue;
      const item = asObject(this.#paths[matcher.template]);
      const raw = item[lower];
      if (!isObject(raw)) continue;
      const pathParams: Record<string, string> = {};
      matcher.names.forEach((name, index) => {
        pathParams[name] = decodeURIComponent(found[index + 1] ?? '');
      });
      return { operation: this.#operation(matcher.template, lower, raw, item), pathParams };
    }
    return null;
  }

  #operation(pathTemplate: string, method: string, raw: JsonObject, item: JsonObject): OpenApiOperation {
    const parameters: OpenApiParameter[] = [];
    const all = [...(Array.isArray(item['parameters']) ? item['parameters'] : []), ...(Array.isArray(raw['parameters']) ? raw['parameters'] : [])];
    for (const entry of all) {
      const p = this.#resolve(entry);
      if (typeof p['name'] !== 'string' || typeof p['in'] !== 'string') continue;
      const parameter: OpenApiParameter = {
        name: p['name'],
        in: p['in'] as OpenApiParameter['in'],
        required: p['required'] === true,
        'x-multi-segment': p['x-multi-segment'] === true,
      };
      if (isObject(p['schema'])) parameter.schema = p['schema'];
      parameters.push(parameter);
    }
    const requestBody = this.#resolve(raw['requestBody']);
    const bodySchema = asObject(asObject(requestBody['content'])['application/json'])['schema'];
    const responses = new Map<string, JsonObject | null>();
    for (const [status, response] of Object.entries(asObject(raw['responses']))) {
      const schema = asObject(asObject(this.#resolve(response)['content'])['application/json'])['schema'];
      responses.set(status, isObject(schema) ? schema : null);
    }
    return {
      method,
      pathTemplate,
      operationId: typeof raw['operationId'] === 'string' ? raw['operationId'] : `${method} ${pathTemplate}`,
      parameters,
      requestBodySchema: isObject(bodySchema) ? bodySchema : null,
      requestBodyRequired: requestBody['required'] === true,
      responses,
    };
  }

  #validator(key: string, ajv: Ajv, schema: JsonObject): ValidateFunction {
    let validate = this.#compiled.get(key);
    if (!validate) {
      validate = ajv.compile(this.#standalone(key, schema));
      this.#compiled.set(key, validate);
    }
    return validate;
  }

  /**
   * One operation's schema with just the components it refers to (transitively), so ajv
   * compiles a few hundred kilobytes on first use instead of walking the whole description.
   * Works on a copy, where OpenAPI's `nullable` is rewritten for JSON Schema.
   */
  #standalone(key: string, schema: JsonObject): JsonObject {
    const refs = new Set<string>();
    collectRefs(schema, refs);
    const done = new Set<string>();
    const components: JsonObject = {};
    for (let pending = [...refs]; pending.length > 0;) {
      const ref = pending.pop() ?? '';
      if (done.has(ref)) continue;
      done.add(ref);
      const parts = ref.replace(/^#\/components\//, '').split('/');
      const [section, name] = parts;
      if (parts.length !== 2 || section === undefined || name === undefined) throw new Error(`unsupported $ref ${ref}`);
      const target = asObject(this.#components[section])[name];
      if (!isObject(target)) throw new Error(`unresolved $ref ${ref}`);
      const copy = asObject(deepCopy(target));
      const sectionCopy = asObject((components[section] ??= {}));
      sectionCopy[name] = copy;
      const more = new Set<string>();
      collectRefs(copy, more);
      pending.push(...[...more].filter((r) => !done.has(r)));
    }
    const root: JsonObject = { $id: `urn:github-openapi:${encodeURIComponent(key)}`, allOf: [deepCopy(schema)], components };
    rewriteNullable(root);
    return root;
  }

  /** Validates path parameters, query parameters and the JSON body; returns problems found. */
  validateRequest(operation: OpenApiOperation, pathParams: Record<string, string>, query: URLSearchParams, body: unknown): string[] {
    const problems: string[] = [];
    for (const location of ['path', 'query'] as const) {
      const declared = operation.parameters.filter((p) => p.in === location);
      const properties: JsonObject = {};
      const required: string[] = [];
      for (const p of declared) {
        properties[p.name] = p.schema ?? {};
        if (p.required) required.push(p.name);
      }
      const values: Record<string, unknown> = {};
      if (location === 'path') Object.assign(values, pathParams);
      else for (const [name, value] of query) values[name] = value;
      const validate = this.#validator(`${operation.operationId}#${location}`, this.#params, {
        type: 'object',
        properties,
        required,
        additionalProperties: false,
      });
      if (!validate(values)) problems.push(...formatErrors(validate.errors, location));
    }
    if (operation.requestBodySchema) {
      if (body === undefined) {
        if (operation.requestBodyRequired) problems.push('body is required');
      } else {
        const validate = this.#validator(`${operation.operationId}#body`, this.#bodies, operation.requestBodySchema);
        if (!validate(body)) problems.push(...formatErrors(validate.errors, 'body'));
      }
    } else if (body !== undefined && operation.method !== 'get') {
      problems.push('body is not expected for this operation');
    }
    return problems;
  }

  /** Validates a response body against the schema documented for its status, if any. */
  validateResponse(operation: OpenApiOperation, status: number, body: unknown): string[] {
    const schema = operation.responses.get(String(status));
    if (schema === undefined) {
      // GitHub's description leaves many error statuses out; a 2xx it does not list is ours.
      return status < 300 ? [`status ${status} is not documented for ${operation.operationId}`] : [];
    }
    if (schema === null) return body === undefined ? [] : [`status ${status} documents no body`];
    const validate = this.#validator(`${operation.operationId}#${status}`, this.#bodies, schema);
    return validate(body) ? [] : formatErrors(validate.errors, 'response');
  }

  /** Validates a webhook payload against components.schemas['webhook-<name>'] (e.g. 'push'). */
  validateWebhook(name: string, payload: unknown): string[] {
    const schemaName = `webhook-${name}`;
    if (!isObject(asObject(this.#components['schemas'])[schemaName])) return [`no schema ${schemaName}`];
    const validate = this.#validator(`webhook#${name}`, this.#bodies, {
      $ref: `#/components/schemas/${schemaName}`,
    });
    return validate(payload) ? [] : formatErrors(validate.errors, 'payload');
  }
}

let openApi: Promise<GitHubOpenApi> | undefined;

/** Loads (once per process) the api.github.com description shipped in @octokit/openapi. */
export function loadGitHubOpenApi(): Promise<GitHubOpenApi> {
  openApi ??= (async () => {
    const started = performance.now();
    const require = createRequire(import.meta.url);
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    const document = JSON.parse(await readFile(file, 'utf8')) as JsonObject;
    return new GitHubOpenApi(document, performance.now() - started);
  })();
  return openApi;
}

// ---------------------------------------------------------------------------------------------
// Real-shaped objects

export interface GitHubIdentity {
  login: string;
  id: number;
  type: 'Bot' | 'User' | 'Organization';
  /**
   * GET /user works for personal tokens; an installation token such as GITHUB_TOKEN gets
   * 403 "Resource not accessible by integration". Defaults to true for users, false for bots.
   */
  canReadUser?: boolean;
}

export const GITHUB_ACTIONS_BOT: GitHubIdentity = {
  login: 'github-actions[bot]',
  id: 41898282,
  type: 'Bot',
  canReadUser: false,
};

const WEB = 'https://github.com';
const PUBLIC_API = 'https://api.github.com';

/** A deterministic positive id for a name, so the same repository always gets the same id. */
function stableId(name: string): number {
  return (createHash('sha256').update(name).digest().readUInt32BE(0) % 900_000_000) + 100_000_000;
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(String(id)).toString('base64url')}`;
}

/** GitHub's timestamps: ISO 8601 in UTC without milliseconds. */
export function githubTime(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function simpleUser(identity: GitHubIdentity, api: string = PUBLIC_API): JsonObject {
  const { login, id, type } = identity;
  const userUrl = `${api}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: nodeId(type === 'Bot' ? 'BOT' : 'U', id),
    avatar_url: type === 'Bot' ? 'https://avatars.githubusercontent.com/in/15368?v=4' : `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: userUrl,
    html_url: type === 'Bot' ? `${WEB}/apps/${login.replace(/\[bot\]$/, '')}` : `${WEB}/${login}`,
    followers_url: `${userUrl}/followers`,
    following_url: `${userUrl}/following{/other_user}`,
    gists_url: `${userUrl}/gists{/gist_id}`,
    starred_url: `${userUrl}/starred{/owner}{/repo}`,
    subscriptions_url: `${userUrl}/subscriptions`,
    organizations_url: `${userUrl}/orgs`,
    repos_url: `${userUrl}/repos`,
    events_url: `${userUrl}/events{/privacy}`,
    received_events_url: `${userUrl}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false,
  };
}

function ownerIdentity(login: string): GitHubIdentity {
  return { login, id: stableId(`user:${login}`), type: 'User' };
}

export interface RepositoryShape {
  owner: string;
  repo: string;
  defaultBranch?: string;
  fork?: boolean;
  private?: boolean;
}

/** A repository object as GitHub embeds it in pull requests and webhook payloads. */
export function repositoryObject(shape: RepositoryShape, api: string = PUBLIC_API): JsonObject {
  const fullName = `${shape.owner}/${shape.repo}`;
  const id = stableId(`repo:${fullName}`);
  const url = `${api}/repos/${fullName}`;
  const time = '2024-01-02T03:04:05Z';
  return {
    id,
    node_id: nodeId('R', id),
    name: shape.repo,
    full_name: fullName,
    private: shape.private ?? false,
    owner: simpleUser(ownerIdentity(shape.owner), api),
    html_url: `${WEB}/${fullName}`,
    description: null,
    fork: shape.fork ?? false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `git://github.com/${fullName}.git`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@github.com:${fullName}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${WEB}/${fullName}.git`,
    mirror_url: null,
    hooks_url: `${url}/hooks`,
    svn_url: `${WEB}/${fullName}`,
    homepage: null,
    language: 'Python',
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 120,
    default_branch: shape.defaultBranch ?? 'main',
    open_issues_count: 1,
    open_issues: 1,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: shape.private ? 'private' : 'public',
    pushed_at: time,
    created_at: time,
    updated_at: time,
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
  };
}

export interface PullRequestSeed {
  owner: string;
  repo: string;
  number: number;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha?: string;
  title?: string;
  body?: string | null;
  state?: 'open' | 'closed';
  /** true: the head lives in `<owner>-fork/<repo>`; an object names the fork's owner. */
  fork?: boolean | { owner: string };
  user?: GitHubIdentity;
  mergeCommitSha?: string | null;
  defaultBranch?: string;
}

function forkOwner(seed: { owner: string; fork?: boolean | { owner: string } }): string {
  if (!seed.fork) return seed.owner;
  return typeof seed.fork === 'object' ? seed.fork.owner : `${seed.owner}-fork`;
}

function fakeSha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The `pull-request` (full) shape of GET /repos/{owner}/{repo}/pulls/{pull_number}. */
export function pullRequestObject(seed: PullRequestSeed, api: string = PUBLIC_API, full = true): JsonObject {
  const fullName = `${seed.owner}/${seed.repo}`;
  const headOwner = forkOwner(seed);
  const id = stableId(`pr:${fullName}#${seed.number}`);
  const url = `${api}/repos/${fullName}/pulls/${seed.number}`;
  const issueUrl = `${api}/repos/${fullName}/issues/${seed.number}`;
  const html = `${WEB}/${fullName}/pull/${seed.number}`;
  const user = simpleUser(seed.user ?? ownerIdentity(headOwner), api);
  const baseRepo = repositoryObject({ owner: seed.owner, repo: seed.repo, defaultBranch: seed.defaultBranch ?? seed.baseRef }, api);
  const headRepo = seed.fork
    ? repositoryObject({ owner: headOwner, repo: seed.repo, fork: true, defaultBranch: seed.defaultBranch ?? seed.baseRef }, api)
    : baseRepo;
  const time = '2024-02-03T04:05:06Z';
  const pr: JsonObject = {
    url,
    id,
    node_id: nodeId('PR', id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/repos/${fullName}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${api}/repos/${fullName}/statuses/${seed.headSha}`,
    number: seed.number,
    state: seed.state ?? 'open',
    locked: false,
    title: seed.title ?? `Change ${seed.headRef}`,
    user,
    body: seed.body ?? null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: time,
    updated_at: time,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: seed.mergeCommitSha === undefined ? fakeSha(`merge:${fullName}#${seed.number}`) : seed.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${headOwner}:${seed.headRef}`,
      ref: seed.headRef,
      sha: seed.headSha,
      user: simpleUser(ownerIdentity(headOwner), api),
      repo: headRepo,
    },
    base: {
      label: `${seed.owner}:${seed.baseRef}`,
      ref: seed.baseRef,
      sha: seed.baseSha ?? fakeSha(`base:${fullName}:${seed.baseRef}`),
      user: simpleUser(ownerIdentity(seed.owner), api),
      repo: baseRepo,
    },
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/repos/${fullName}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${api}/repos/${fullName}/statuses/${seed.headSha}` },
    },
    author_association: seed.fork ? 'CONTRIBUTOR' : 'MEMBER',
    auto_merge: null,
    draft: false,
  };
  if (full) {
    Object.assign(pr, {
      merged: false,
      mergeable: true,
      rebaseable: true,
      mergeable_state: 'clean',
      merged_by: null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: Boolean(seed.fork),
      commits: 1,
      additions: 10,
      deletions: 2,
      changed_files: 1,
    });
  }
  return pr;
}

export interface PullRequestEventOptions extends PullRequestSeed {
  action?: 'opened' | 'synchronize' | 'reopened';
  sender?: GitHubIdentity;
}

/** A `pull_request` webhook payload, what GITHUB_EVENT_PATH holds on a pull_request run. */
export function pullRequestEvent(options: PullRequestEventOptions): JsonObject {
  const pr = pullRequestObject(options, PUBLIC_API, true);
  const event: JsonObject = {
    action: options.action ?? 'opened',
    number: options.number,
    pull_request: pr,
    repository: repositoryObject({ owner: options.owner, repo: options.repo, defaultBranch: options.defaultBranch ?? options.baseRef }),
    sender: simpleUser(options.sender ?? ownerIdentity(forkOwner(options))),
  };
  if (options.action === 'synchronize') {
    event['before'] = fakeSha(`before:${options.headSha}`);
    event['after'] = options.headSha;
  }
  return event;
}

export interface PushEventOptions {
  owner: string;
  repo: string;
  /** Branch name ("main") or a full ref ("refs/heads/main"). */
  ref: string;
  sha: string;
  before?: string;
  defaultBranch?: string;
  message?: string;
  sender?: GitHubIdentity;
}

/** A `push` webhook payload for a branch. */
export function pushEvent(options: PushEventOptions): JsonObject {
  const ref = options.ref.startsWith('refs/') ? options.ref : `refs/heads/${options.ref}`;
  const fullName = `${options.owner}/${options.repo}`;
  const before = options.before ?? fakeSha(`before:${options.sha}`);
  const sender = options.sender ?? ownerIdentity(options.owner);
  const author = { name: sender.login, email: `${sender.id}+${sender.login}@users.noreply.github.com`, username: sender.login };
  const commit: JsonObject = {
    id: options.sha,
    tree_id: fakeSha(`tree:${options.sha}`),
    distinct: true,
    message: options.message ?? 'Update app',
    timestamp: '2024-02-03T04:05:06+00:00',
    url: `${WEB}/${fullName}/commit/${options.sha}`,
    author,
    committer: author,
    added: [],
    removed: [],
    modified: ['Dockerfile'],
  };
  const repository = repositoryObject({ owner: options.owner, repo: options.repo, defaultBranch: options.defaultBranch ?? 'main' });
  // Push payloads carry the repository's dates as epoch seconds and a few extra fields.
  Object.assign(repository, {
    created_at: 1704164645,
    pushed_at: 1706933106,
    stargazers: 0,
    master_branch: options.defaultBranch ?? 'main',
  });
  return {
    ref,
    before,
    after: options.sha,
    repository,
    pusher: { name: sender.login, email: author.email },
    sender: simpleUser(sender),
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${WEB}/${fullName}/compare/${before.slice(0, 12)}...${options.sha.slice(0, 12)}`,
    commits: [commit],
    head_commit: commit,
  };
}

export interface WorkflowRunEventOptions {
  owner: string;
  repo: string;
  /** The run that finished (the check workflow's run). */
  runId: number;
  runAttempt?: number;
  headSha: string;
  headBranch: string;
  /** What triggered that run. */
  event?: 'pull_request' | 'push';
  conclusion?: 'success' | 'failure' | 'cancelled';
  /** As GitHub fills it: the pull requests of the same repository; empty for a fork's. */
  pullRequests?: Array<{ number: number; headRef?: string; baseRef?: string }>;
  /** true: the run built `<owner>-fork/<repo>`; an object names the fork's owner. */
  fork?: boolean | { owner: string };
  workflowName?: string;
}

/** A `workflow_run` (completed) webhook payload, what GITHUB_EVENT_PATH holds in a workflow_run workflow. */
export function workflowRunEvent(options: WorkflowRunEventOptions): JsonObject {
  const fullName = `${options.owner}/${options.repo}`;
  const api = `${PUBLIC_API}/repos/${fullName}`;
  const headOwner = forkOwner(options);
  const lite = (shape: RepositoryShape): JsonObject => {
    const full = repositoryObject(shape);
    const keep = [
      'archive_url',
      'assignees_url',
      'blobs_url',
      'branches_url',
      'collaborators_url',
      'comments_url',
      'commits_url',
      'compare_url',
      'contents_url',
      'contributors_url',
      'deployments_url',
      'description',
      'downloads_url',
      'events_url',
      'fork',
      'forks_url',
      'full_name',
      'git_commits_url',
      'git_refs_url',
      'git_tags_url',
      'hooks_url',
      'html_url',
      'id',
      'issue_comment_url',
      'issue_events_url',
      'issues_url',
      'keys_url',
      'labels_url',
      'languages_url',
      'merges_url',
      'milestones_url',
      'name',
      'node_id',
      'notifications_url',
      'owner',
      'private',
      'pulls_url',
      'releases_url',
      'stargazers_url',
      'statuses_url',
      'subscribers_url',
      'subscription_url',
      'tags_url',
      'teams_url',
      'trees_url',
      'url',
    ];
    return Object.fromEntries(keep.map((k) => [k, full[k] ?? null]));
  };
  const baseRepo = lite({ owner: options.owner, repo: options.repo });
  const headRepo = options.fork ? lite({ owner: headOwner, repo: options.repo, fork: true }) : baseRepo;
  const repoRef = { id: Number(baseRepo['id']), url: api, name: options.repo };
  const actor = simpleUser(ownerIdentity(headOwner));
  const run = `${api}/actions/runs/${options.runId}`;
  const time = '2024-02-03T04:05:06Z';
  const workflowRun: JsonObject = {
    actor,
    artifacts_url: `${run}/artifacts`,
    cancel_url: `${run}/cancel`,
    check_suite_id: 1_000_000 + options.runId,
    check_suite_node_id: nodeId('CS', 1_000_000 + options.runId),
    check_suite_url: `${api}/check-suites/${1_000_000 + options.runId}`,
    conclusion: options.conclusion ?? 'success',
    created_at: time,
    event: options.event ?? 'pull_request',
    head_branch: options.headBranch,
    head_commit: {
      id: options.headSha,
      tree_id: fakeSha(`tree:${options.headSha}`),
      message: 'Update app',
      timestamp: time,
      author: { name: headOwner, email: `${headOwner}@users.noreply.github.com` },
      committer: { name: headOwner, email: `${headOwner}@users.noreply.github.com` },
    },
    head_repository: headRepo,
    head_sha: options.headSha,
    html_url: `${WEB}/${fullName}/actions/runs/${options.runId}`,
    id: options.runId,
    jobs_url: `${run}/jobs`,
    logs_url: `${run}/logs`,
    name: options.workflowName ?? 'check',
    node_id: nodeId('WFR', options.runId),
    path: '.github/workflows/check.yml',
    previous_attempt_url: null,
    pull_requests: (options.pullRequests ?? []).map((p) => ({
      url: `${api}/pulls/${p.number}`,
      id: stableId(`pr:${fullName}#${p.number}`),
      number: p.number,
      head: { ref: p.headRef ?? options.headBranch, sha: options.headSha, repo: repoRef },
      base: { ref: p.baseRef ?? 'main', sha: fakeSha(`base:${fullName}:main`), repo: repoRef },
    })),
    referenced_workflows: [],
    repository: baseRepo,
    rerun_url: `${run}/rerun`,
    run_attempt: options.runAttempt ?? 1,
    run_number: options.runId % 1000,
    run_started_at: time,
    status: 'completed',
    triggering_actor: actor,
    updated_at: time,
    url: run,
    workflow_id: 161335,
    workflow_url: `${api}/actions/workflows/161335`,
  };
  return {
    action: 'completed',
    repository: repositoryObject({ owner: options.owner, repo: options.repo }),
    sender: actor,
    workflow: {
      badge_url: `${WEB}/${fullName}/workflows/check/badge.svg`,
      created_at: time,
      html_url: `${WEB}/${fullName}/blob/main/.github/workflows/check.yml`,
      id: 161335,
      name: options.workflowName ?? 'check',
      node_id: nodeId('W', 161335),
      path: '.github/workflows/check.yml',
      state: 'active',
      updated_at: time,
      url: `${api}/actions/workflows/161335`,
    },
    workflow_run: workflowRun,
  };
}

// ---------------------------------------------------------------------------------------------
// The server

export interface IssueComment {
  id: number;
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  user: GitHubIdentity;
  createdAt: string;
  updatedAt: string;
}

export interface CommentSeed {
  owner: string;
  repo: string;
  issueNumber: number;
  /** How many comments to add (default 1). */
  count?: number;
  /** The body, or a function of the comment's index (0-based). */
  body?: string | ((index: number) => string);
  user?: GitHubIdentity;
}

export interface GitHubServerOptions {
  /** Token → identity. Tokens not listed get `defaultIdentity` unless `rejectUnknownTokens`. */
  tokens?: Record<string, GitHubIdentity>;
  defaultIdentity?: GitHubIdentity;
  /** Unknown tokens get 401 "Bad credentials" as on GitHub. */
  rejectUnknownTokens?: boolean;
  pulls?: PullRequestSeed[];
  comments?: CommentSeed[];
  /** A fork pull request's read-only token: comment writes get 403. */
  readOnly?: boolean;
  /** Delay before answering every request. */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The login the token resolved to, or null for an anonymous call. */
  login: string | null;
  operationId: string | null;
  status: number;
}

export interface Violation {
  kind: 'unknown-operation' | 'unimplemented' | 'request' | 'response';
  method: string;
  path: string;
  operationId: string | null;
  errors: string[];
}

export interface InjectedFailure {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Only requests whose "METHOD path" matches; all requests when absent. */
  match?: RegExp;
}

export interface GitHubServer {
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Requests (or our own answers) that do not conform to GitHub's description. */
  violations: Violation[];
  /** Time spent loading the description (0 when another server already loaded it). */
  specLoadMs: number;
  readOnly: boolean;
  delayMs: number;
  /** Answers the next `count` matching requests with the given failure. */
  failNext(count: number, failure: InjectedFailure): void;
  /**
   * Holds the next `count` requests whose "METHOD path" matches until all of them have
   * arrived (or `timeoutMs` passed), then answers them: forces concurrent clients to interleave.
   */
  holdTogether(match: RegExp, count: number, timeoutMs?: number): void;
  addPullRequest(seed: PullRequestSeed): void;
  seedComments(seed: CommentSeed): IssueComment[];
  /** The comments of one issue or pull request, oldest first. */
  comments(owner: string, repo: string, issueNumber: number): IssueComment[];
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Route {
  operation: OpenApiOperation;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  identity: GitHubIdentity | null;
  authenticated: boolean;
}

const DOCS = 'https://docs.github.com/rest';

function errorReply(status: number, message: string, extra: JsonObject = {}): Reply {
  return { status, body: { message, documentation_url: DOCS, status: String(status), ...extra } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function commentKey(owner: string, repo: string, issueNumber: number): string {
  return `${owner.toLowerCase()}/${repo.toLowerCase()}#${issueNumber}`;
}

export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  const alreadyLoaded = openApi !== undefined;
  const spec = await loadGitHubOpenApi();
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const failures: Array<InjectedFailure & { remaining: number }> = [];
  const barriers: Array<{ match: RegExp; count: number; waiting: Array<() => void>; timeoutMs: number }> = [];
  const comments = new Map<number, IssueComment>();
  const pulls = new Map<string, PullRequestSeed>();
  let nextCommentId = 2_000_000_001;
  let base = '';

  const pullKey = (owner: string, repo: string, n: number) => `${owner.toLowerCase()}/${repo.toLowerCase()}#${n}`;

  const addComment = (owner: string, repo: string, issueNumber: number, body: string, user: GitHubIdentity): IssueComment => {
    const now = githubTime();
    const comment: IssueComment = { id: nextCommentId++, owner, repo, issueNumber, body, user, createdAt: now, updatedAt: now };
    comments.set(comment.id, comment);
    return comment;
  };

  const listComments = (owner: string, repo: string, issueNumber: number) => {
    const key = commentKey(owner, repo, issueNumber);
    return [...comments.values()].filter((c) => commentKey(c.owner, c.repo, c.issueNumber) === key).sort((a, b) => a.id - b.id);
  };

  const commentJson = (c: IssueComment): JsonObject => {
    const isPull = pulls.has(pullKey(c.owner, c.repo, c.issueNumber));
    const repoApi = `${base}/repos/${c.owner}/${c.repo}`;
    return {
      id: c.id,
      node_id: nodeId('IC', c.id),
      url: `${repoApi}/issues/comments/${c.id}`,
      html_url: `${WEB}/${c.owner}/${c.repo}/${isPull ? 'pull' : 'issues'}/${c.issueNumber}#issuecomment-${c.id}`,
      body: c.body,
      user: simpleUser(c.user, base),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      issue_url: `${repoApi}/issues/${c.issueNumber}`,
      author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER',
      performed_via_github_app: null,
      reactions: {
        url: `${repoApi}/issues/comments/${c.id}/reactions`,
        total_count: 0,
        '+1': 0,
        '-1': 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0,
      },
    };
  };

  const seedComments = (seed: CommentSeed): IssueComment[] => {
    const added: IssueComment[] = [];
    for (let i = 0; i < (seed.count ?? 1); i++) {
      const body = typeof seed.body === 'function' ? seed.body(i) : (seed.body ?? `Comment ${i + 1}`);
      added.push(addComment(seed.owner, seed.repo, seed.issueNumber, body, seed.user ?? ownerIdentity(seed.owner)));
    }
    return added;
  };

  for (const seed of options.pulls ?? []) pulls.set(pullKey(seed.owner, seed.repo, seed.number), seed);
  for (const seed of options.comments ?? []) seedComments(seed);

  /** One page of a list, with the Link header GitHub sends. */
  const paginate = <T>(items: T[], path: string, query: URLSearchParams): { page: T[]; headers: Record<string, string> } => {
    const perPage = Math.min(Math.max(Number(query.get('per_page') ?? 30) || 30, 1), 100);
    const page = Math.max(Number(query.get('page') ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (p: number, rel: string) => {
      const q = new URLSearchParams(query);
      q.set('page', String(p));
      if (!q.has('per_page') && perPage !== 30) q.set('per_page', String(perPage));
      return `<${base}${path}?${q.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    const headers: Record<string, string> = links.length ? { link: links.join(', ') } : {};
    return { page: items.slice((page - 1) * perPage, page * perPage), headers };
  };

  const forbiddenWrite = (): Reply =>
    errorReply(403, 'Resource not accessible by integration', {
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
    });

  const handlers: Record<string, (r: Route, path: string) => Reply> = {
    'issues/list-comments': (r, path) => {
      const since = r.query.get('since');
      let items = listComments(r.params['owner'] ?? '', r.params['repo'] ?? '', Number(r.params['issue_number']));
      if (since) items = items.filter((c) => Date.parse(c.updatedAt) >= Date.parse(since));
      const { page, headers } = paginate(items, path, r.query);
      return { status: 200, body: page.map(commentJson), headers };
    },
    'issues/create-comment': (r) => {
      if (!r.identity) return errorReply(401, 'Requires authentication');
      if (server.readOnly) return forbiddenWrite();
      const body = text(asObject(r.body)['body']);
      const tooLong = tooLongBody(body);
      if (tooLong) return tooLong;
      const c = addComment(r.params['owner'] ?? '', r.params['repo'] ?? '', Number(r.params['issue_number']), body, r.identity);
      const json = commentJson(c);
      return { status: 201, body: json, headers: { location: text(json['url']) } };
    },
    'issues/get-comment': (r) => {
      const c = findComment(r);
      return c ? { status: 200, body: commentJson(c) } : errorReply(404, 'Not Found');
    },
    'issues/update-comment': (r) => {
      if (!r.identity) return errorReply(401, 'Requires authentication');
      if (server.readOnly) return forbiddenWrite();
      const c = findComment(r);
      if (!c) return errorReply(404, 'Not Found');
      const body = text(asObject(r.body)['body']);
      const tooLong = tooLongBody(body);
      if (tooLong) return tooLong;
      c.body = body;
      c.updatedAt = githubTime();
      return { status: 200, body: commentJson(c) };
    },
    'issues/delete-comment': (r) => {
      if (!r.identity) return errorReply(401, 'Requires authentication');
      if (server.readOnly) return forbiddenWrite();
      const c = findComment(r);
      if (!c) return errorReply(404, 'Not Found');
      comments.delete(c.id);
      return { status: 204 };
    },
    'users/get-authenticated': (r) => {
      if (!r.identity) return errorReply(401, 'Requires authentication');
      const canRead = r.identity.canReadUser ?? r.identity.type !== 'Bot';
      if (!canRead) {
        return errorReply(403, 'Resource not accessible by integration', {
          documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
        });
      }
      return {
        status: 200,
        body: {
          ...simpleUser(r.identity, base),
          name: null,
          company: null,
          blog: '',
          location: null,
          email: null,
          hireable: null,
          bio: null,
          twitter_username: null,
          public_repos: 1,
          public_gists: 0,
          followers: 0,
          following: 0,
          created_at: '2020-01-01T00:00:00Z',
          updated_at: '2024-01-01T00:00:00Z',
        },
      };
    },
    'repos/list-pull-requests-associated-with-commit': (r, path) => {
      const owner = (r.params['owner'] ?? '').toLowerCase();
      const repo = (r.params['repo'] ?? '').toLowerCase();
      const sha = r.params['commit_sha'] ?? '';
      const found = [...pulls.values()]
        .filter((p) => p.owner.toLowerCase() === owner && p.repo.toLowerCase() === repo)
        .filter((p) => p.headSha === sha || (p.mergeCommitSha != null && p.mergeCommitSha === sha))
        .sort((a, b) => b.number - a.number);
      const { page, headers } = paginate(found, path, r.query);
      return { status: 200, body: page.map((p) => pullRequestObject(p, base, false)), headers };
    },
    'pulls/get': (r) => {
      const seed = pulls.get(pullKey(r.params['owner'] ?? '', r.params['repo'] ?? '', Number(r.params['pull_number'])));
      return seed ? { status: 200, body: pullRequestObject(seed, base, true) } : errorReply(404, 'Not Found');
    },
  };

  function findComment(r: Route): IssueComment | undefined {
    const c = comments.get(Number(r.params['comment_id']));
    if (!c) return undefined;
    const sameRepo = c.owner.toLowerCase() === (r.params['owner'] ?? '').toLowerCase() && c.repo.toLowerCase() === (r.params['repo'] ?? '').toLowerCase();
    return sameRepo ? c : undefined;
  }

  function tooLongBody(body: string): Reply | null {
    // GitHub counts characters (code points), not UTF-16 units.
    if (Array.from(body).length <= 65536) return null;
    return errorReply(422, 'Validation Failed', {
      errors: [{ resource: 'IssueComment', code: 'unprocessable', field: 'data', message: 'Body is too long (maximum is 65536 characters)' }],
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
    });
  }

  const resolveIdentity = (header: string | undefined): { identity: GitHubIdentity | null; bad: boolean } => {
    if (!header) return { identity: null, bad: false };
    const token = header.replace(/^(token|bearer)\s+/i, '').trim();
    const known = options.tokens?.[token];
    if (known) return { identity: known, bad: false };
    if (options.rejectUnknownTokens) return { identity: null, bad: true };
    return { identity: options.defaultIdentity ?? GITHUB_ACTIONS_BOT, bad: false };
  };

  const send = (res: ServerResponse, reply: Reply) => {
    const headers: Record<string, string> = {
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-github-request-id': createHash('md5').update(String(Math.random())).digest('hex').slice(0, 16).toUpperCase(),
      ...reply.headers,
    };
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    const text = await readBody(req);
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      login: null,
      operationId: null,
      status: 0,
    };
    requests.push(record);
    const finish = (reply: Reply) => {
      record.status = reply.status;
      send(res, reply);
    };

    if (server.delayMs > 0) await sleep(server.delayMs);

    // Requests that must arrive together (to force the interleaving of concurrent clients).
    const barrier = barriers.find((b) => b.waiting.length < b.count && b.match.test(`${method} ${path}`));
    if (barrier) {
      await new Promise<void>((resolve) => {
        barrier.waiting.push(resolve);
        if (barrier.waiting.length === barrier.count) {
          barriers.splice(barriers.indexOf(barrier), 1);
          for (const release of barrier.waiting) release();
        } else {
          setTimeout(resolve, barrier.timeoutMs).unref();
        }
      });
    }

    let body: unknown;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        violations.push({ kind: 'request', method, path, operationId: null, errors: ['body is not valid JSON'] });
        finish(errorReply(400, 'Problems parsing JSON'));
        return;
      }
    }
    record.body = body;

    const failure = failures.find((f) => f.remaining > 0 && (!f.match || f.match.test(`${method} ${path}`)));
    if (failure) {
      failure.remaining--;
      finish({ status: failure.status, body: failure.body ?? { message: 'Injected failure', status: String(failure.status) }, headers: failure.headers ?? {} });
      return;
    }

    const matched = spec.match(method, path);
    if (!matched) {
      violations.push({ kind: 'unknown-operation', method, path, operationId: null, errors: [`${method} ${path} is not in GitHub's REST description`] });
      finish(errorReply(404, 'Not Found'));
      return;
    }
    const { operation, pathParams } = matched;
    record.operationId = operation.operationId;

    const problems = spec.validateRequest(operation, pathParams, url.searchParams, body);
    if (problems.length > 0) {
      violations.push({ kind: 'request', method, path, operationId: operation.operationId, errors: problems });
      finish(errorReply(422, `Invalid request.\n\n${problems.join('\n')}`));
      return;
    }

    const { identity, bad } = resolveIdentity(req.headers.authorization);
    if (bad) {
      finish(errorReply(401, 'Bad credentials'));
      return;
    }
    record.login = identity?.login ?? null;

    const handler = handlers[operation.operationId];
    if (!handler) {
      violations.push({
        kind: 'unimplemented',
        method,
        path,
        operationId: operation.operationId,
        errors: [`${operation.operationId} exists on GitHub but the local server does not implement it`],
      });
      finish(errorReply(501, `${operation.operationId} is not implemented by the local GitHub server`));
      return;
    }
    const reply = handler({ operation, params: pathParams, query: url.searchParams, body, identity, authenticated: identity !== null }, path);
    const responseProblems = spec.validateResponse(operation, reply.status, reply.body);
    if (responseProblems.length > 0) {
      violations.push({ kind: 'response', method, path, operationId: operation.operationId, errors: responseProblems });
    }
    finish(reply);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, errorReply(500, `Local GitHub server error: ${String(error)}`));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const server: GitHubServer = {
    url: base,
    requests,
    violations,
    specLoadMs: alreadyLoaded ? 0 : spec.loadMs,
    readOnly: options.readOnly ?? false,
    delayMs: options.delayMs ?? 0,
    holdTogether(match, count, timeoutMs = 5000) {
      barriers.push({ match, count, waiting: [], timeoutMs });
    },
    failNext(count, failure) {
      failures.push({ ...failure, remaining: count });
    },
    addPullRequest(seed) {
      pulls.set(pullKey(seed.owner, seed.repo, seed.number), seed);
    },
    seedComments,
    comments: listComments,
    close() {
      return new Promise<void>((resolve, reject) => {
        http.closeAllConnections();
        http.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
  return server;
}

/** A string field of a request or answer; anything else reads as empty. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
