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
export { prohibitedCategories } from './prohibited';
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
