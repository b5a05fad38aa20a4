// Wires duplicate detection into an application context: the service with its index, what
// approved merges and unmerges do, and the hook that keeps the index current.
import type { AppContext } from '../shared/context';
import { registerMergeApprovals } from './merge-persons';
import { createDedupService, dedupLifeEventHook } from './service';

/** Connects duplicate detection to `app` (once; a second call changes nothing). */
export function registerDedup(app: AppContext): void {
  if (app.dedup) return;
  app.dedup = createDedupService(app, { onDuplicate: app.config.dedupOnDuplicate });
  registerMergeApprovals(app);
  app.lifeEventHooks.push(dedupLifeEventHook);
}
