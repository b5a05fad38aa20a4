// The registry's public surface: persons, households, life events, the closed attribute
// schema, bulk import and the open archive format.
export type { Person } from './person';
export { presentPerson } from './person';
export { personInput, personUpdateInput, type PersonInput } from './person-input';
export { enrolPerson, insertPerson } from './enrol-person';
export {
  getPerson,
  searchPersons,
  getPersonHistory,
  requirePurpose,
  type PersonSearch,
  type PersonPage,
  type PersonRecord,
  type PersonSearchResult,
  type SearchMatch,
  type PersonVersion,
} from './read-person';
export { correctPerson } from './change-person';
export { recordLifeEvent, listLifeEvents, type LifeEvent } from './life-events';
export {
  createHousehold,
  addHouseholdMember,
  removeHouseholdMember,
  registerBirth,
  getHousehold,
  relationships,
  type Household,
} from './households';
export { declareAttribute, listAttributes } from './declare-attribute';
export { allowedCategories, type AttributeDefinition } from './attributes';
export { prohibitedCategories, prohibitedTopicIn } from './prohibited';
export {
  importPersons,
  personCsvColumns,
  type ImportReport,
  type ImportSource,
} from './import-persons';
export { exportRegistry, restoreRegistry, numberedLines, archiveFormat } from './archive';
export {
  parseRegistryNumber,
  formatRegistryNumber,
  generateRegistryNumber,
} from './registry-number';
export type {
  DuplicateFlag,
  DuplicateReview,
  DuplicateScreening,
  OnDuplicate,
  ScreenOptions,
} from './duplicate-screening';
export { registryAuditOperations } from './audit-operations';
export { registryPermissions } from './permissions';
export { registrySubjects } from './connect';

export { applyPersonChange } from './change-person';
export { registerRegistryApprovals } from './deactivate-person';
export { demoCsvHeader, demoCsvLine, generateDemoPeople, loadDemoRegistry } from './demo';
export { assertKnownRegion, buildPersonRow, storedPhone } from './enrol-person';
export { registerExportApprovals } from './export-request';
export { announceLifeEvent } from './life-events';
export type { PersonRow } from './person';
export { loadPersonInRegion } from './read-person';
export { nameIndexCondition } from './search-index';
export type { PersonsTable } from './tables';

import { defineModule } from '../module';
import { registryAuditOperations } from './audit-operations';
import { registerRegistryCommands } from './cli';
import { connectRegistry, loadRegistryDemo } from './connect';
import { householdExternalRef, registryInitial } from './migrations';
import { personSearchIndex } from './search-index';
import { registryPermissions } from './permissions';
import { registryRoutes } from './routes';

/** The registry domain, as the module list wires it. */
export const registryModule = defineModule({
  name: 'registry',
  migrations: {
    '2026-11-29-01-registry': registryInitial,
    '2026-12-02-02-household-external-ref': householdExternalRef,
    '2026-12-11-01-registry-person-search': personSearchIndex,
  },
  routes: registryRoutes,
  commands: registerRegistryCommands,
  permissions: registryPermissions,
  auditOperations: registryAuditOperations,
  connect: connectRegistry,
  loadDemo: loadRegistryDemo,
});
