// Wires duplicate detection into an application context: the service with its index (which
// implements the registry's DuplicateScreening port), and what approved merges and unmerges
// do. The hook that keeps the index current is in the module descriptor (index.ts).
import type { AppContext } from '../shared/context';
import { registerMergeApprovals } from './merge-persons';
import { createDedupService } from './service';

/** Connects duplicate detection to `app` (once; a second call changes nothing). */
export function registerDedup(app: AppContext): void {
  if (app.dedup) return;
  app.dedup = createDedupService(app, { onDuplicate: app.config.dedupOnDuplicate });
  app.duplicateScreening = app.dedup;
  registerMergeApprovals(app);
}
