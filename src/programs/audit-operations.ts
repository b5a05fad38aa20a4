// What the programmes domain writes to the audit log, in the words a person reads in their
// access report. Operations on programmes and cycles name nobody; those that touch one
// person's entitlements name them.
import type { AuditOperationTable } from '../shared/audit-operations';

/** Audit operations of the programmes domain. */
export const programsAuditOperations = {
  'programme.create': {
    kind: 'other',
    en: 'A programme was defined.',
    es: 'Se definió un programa.',
  },
  'programme.change': {
    kind: 'other',
    en: 'A programme was changed (a new version).',
    es: 'Se cambió un programa (una versión nueva).',
  },
  'programme.retire': {
    kind: 'other',
    en: 'A programme was retired.',
    es: 'Se retiró un programa.',
  },
  'rule.dry_run': {
    kind: 'read',
    en: 'Your record was among examples shown while testing an eligibility rule.',
    es: 'Su registro estuvo entre los ejemplos mostrados al probar una regla de elegibilidad.',
  },
  'rule.health_read': {
    kind: 'read',
    metered: false,
    en: 'Health attributes were read to decide eligibility for a medicine programme.',
    es: 'Se leyeron datos de salud para decidir la elegibilidad en un programa de medicamentos.',
  },
  'cycle.create': {
    kind: 'other',
    en: 'A programme cycle was opened.',
    es: 'Se abrió un ciclo de un programa.',
  },
  'cycle.freeze': {
    kind: 'other',
    en: 'The eligible list of a cycle was computed and frozen.',
    es: 'Se calculó y congeló la lista de personas elegibles de un ciclo.',
  },
  'cycle.generate': {
    kind: 'other',
    en: 'The entitlements of a cycle were created.',
    es: 'Se crearon los beneficios de un ciclo.',
  },
  'cycle.approve': {
    kind: 'other',
    en: 'A cycle was approved by a second administrator.',
    es: 'Un segundo administrador aprobó un ciclo.',
  },
  'cycle.close': {
    kind: 'other',
    en: 'A cycle was closed and its exclusion report stored.',
    es: 'Se cerró un ciclo y se guardó su informe de exclusión.',
  },
  'cycle.cancel': { kind: 'other', en: 'A cycle was cancelled.', es: 'Se canceló un ciclo.' },
  'cycle.reduce': {
    kind: 'other',
    en: 'Where and when benefits were collected in an old cycle was reduced to totals.',
    es: 'Dónde y cuándo se retiraron los beneficios de un ciclo antiguo se redujo a totales.',
  },
  'cycle.pay': {
    kind: 'other',
    en: 'A batch of payments of a cycle was made.',
    es: 'Se hizo un lote de pagos de un ciclo.',
  },
  'exclusion.report': {
    kind: 'other',
    en: 'An exclusion report of a cycle was produced.',
    es: 'Se produjo un informe de exclusión de un ciclo.',
  },
  'entitlement.read': {
    kind: 'read',
    en: 'Your entitlements were consulted.',
    es: 'Se consultaron sus beneficios.',
  },
  'entitlement.pause': {
    kind: 'change',
    en: 'Your entitlements in a programme were paused.',
    es: 'Se suspendieron sus beneficios en un programa.',
  },
  'entitlement.resume': {
    kind: 'change',
    en: 'Your entitlements in a programme were resumed.',
    es: 'Se reanudaron sus beneficios en un programa.',
  },
  'entitlement.void': {
    kind: 'change',
    en: 'Your pending entitlements were cancelled after a change in your record.',
    es: 'Se anularon sus beneficios pendientes tras un cambio en su registro.',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof programsAuditOperations, true> {}
}
