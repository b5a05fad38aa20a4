// What the notices domain writes to the audit log. Wordings and statistics name nobody.
import type { AuditOperationTable } from '../shared/audit-operations';

/** Audit operations of the notices domain. */
export const noticesAuditOperations = {
  'notice.template_request': {
    kind: 'other',
    en: 'A programme’s wording of a service notice was written and awaits a second approver.',
    es: 'Se redactó el texto de un aviso de servicio de un programa, pendiente de una segunda aprobación.',
  },
  'notice.template_decide': {
    kind: 'other',
    en: 'A programme’s wording of a service notice was approved or rejected.',
    es: 'Se aprobó o rechazó el texto de un aviso de servicio de un programa.',
  },
  'notice.stats': {
    kind: 'other',
    en: 'Notice statistics (counts only) were read.',
    es: 'Se consultaron estadísticas de avisos (solo conteos).',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof noticesAuditOperations, true> {}
}
