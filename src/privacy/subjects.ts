// The port through which privacy reaches the persons it reports on. Privacy sits below the
// registry (the registry audits through privacy), so it declares what it needs and the
// registry provides it; the module list connects the two.
import type { Queryable } from '../db';
import type { Permission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';

/** What privacy needs to know of a person whose access it reports. */
export interface SubjectDirectory {
  /**
   * Refuses unless the person exists and the caller holds the permission in the person's
   * region (a person outside it is reported as not found).
   */
  requireInRegion(
    trx: Queryable,
    caller: Caller,
    personId: string,
    permission: Permission,
  ): Promise<void>;
}

declare module '../shared/context' {
  interface AppContext {
    /** Provided by the registry. */
    subjects?: SubjectDirectory;
  }
}

/** The connected directory; refuses to guess when none is connected. */
export function subjectsOf(app: AppContext): SubjectDirectory {
  if (!app.subjects) throw new Error('no subject directory is connected (see src/modules.ts)');
  return app.subjects;
}
