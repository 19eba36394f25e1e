/**
 * The permission rules on the final filesystem: setuid/setgid files and world-writable paths
 * (the Dockerfile's own apart from the base image's), and accounts with an empty password.
 */
import type { HygieneLayerRef } from '../../model/report.ts';
import type { LayerFacts, ModeFact } from '../layer.ts';
import { finalShadowEmpty, shownAtTop } from '../scan.ts';
import { layerNames, type Draft, type LayerNames } from './draft.ts';

export interface PermissionFacts {
  /** In layer order (index 0 is the lowest layer). */
  readonly layers: readonly LayerFacts[];
  /** What made each layer, by index. */
  readonly refs: readonly HygieneLayerRef[];
  /** The image runs as a non-root user: setuid files are a way up. */
  readonly nonRoot: boolean;
}

interface Placed {
  readonly fact: ModeFact;
  readonly layer: number;
}

/** Mode facts the final filesystem shows, split by who added them. */
interface BySource {
  readonly own: Placed[];
  readonly base: Placed[];
}

export function permissionFindings({ layers, refs, nonRoot }: PermissionFacts): Draft[] {
  const names = layerNames(refs, layers.length);
  const shadow = emptyPasswordFinding(layers, names);
  return [
    ...setuidFindings(
      collect(layers, names, (l) => l.privileged),
      names,
      nonRoot,
    ),
    ...worldWritableFindings(
      collect(layers, names, (l) => l.worldWritable),
      names,
    ),
    ...(shadow ? [shadow] : []),
  ];
}

function collect(layers: readonly LayerFacts[], names: LayerNames, pick: (l: LayerFacts) => readonly ModeFact[]): BySource {
  const base: Placed[] = [];
  const own: Placed[] = [];
  layers.forEach((layer, i) => {
    for (const fact of pick(layer)) {
      // Only what the final filesystem shows with these bits: a later chmod or delete fixes it.
      if (!shownAtTop(layers, i, fact.path) && fact.type === 'file') continue;
      (names.ref(i).fromBase ? base : own).push({ fact, layer: i });
    }
  });
  return { base, own };
}

/** Where the first of the items is, and the first ten as evidence. */
function placement(items: readonly Placed[], names: LayerNames): Pick<Draft, 'line' | 'layer' | 'path' | 'evidence'> {
  const first = items[0];
  return {
    line: first ? names.ref(first.layer).line : null,
    layer: first ? names.ref(first.layer) : null,
    path: first?.fact.path ?? null,
    evidence: items.slice(0, 10).map(({ fact, layer }) => `${fact.path} (mode ${(fact.mode & 0o7777).toString(8).padStart(4, '0')}) in ${names.where(layer)}`),
  };
}

/** "/bin/su, /bin/mount, /usr/bin/a, ...": the first three paths. */
function firstPaths(items: readonly Placed[]): string {
  return `${items
    .slice(0, 3)
    .map((p) => p.fact.path)
    .join(', ')}${items.length > 3 ? ', ...' : ''}`;
}

function setuidFindings(privileged: BySource, names: LayerNames, nonRoot: boolean): Draft[] {
  const drafts: Draft[] = [];
  const risk = nonRoot
    ? "a process running as the image's non-root user can use them to become root or another user"
    : 'they matter once the image runs as a non-root user';
  const { own, base } = privileged;
  if (own.length) {
    drafts.push({
      id: 'setuid-file',
      message: `${own.length} setuid/setgid file${own.length > 1 ? 's' : ''} added by the Dockerfile (${firstPaths(own)}): ${risk}`,
      ...placement(own, names),
      fix: 'remove the bits in the same RUN that installs them (chmod u-s,g-s FILE), or do not install the tool in the final stage',
    });
  }
  if (base.length) {
    drafts.push({
      id: 'setuid-file',
      severity: 'info',
      message: `The base image ships ${base.length} setuid/setgid file${base.length > 1 ? 's' : ''} (${firstPaths(base)}), as most distribution images do`,
      ...placement(base, names),
      fix: 'if the app never needs them: RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + in the final stage, or use a distroless base image',
    });
  }
  return drafts;
}

function worldWritableFindings(writable: BySource, names: LayerNames): Draft[] {
  const drafts: Draft[] = [];
  for (const [items, fromBase] of [
    [writable.own, false],
    [writable.base, true],
  ] as const) {
    if (!items.length) continue;
    drafts.push({
      id: 'world-writable',
      severity: fromBase ? 'info' : undefined,
      message: `${items.length} world-writable path${items.length > 1 ? 's' : ''} outside /tmp ${fromBase ? 'in the base image' : 'added by the Dockerfile'} (${firstPaths(items)}): any process in the container can change ${items.length > 1 ? 'them' : 'it'}`,
      ...placement(items, names),
      fix: fromBase
        ? 'chmod o-w the paths in the final stage, or use another base image'
        : "give the files to the app's user (COPY --chown=app, chmod 755/644) instead of chmod 777",
    });
  }
  return drafts;
}

function emptyPasswordFinding(layers: readonly LayerFacts[], names: LayerNames): Draft | undefined {
  const shadow = finalShadowEmpty(layers);
  if (!shadow) return undefined;
  const { accounts } = shadow;
  return {
    id: 'empty-password',
    message: `${accounts.slice(0, 5).join(', ')} ${accounts.length > 1 ? 'have' : 'has'} an empty password in /etc/shadow (from ${names.where(shadow.layer)}): anyone in the container can log in as ${accounts.length > 1 ? 'them' : 'it'}, e.g. with su`,
    line: names.ref(shadow.layer).line,
    layer: names.ref(shadow.layer),
    path: '/etc/shadow',
    evidence: [`accounts: ${accounts.join(', ')}`],
    fix: "lock the account instead of clearing its password: passwd -l NAME (or usermod -p '*' NAME)",
  };
}
