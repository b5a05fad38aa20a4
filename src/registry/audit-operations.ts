// What the registry writes to the audit log, in the words a person reads in their access report.
import type { AuditOperationTable } from '../shared/audit-operations';

/** Audit operations of the registry domain. */
export const registryAuditOperations = {
  'person.enrol': { kind: 'change', en: 'Your record was created.', es: 'Se creó su registro.' },
  'person.birth': {
    kind: 'change',
    en: 'Your birth was registered.',
    es: 'Se inscribió su nacimiento.',
  },
  'person.correct': {
    kind: 'change',
    en: 'Your record was corrected.',
    es: 'Se corrigió su registro.',
  },
  'person.death': {
    kind: 'change',
    en: 'A death was recorded on your record.',
    es: 'Se anotó una defunción en su registro.',
  },
  'person.name_change': {
    kind: 'change',
    en: 'A change of name was recorded.',
    es: 'Se anotó un cambio de nombre.',
  },
  'person.address_change': {
    kind: 'change',
    en: 'A change of address was recorded.',
    es: 'Se anotó un cambio de domicilio.',
  },
  'person.household_move': {
    kind: 'change',
    en: 'A move to another household was recorded.',
    es: 'Se anotó su traslado a otro hogar.',
  },
  'person.import': {
    kind: 'change',
    en: 'Your record was created or updated by a bulk import.',
    es: 'Su registro se creó o actualizó en una importación masiva.',
  },
  'person.demo_load': {
    kind: 'change',
    en: 'Your record was loaded as demonstration data.',
    es: 'Su registro se cargó como dato de demostración.',
  },
  'person.deactivate': {
    kind: 'change',
    en: 'Your record was deactivated.',
    es: 'Su registro fue dado de baja.',
  },
  'household.create': {
    kind: 'change',
    en: 'A household was created with you at its head.',
    es: 'Se creó un hogar con usted como jefe o jefa.',
  },
  'household.join': {
    kind: 'change',
    en: 'You were added to a household.',
    es: 'Se le añadió a un hogar.',
  },
  'household.leave': {
    kind: 'change',
    en: 'You were recorded as leaving a household.',
    es: 'Se anotó que dejó un hogar.',
  },
  'household.head': {
    kind: 'change',
    en: 'Who heads your household was recorded anew.',
    es: 'Se anotó de nuevo quién es jefe o jefa de su hogar.',
  },
  'household.move': {
    kind: 'change',
    en: 'You were moved to another household.',
    es: 'Se le trasladó a otro hogar.',
  },
  'person.read': { kind: 'read', en: 'Your record was viewed.', es: 'Se consultó su registro.' },
  'person.search': {
    kind: 'read',
    en: 'Your record appeared in search results.',
    es: 'Su registro apareció en resultados de búsqueda.',
  },
  'person.history': {
    kind: 'read',
    en: 'Earlier versions of your record were viewed.',
    es: 'Se consultaron versiones anteriores de su registro.',
  },
  'person.events.read': {
    kind: 'read',
    en: 'The life events on your record were viewed.',
    es: 'Se consultaron los hechos vitales de su registro.',
  },
  'household.read': {
    kind: 'read',
    en: 'Your household and its members were viewed.',
    es: 'Se consultó su hogar y sus miembros.',
  },
  'attribute.declare': {
    kind: 'other',
    en: 'A field was added to the registry’s closed schema.',
    es: 'Se añadió un campo al esquema cerrado del registro.',
  },
  'registry.export': {
    kind: 'read',
    metered: false,
    coversEveryone: true,
    en: 'Your record was included in an export approved by two officials.',
    es: 'Su registro se incluyó en una exportación aprobada por dos funcionarios.',
  },
  'registry.restore': {
    kind: 'change',
    en: 'Your record was restored from an archive when the registry moved.',
    es: 'Su registro se restauró desde un archivo al trasladar el registro.',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof registryAuditOperations, true> {}
}
