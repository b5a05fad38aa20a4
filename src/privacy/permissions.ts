// Audit, access reports, statistics and four-eyes decisions.
import type { PermissionTable } from '../shared/access';

/** Permissions of the privacy domain. */
export const privacyPermissions = {
  'stats:read': {
    en: 'Aggregate statistics with small cells suppressed',
    es: 'Estadísticas agregadas con las celdas pequeñas suprimidas',
    roles: ['programme_admin', 'analyst'],
  },
  'audit:read': {
    en: 'Query the audit log and verify it',
    es: 'Consultar el registro de auditoría y verificarlo',
    roles: ['auditor'],
  },
  'access-report:read': {
    en: 'Read a person’s access report',
    es: 'Leer el informe de accesos de una persona',
    roles: ['registrar', 'auditor'],
  },
  'approval:decide': {
    en: 'Approve or reject a four-eyes request made by someone else',
    es: 'Aprobar o rechazar una solicitud de cuatro ojos hecha por otra persona',
    roles: ['auditor', 'admin'],
  },
  'approval:read': {
    en: 'List four-eyes requests',
    es: 'Ver las solicitudes de cuatro ojos',
    roles: ['auditor', 'admin'],
  },
} as const satisfies PermissionTable;

declare module '../shared/access' {
  interface PermissionRegistry extends Record<keyof typeof privacyPermissions, true> {}
}
