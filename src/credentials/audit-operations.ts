// What card issuance and verification write to the audit log, in the words a person reads.
import type { AuditOperationTable } from '../shared/audit-operations';

/** Audit operations of the credentials domain. */
export const credentialsAuditOperations = {
  'card.issue': {
    kind: 'change',
    en: 'A card was issued to you.',
    es: 'Se le emitió una tarjeta.',
  },
  'card.replace': {
    kind: 'change',
    en: 'Your card was replaced.',
    es: 'Se repuso su tarjeta.',
  },
  'card.revoke': {
    kind: 'change',
    en: 'Your card was revoked.',
    es: 'Se revocó su tarjeta.',
  },
  'card.list': {
    kind: 'read',
    en: 'The list of your cards was viewed.',
    es: 'Se consultó la lista de sus tarjetas.',
  },
  'card.render': {
    kind: 'read',
    en: 'Your card was printed or rendered for printing.',
    es: 'Se imprimió o preparó para imprimir su tarjeta.',
  },
  'card.job_create': {
    kind: 'other',
    en: 'A bulk card issuance job was created.',
    es: 'Se creó un trabajo de emisión masiva de tarjetas.',
  },
  'card.job_finish': {
    kind: 'other',
    en: 'A bulk card issuance job finished.',
    es: 'Terminó un trabajo de emisión masiva de tarjetas.',
  },
  'card.print_job': {
    kind: 'read',
    // Bounded by the job that issued the cards, not browsing: the volume meter is for browsing.
    metered: false,
    en: 'Your card was prepared for printing with others issued at the same time.',
    es: 'Se preparó su tarjeta para imprimir junto con otras emitidas a la vez.',
  },
  'card.verify': {
    kind: 'read',
    en: 'Your card was read and checked at a point of service or office.',
    es: 'Se leyó y comprobó su tarjeta en un punto de servicio u oficina.',
  },
  'keys.create': {
    kind: 'other',
    en: 'A card-signing key was created.',
    es: 'Se creó una clave de firma de tarjetas.',
  },
  'keys.rotate': {
    kind: 'other',
    en: 'The card-signing key was rotated after a second approval.',
    es: 'Se rotó la clave de firma de tarjetas con una segunda aprobación.',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof credentialsAuditOperations, true> {}
}
