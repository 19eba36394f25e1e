/**
 * The hygiene stage in two steps around the size stage's push. `hygieneStage` learns which
 * layers the per-layer memo does not know and hands the size stage a tap that reads exactly
 * those blobs as the push streams them; `finish` combines remembered and new facts into
 * findings. When the push cannot deliver (no loopback push, a failure), the image is read
 * with `docker save` instead.
 */
import type Docker from 'dockerode';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import type { HygieneScan } from '../model/report.ts';
import { formatBytes } from '../model/format.ts';
import { stateDirectory } from '../host/state.ts';
import { engineInfo } from '../host/docker.ts';
import { isContainerdStore, type LayerTap } from '../size/measure.ts';
import type { ImageConfigJson } from './archive.ts';
import { evaluateHygiene, givenSecrets, skippedHygiene, type HygieneDeps, type HygieneOutcome } from './check.ts';
import { scanContext } from './context.ts';
import { LayerStreamScanner, type LayerFacts } from './layer.ts';
import { LayerFactsMemo } from './memo.ts';
import { scanImage } from './scan.ts';
import type { GivenSecret } from '../secrets/values.ts';

export interface HygieneSession {
  /** For the size stage's push; undefined when hygiene is off. */
  readonly tap: LayerTap | undefined;
  finish(): Promise<HygieneOutcome>;
}

/** The directory of the per-layer memo. */
export function hygieneMemoDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDirectory(env), 'hygiene-layers');
}

/** Checks `image`, the built image's ID (not config.image, a tag another run may have moved). */
export async function hygieneStage(config: Config, image: string, deps: HygieneDeps): Promise<HygieneSession> {
  const { mode } = config.hygiene;
  if (mode === 'off') return { tap: undefined, finish: () => Promise.resolve({ report: skippedHygiene(mode, 'hygiene is off'), wasted: null }) };
  const started = Date.now();
  const { docker, log } = deps;
  const given = givenSecrets(config);
  const contextPromise = scanContext(config.context, config.dockerfile);
  contextPromise.catch(() => undefined);

  const [info, inspect] = await Promise.all([
    engineInfo<{ DriverStatus?: [string, string][] | null }>(docker),
    docker.getImage(image).inspect() as Promise<{ RootFS?: { Layers?: string[] } }>,
  ]);
  const diffIds = inspect.RootFS?.Layers ?? [];
  const store = isContainerdStore(info) ? 'containerd' : 'classic';
  const memo = await LayerFactsMemo.open(hygieneMemoDirectory(), store, given);
  const known = new Map<string, LayerFacts>();
  await Promise.all(
    [...new Set(diffIds)].map(async (id) => {
      const facts = await memo.get(id);
      if (facts) known.set(id, facts);
    }),
  );
  const wanted = new Set(diffIds.filter((id) => !known.has(id)));
  const tap = new HygieneTap(wanted, given);
  return {
    tap,
    finish: async () => {
      const context = await contextPromise;
      const read = await readLayers({ image, docker, diffIds, known, tap, given });
      for (const [id, facts] of read.fresh) await memo.put(id, facts).catch(() => undefined);
      await memo.prune().catch(() => undefined);
      const scan: HygieneScan = {
        method: read.method,
        layers: diffIds.length,
        layersScanned: read.fresh.size,
        layersReused: diffIds.filter((id) => known.has(id)).length,
        entries: read.entries,
        bytesRead: read.bytesRead,
        durationMs: Date.now() - started,
        error: read.error,
        ...(memo.ignored.length ? { memoIgnored: [...memo.ignored] } : {}),
      };
      if (memo.ignored.length) log.info(`Hygiene: ignored ${memo.ignored.length} layer memo file(s): ${memo.ignored.slice(0, 3).join('; ')}`);
      log.info(
        `Hygiene: ${diffIds.length} layers, ${scan.layersReused} known from earlier runs, ${scan.layersScanned} read (${formatBytes(scan.bytesRead)}, ${scan.method}) in ${(scan.durationMs / 1000).toFixed(1)} s`,
      );
      return evaluateHygiene(config, { layers: read.layers, config: read.config, attestations: read.attestations, scan }, context, deps);
    },
  };
}

/** Reads the layers the size stage's push streams past, keyed by the diff id each turns out to be. */
class HygieneTap implements LayerTap {
  readonly wanted: ReadonlySet<string>;
  readonly scanned = new Map<string, { facts: LayerFacts; bytesRead: number; entries: number }>();
  config: Buffer | undefined;
  attestations: readonly Buffer[] = [];
  delivered = false;
  private readonly given: readonly GivenSecret[];

  constructor(wanted: ReadonlySet<string>, given: readonly GivenSecret[]) {
    this.wanted = wanted;
    this.given = given;
  }

  open(): { data(chunk: Buffer): Promise<void>; end(): Promise<void> } {
    const scanner = new LayerStreamScanner(this.given);
    return {
      data: (chunk) => scanner.push(chunk),
      end: async () => {
        const layer = await scanner.end();
        if (this.wanted.has(layer.diffId)) this.scanned.set(layer.diffId, { facts: layer.facts, bytesRead: layer.bytesRead, entries: layer.entries });
      },
    };
  }

  documents(found: { config: Buffer | undefined; attestations: readonly Buffer[] }): void {
    this.config = found.config;
    this.attestations = found.attestations;
    this.delivered = found.config !== undefined;
  }
}

interface ReadLayers {
  readonly method: HygieneScan['method'];
  readonly layers: readonly LayerFacts[] | undefined;
  readonly fresh: Map<string, LayerFacts>;
  readonly config: ImageConfigJson | undefined;
  readonly attestations: readonly unknown[];
  readonly bytesRead: number;
  readonly entries: number;
  readonly error: string | null;
}

/** What the stage knows before the layers are read: the image, its layers and the memo's facts. */
interface LayerSources {
  readonly image: string;
  readonly docker: Docker;
  readonly diffIds: readonly string[];
  /** Facts the memo has, by diff id. */
  readonly known: ReadonlyMap<string, LayerFacts>;
  readonly tap: HygieneTap;
  readonly given: readonly GivenSecret[];
}

async function readLayers({ image, docker, diffIds, known, tap, given }: LayerSources): Promise<ReadLayers> {
  const missing = diffIds.filter((id) => !known.has(id) && !tap.scanned.has(id));
  const imageConfig = tap.config ? (parseJson(tap.config) as ImageConfigJson | undefined) : undefined;
  if (tap.delivered && imageConfig && missing.length === 0) {
    const fresh = new Map([...tap.scanned].map(([id, s]) => [id, s.facts]));
    const layers = diffIds.map((id) => known.get(id) ?? (fresh.get(id) as LayerFacts));
    const scanned = [...tap.scanned.values()];
    return {
      method: fresh.size ? 'loopback-push' : 'memo',
      layers,
      fresh,
      config: imageConfig,
      attestations: tap.attestations.flatMap((b) => parseJson(b) ?? []),
      bytesRead: scanned.reduce((s, l) => s + l.bytesRead, 0),
      entries: scanned.reduce((s, l) => s + l.entries, 0),
      error: null,
    };
  }
  try {
    const scan = await scanImage(docker, image, given);
    const fresh = new Map<string, LayerFacts>();
    scan.layers.forEach((facts, i) => {
      const id = diffIds[i];
      if (id && !known.has(id)) fresh.set(id, facts);
    });
    return {
      method: 'docker-save-stream',
      layers: scan.layers,
      fresh,
      config: scan.config,
      attestations: scan.attestations,
      bytesRead: scan.bytesRead,
      entries: scan.entries,
      error: null,
    };
  } catch (err) {
    return {
      method: 'docker-save-stream',
      layers: undefined,
      fresh: new Map(),
      config: imageConfig ?? (await inspectConfig(docker, image)),
      attestations: [],
      bytesRead: 0,
      entries: 0,
      error: (err as Error).message,
    };
  }
}

/** The image's config and history from the engine, when its layers could not be read. */
async function inspectConfig(docker: Docker, image: string): Promise<ImageConfigJson | undefined> {
  try {
    const info = await docker.getImage(image).inspect();
    const history = (await docker.getImage(image).history()) as { CreatedBy?: string; Size?: number }[];
    return {
      config: info.Config,
      // The API lists history newest first and has no empty_layer flag.
      history: history.reverse().map((h) => ({ created_by: h.CreatedBy ?? '' })),
    };
  } catch {
    return undefined;
  }
}

/** The JSON of a file in the image (the engine wrote it); undefined when it is not JSON. */
function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
