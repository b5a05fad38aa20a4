// What the grievances domain writes to the audit log, in the words a person reads in their
// access report.
import type { AuditOperationTable } from '../shared/audit-operations';

/** Audit operations of the grievances domain. */
export const grievancesAuditOperations = {
  'grievance.file': {
    kind: 'change',
    en: 'A complaint of yours was filed.',
    es: 'Se registró un reclamo suyo.',
  },
  'grievance.read': {
    kind: 'read',
    en: 'A complaint of yours was read by the staff handling it.',
    es: 'El personal que atiende un reclamo suyo lo consultó.',
  },
  'grievance.list': {
    kind: 'read',
    en: 'The queue of complaints, including one of yours, was consulted.',
    es: 'Se consultó la cola de reclamos, incluido uno suyo.',
  },
  'grievance.review': {
    kind: 'change',
    en: 'A complaint of yours was taken for review, or a note was added to it.',
    es: 'Un reclamo suyo fue tomado para revisión, o se le añadió una nota.',
  },
  'grievance.resolve': {
    kind: 'change',
    en: 'A complaint of yours was resolved, with a reason.',
    es: 'Un reclamo suyo fue resuelto, con un motivo.',
  },
  'grievance.appeal': {
    kind: 'change',
    en: 'An appeal of the resolution of your complaint was filed.',
    es: 'Se presentó una apelación de la resolución de su reclamo.',
  },
  'grievance.appeal_decide': {
    kind: 'change',
    en: 'The appeal of your complaint was decided by someone other than who resolved it.',
    es: 'La apelación de su reclamo fue decidida por otra persona distinta de quien lo resolvió.',
  },
  'grievance.sms_unmatched': {
    kind: 'other',
    en: 'A complaint by SMS could not be matched to a receipt and a phone on record.',
    es: 'Un reclamo por SMS no pudo asociarse a un recibo y a un teléfono registrado.',
  },
  'grievance.stats': {
    kind: 'other',
    en: 'Counts of complaints (no names) were read.',
    es: 'Se consultaron recuentos de reclamos (sin nombres).',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof grievancesAuditOperations, true> {}
}
