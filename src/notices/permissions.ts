// Who may do what with notices. Programme administrators word their programmes' service
// events and count what a send costs; a different programme administrator (or an
// administrator) approves a wording before it is used. Statistics — counts by template and
// region, small cells suppressed — are for analysts, auditors and programme administrators.
// Nobody may send free text: there is no permission for it because there is no such thing.
import type { PermissionTable } from '../shared/access';

/** Permissions of the notices domain. */
export const noticesPermissions = {
  'notice:read': {
    en: 'Read notice statistics: sent, delivered and failed by template and region (small cells suppressed)',
    es: 'Consultar estadísticas de avisos: enviados, entregados y fallidos por plantilla y región (celdas pequeñas suprimidas)',
    roles: ['programme_admin', 'auditor', 'analyst'],
  },
  'notice:template': {
    en: 'Word a programme’s own notice for one of its service events, and count its SMS parts and cost',
    es: 'Redactar el aviso propio de un programa para uno de sus eventos de servicio, y contar sus partes SMS y su costo',
    roles: ['programme_admin'],
  },
  'notice:template_approve': {
    en: 'Approve or reject a programme’s notice wording written by someone else',
    es: 'Aprobar o rechazar la redacción de un aviso de programa escrita por otra persona',
    roles: ['programme_admin', 'admin'],
  },
} as const satisfies PermissionTable;

declare module '../shared/access' {
  interface PermissionRegistry extends Record<keyof typeof noticesPermissions, true> {}
}
