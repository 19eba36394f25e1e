/**
 * Makes the engine's BuildKit forget the build records of one test's images, so that a later
 * build can only find those layers in a cache it imports. The engine is shared by tests running
 * in parallel, so only records whose description carries the test's token are pruned (a fixture
 * puts its token in its stage names and RUN commands), never the whole build cache.
 */
import { dockerCli, MAIN_ENGINE } from './docker.ts';

export function buildRecordsWith(token: string, dockerHost = MAIN_ENGINE): string[] {
  const text = dockerCli(['buildx', 'du', '--verbose'], dockerHost);
  const ids: string[] = [];
  let id: string | undefined;
  for (const line of text.split('\n')) {
    const idMatch = /^ID:\s*(\S+)/.exec(line);
    if (idMatch) id = idMatch[1];
    else if (id && /^Description:/.test(line) && line.includes(token)) ids.push(id);
  }
  return ids;
}

export function forgetBuildRecords(token: string, dockerHost = MAIN_ENGINE): void {
  // A record still referenced by a child survives one round; a few rounds clear a chain.
  for (let round = 0; round < 5; round++) {
    const ids = buildRecordsWith(token, dockerHost);
    if (ids.length === 0) return;
    for (const id of ids) dockerCli(['builder', 'prune', '--all', '--force', '--filter', `id=${id}`], dockerHost);
  }
  const left = buildRecordsWith(token, dockerHost);
  if (left.length > 0) throw new Error(`BuildKit still holds ${left.length} record(s) of ${token}`);
}
