// What the privacy domain writes to the audit log, in the words a person reads.
import type { AuditOperationTable } from '../shared/audit-operations';

/** Audit operations of the privacy domain. */
export const privacyAuditOperations = {
  'approval.request': {
    kind: 'other',
    en: 'A change to your record that needs a second official was requested.',
    es: 'Se solicitó un cambio en su registro que necesita un segundo funcionario.',
  },
  'approval.approved': {
    kind: 'other',
    en: 'A second official approved a requested change.',
    es: 'Un segundo funcionario aprobó un cambio solicitado.',
  },
  'approval.rejected': {
    kind: 'other',
    en: 'A second official rejected a requested change.',
    es: 'Un segundo funcionario rechazó un cambio solicitado.',
  },
  'approval.expired': {
    kind: 'other',
    en: 'A requested change expired without a decision.',
    es: 'Un cambio solicitado caducó sin decisión.',
  },
  'person.access_report': {
    kind: 'read',
    en: 'This access report was viewed.',
    es: 'Se consultó este informe de accesos.',
  },
  'audit.query': {
    kind: 'read',
    metered: false,
    en: 'An auditor checked the log of who accessed your record.',
    es: 'Un auditor revisó el registro de quién accedió a sus datos.',
  },
  'privacy.volume_limit': {
    kind: 'other',
    en: 'A staff member reached the most persons one may be shown in an hour; further reads were refused.',
    es: 'Un funcionario llegó al máximo de personas que puede ver en una hora; se rechazaron más consultas.',
  },
  'audit.verify': {
    kind: 'other',
    en: 'The audit log was checked for tampering.',
    es: 'Se comprobó que el registro de auditoría no ha sido alterado.',
  },
  'audit.seal_key_rotate': {
    kind: 'other',
    en: 'The key that seals the audit log was replaced.',
    es: 'Se reemplazó la clave que sella el registro de auditoría.',
  },
  'statistics.registry': {
    kind: 'other',
    en: 'Aggregate statistics were computed (no individual record is shown).',
    es: 'Se calcularon estadísticas agregadas (no se muestra ningún registro individual).',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof privacyAuditOperations, true> {}
}
