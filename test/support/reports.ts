/**
 * Reports shaped like real runs, for the renderer's tests and the comment screenshot: a
 * FastAPI service that grew, one that crashed on start, and one full of hostile strings.
 */
import type { CheckReport, SizeLayer } from '../../src/model/report.ts';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | T[K] : T[K] };

export function passingReport(): CheckReport {
  return {
    schemaVersion: 1,
    verdict: 'pass',
    reasons: [],
    startedAt: '2025-03-14T09:26:53.000Z',
    durationMs: 63_400,
    tool: { name: 'deploy-check', version: '0.1.0' },
    source: {
      context: '/home/runner/work/shop/shop',
      dockerfile: '/home/runner/work/shop/shop/Dockerfile',
      target: null,
      commit: '3f768f7a1c2b4d5e6f708192a3b4c5d6e7f80912',
      ref: 'feature/orders-export',
      runUrl: 'https://github.com/acme/shop/actions/runs/4242',
      commitUrl: 'https://github.com/acme/shop/commit/3f768f7a1c2b4d5e6f708192a3b4c5d6e7f80912',
      pullRequest: 12,
      commentKey: 'default',
    },
    image: { id: 'sha256:9c2b6f1e0d3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c', ref: 'acme/shop-api:pr-12' },
    build: {
      status: 'success',
      durationMs: 41_800,
      steps: { total: 12, cached: 9, list: [] },
      cache: {
        enabled: true,
        restored: true,
        key: 'deploy-check-buildkit-Linux-x64#3f768f7',
        matchedKey: 'deploy-check-buildkit-Linux-x64#a1b2c3d',
        saved: true,
        note: null,
        store: 'actions',
        mode: 'max',
        exactHit: false,
        restoredBytes: 186_000_000,
        restoreMs: 3_100,
        saveReason: null,
        savedBytes: 191_000_000,
        saveMs: 4_200,
        timeSavedMs: 95_000,
        warnings: [],
      },
      builder: null,
      failure: null,
    },
    health: {
      status: 'healthy',
      strategy: 'http',
      target: 'GET http://127.0.0.1:49153/health',
      timeToHealthyMs: 1_240,
      timeoutMs: 60_000,
      reason: null,
      container: { id: 'c0ffee', exitCode: null, oomKilled: false, running: true },
      lastHttp: { status: 200, body: '{"status":"ok"}', error: null },
      healthLog: [],
      logs: ['INFO:     Started server process [1]', 'INFO:     Uvicorn running on http://0.0.0.0:8000'],
    },
    // The shape the size stage writes: its own comparison by instruction, budgets, threshold.
    size: {
      status: 'measured',
      bytes: 318_400_000,
      compressedBytes: 104_900_000,
      uncompressedSource: 'engine-snapshot-usage',
      compressedSource: 'image-manifest',
      store: 'containerd',
      measureMs: 850,
      baseImage: { ref: 'python:3.12-slim', line: 1, layers: 1, bytes: 120_000_000, compressedBytes: 41_000_000 },
      layers: [
        layer('FROM python:3.12-slim', 1, 120_000_000, 41_000_000, true),
        layer('RUN apt-get update && apt-get install -y --no-install-recommends libpq5', 6, 14_200_000, 5_100_000),
        layer('COPY --from=builder /opt/venv /opt/venv', 14, 171_900_000, 54_600_000),
        layer('COPY app/ /app/app/', 16, 12_300_000, 4_200_000),
      ],
      baseline: {
        source: 'main (run 4101, a1b2c3d)',
        kind: 'auto',
        ref: null,
        bytes: 296_100_000,
        compressedBytes: 98_700_000,
        uncompressedSource: 'engine-snapshot-usage',
        compressedSource: 'image-manifest',
        baseImage: null,
        layers: [],
        commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        measuredAt: '2025-03-13T17:02:11.000Z',
      },
      baselineNote: null,
      delta: {
        bytes: 22_300_000,
        percent: 7.53,
        compressedBytes: 6_200_000,
        compressedPercent: 6.28,
        metric: 'compressed',
        baseImageChanged: false,
        layers: [
          {
            change: 'grown',
            instruction: 'COPY --from=builder /opt/venv /opt/venv',
            line: 14,
            base: false,
            bytes: 22_100_000,
            compressedBytes: 6_150_000,
            previousInstruction: null,
          },
          {
            change: 'grown',
            instruction: 'COPY app/ /app/app/',
            line: 16,
            base: false,
            bytes: 200_000,
            compressedBytes: 50_000,
            previousInstruction: 'COPY app /app/app',
          },
        ],
        notes: [],
      },
      budget: {
        metric: 'compressed',
        status: 'pass',
        checks: [
          { name: 'max-size', limit: '500MB', status: 'pass', actual: 104_900_000, message: '105 MB compressed is within max-size 500MB', layer: null },
          { name: 'max-increase', limit: '10%', status: 'pass', actual: 6.28, message: '+6.3% is within max-increase 10%', layer: null },
        ],
      },
      commentThreshold: { limit: '1%', bytes: null, percent: 1, reached: true },
      baselineSaved: null,
      notes: [],
    },
    hygiene: {
      status: 'checked',
      mode: 'fail',
      user: 'app',
      findings: [
        {
          id: 'no-healthcheck',
          severity: 'info',
          message: 'No HEALTHCHECK: Railway uses the healthcheckPath of railway.json instead',
          file: 'Dockerfile',
          line: null,
          layer: null,
          path: null,
          evidence: [],
        },
        {
          id: 'apt-lists',
          severity: 'warning',
          message: 'apt lists left in the image (rm -rf /var/lib/apt/lists/* in the same RUN saves 19 MB)',
          file: 'Dockerfile',
          line: 6,
          layer: { index: 1, digest: null, instruction: 'RUN apt-get update && apt-get install -y --no-install-recommends libpq5', line: 6, fromBase: false },
          path: '/var/lib/apt/lists',
          evidence: ['/var/lib/apt/lists: 19.2 MB in 31 files, layer 2 (line 6)'],
        },
      ],
    },
    deploy: null,
  };
}

export function crashedReport(): CheckReport {
  const r = passingReport();
  r.verdict = 'fail';
  r.reasons = ['Health check failed: the container exited with code 1 before it became healthy'];
  r.durationMs = 48_200;
  r.health = {
    status: 'unhealthy',
    strategy: 'http',
    target: 'GET http://127.0.0.1:49153/health',
    timeToHealthyMs: null,
    timeoutMs: 60_000,
    reason: 'the container exited with code 1 before it became healthy',
    container: { id: 'c0ffee', exitCode: 1, oomKilled: false, running: false },
    lastHttp: { status: null, body: null, error: 'connect ECONNREFUSED 127.0.0.1:49153' },
    healthLog: [],
    logs: [
      'Traceback (most recent call last):',
      '  File "/opt/venv/bin/uvicorn", line 8, in <module>',
      '    sys.exit(main())',
      '  File "/app/app/main.py", line 4, in <module>',
      '    from app.db import engine',
      '  File "/app/app/db.py", line 9, in <module>',
      '    DATABASE_URL = os.environ["DATABASE_URL"]',
      "KeyError: 'DATABASE_URL'",
    ],
  };
  const size = r.size;
  size.baseline = {
    source: 'main (run 4101, a1b2c3d)',
    kind: 'auto',
    ref: null,
    bytes: 317_900_000,
    compressedBytes: 104_700_000,
    uncompressedSource: 'engine-snapshot-usage',
    compressedSource: 'image-manifest',
    baseImage: null,
    layers: [],
    commit: null,
    measuredAt: null,
  };
  size.delta = {
    bytes: 500_000,
    percent: 0.16,
    compressedBytes: 200_000,
    compressedPercent: 0.19,
    metric: 'compressed',
    baseImageChanged: false,
    notes: [],
    layers: [
      { change: 'grown', instruction: 'COPY app/ /app/app/', line: 16, base: false, bytes: 500_000, compressedBytes: 200_000, previousInstruction: null },
    ],
  };
  size.commentThreshold = { limit: '1%', bytes: null, percent: 1, reached: false };
  return r;
}

/** Every string a hostile branch, Dockerfile or process could put in a report. */
export const HOSTILE = [
  '</details><img src=x onerror=alert(1)>',
  '| pipes | break | tables |',
  '<img src=x>',
  '![x](http://evil.example/pixel.png)',
  '@org/team please look @octocat',
  '```\n</details>\n```',
  '<!-- deploy-check:default -->',
  '<!-- -->',
  '#1 fixes #2 and acme/shop#3 and GH-4',
  '<script>alert(1)</script>',
  '[click](javascript:alert(1))',
  '\u001b[31mred\u001b[0m \u202eevil\u202c',
  'trailing backslash \\',
  '~~~\n<details open>',
] as const;

export function hostileReport(): CheckReport {
  const r = crashedReport();
  const evil = HOSTILE.join(' ');
  r.reasons = [`Health check failed: ${evil}`, `Hygiene: ${evil}`];
  r.source.ref = `feature/${HOSTILE[0]}${HOSTILE[1]}`;
  r.image.ref = 'acme/shop-api:<img src=x>';
  r.health.reason = evil;
  r.health.logs = [...HOSTILE.flatMap((h) => h.split('\n')), '````', '`````text', '</details>', '@everyone'];
  r.health.lastHttp = { status: 500, body: HOSTILE.join('\n'), error: null };
  const at = '2026-01-01T00:00:00.000Z';
  r.health.httpAnswers = [
    { status: 307, location: evil, body: HOSTILE.join('\n'), error: null, transient: false, count: 2, firstMs: 10, lastMs: 20, firstAt: at, lastAt: at },
    { status: null, location: null, body: null, error: evil, transient: false, count: 1, firstMs: 30, lastMs: 30, firstAt: at, lastAt: at },
    { status: 429, location: null, body: evil, error: null, transient: true, retryAfterMs: 2000, count: 5, firstMs: 40, lastMs: 90, firstAt: at, lastAt: at },
  ];
  r.size.layers = r.size.layers.map((l, i) => ({ ...l, instruction: `${l.instruction} ${HOSTILE[i % HOSTILE.length] ?? ''}` }));
  r.hygiene.findings = HOSTILE.map((h, i) => ({
    id: `rule-${i}|x`,
    severity: 'warning',
    message: h,
    file: `dir/${h}`,
    line: i,
    layer: null,
    path: `/srv/${h}`,
    evidence: [h],
  }));
  r.build.cache.note = HOSTILE[3];
  return r;
}

/** A layer as the size stage records it (BuildKit's history gives the created-by text). */
function layer(instruction: string, line: number, bytes: number, compressedBytes: number, base = false): SizeLayer {
  const keyword = instruction.split(' ')[0] ?? null;
  return {
    instruction,
    line,
    bytes,
    compressedBytes,
    base,
    createdBy: base ? '/bin/sh -c #(nop) ADD file:9a3c... in /' : `${instruction} # buildkit`,
    keyword,
    stage: base ? null : 'runtime',
    diffId: `sha256:${line.toString(16).padStart(64, '0')}`,
    digest: `sha256:${(line + 4096).toString(16).padStart(64, '0')}`,
  };
}

export function withOverrides(base: CheckReport, patch: DeepPartial<CheckReport>): CheckReport {
  return merge(base, patch) as CheckReport;
}

function merge(a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  if (typeof a !== 'object' || a === null || Array.isArray(a) || typeof b !== 'object' || b === null || Array.isArray(b)) return b;
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = merge(out[k], v);
  return out;
}

/** A deploy section as the Railway stage writes it. */
export function deployResult(overrides: Partial<NonNullable<CheckReport['deploy']>> = {}): NonNullable<CheckReport['deploy']> {
  return {
    status: 'success',
    deploymentId: 'd7f3c2a1-5b6e-4f80-9a1b-2c3d4e5f6a7b',
    url: 'https://shop-api-production.up.railway.app',
    reason: null,
    source: 'commit',
    image: null,
    commit: '9'.repeat(40),
    railwayStatus: 'SUCCESS',
    durationMs: 84_000,
    logs: null,
    onApproval: 'fail',
    target: { projectId: 'p1', projectName: 'shop', environmentId: 'e1', environmentName: 'production', serviceId: 's1', serviceName: 'shop-api' },
    configDrift: [],
    smoke: null,
    apiRequests: 12,
    ...overrides,
  };
}
