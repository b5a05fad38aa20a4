// A port: the exclusion monitor may ask how many people complained that they were left out of
// a programme, by region, over a period — counts only — without importing the grievances
// domain, which sits above programmes (filing a complaint must never reach eligibility). The
// grievances domain provides it (its `connect`); until then it is absent and nothing asks.
import type { Queryable } from '../db';

/** What the grievances domain tells the exclusion monitor: counts, never persons. */
export interface GrievanceSignals {
  /** Complaints of the category `excluded` filed in [from, to), by region code. */
  exclusionComplaintsByRegion(
    db: Queryable,
    regions: readonly string[],
    from: string,
    to: string,
  ): Promise<Map<string, number>>;
}

declare module '../shared/context' {
  interface AppContext {
    grievanceSignals?: GrievanceSignals;
  }
}
