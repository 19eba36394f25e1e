import { runAction } from './action.ts';
import { hasAbandonedCacheWork } from './cache/actions-store.ts';

// A closed log pipe must not turn each later write into an uncaught error (see cli.ts).
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
await runAction();
// A cache restore or save given up on after cache-timeout may still wait on the service; the
// step has published its result and must not hang until the service answers.
if (hasAbandonedCacheWork()) process.exit();
