// What the registry provides to the domains below it, and its four-eyes executors.
import type { SubjectDirectory } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { registerRegistryApprovals } from './deactivate-person';
import { loadDemoRegistry } from './demo';
import { registerExportApprovals } from './export-request';
import { loadPersonInRegion } from './read-person';

/** People in the demo registry that `npm start` loads into an empty database. */
export const demoPeople = 3000;

/** The persons privacy reports on, as the registry knows them. */
export const registrySubjects: SubjectDirectory = {
  requireInRegion: async (trx, caller, personId, permission) => {
    await loadPersonInRegion(trx, caller, personId, permission);
  },
};

/** Connects the registry: approvals it executes, and the subject directory privacy reads. */
export function connectRegistry(app: AppContext): void {
  registerRegistryApprovals(app);
  registerExportApprovals(app);
  app.subjects = registrySubjects;
}

/** Loads the demo registry into a database with no persons; returns the lines to print. */
export async function loadRegistryDemo(app: AppContext, caller: Caller): Promise<string[]> {
  const anyone = await app.db.kysely.selectFrom('persons').select('id').limit(1).execute();
  if (anyone.length > 0) return [];
  const result = await loadDemoRegistry(app, caller, { people: demoPeople, seed: 42 });
  return [`  demo registry: ${result.persons} people in ${result.households} households`];
}
