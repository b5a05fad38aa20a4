// Who handles grievances. Grievance officers — a role of their own, so that complaints about a
// registration office are not handled by its registrars — read the queue, review, resolve, and
// decide appeals (never of a grievance they resolved themselves). Registrars file on a person's
// behalf at the office. The aggregates (counts by category, region and outcome, small cells
// suppressed) feed the exclusion monitor's readers: programme administrators, analysts,
// auditors.
import type { PermissionTable } from '../shared/access';

/** Permissions of the grievances domain. */
export const grievancesPermissions = {
  'grievance:file': {
    en: 'File a grievance or an appeal on a person’s behalf, with the person present',
    es: 'Presentar un reclamo o una apelación en nombre de una persona, con la persona presente',
    roles: ['registrar', 'grievance_officer'],
  },
  'grievance:read': {
    en: 'Read the grievance queue and a grievance with its history (with a purpose)',
    es: 'Consultar la cola de reclamos y un reclamo con su historial (con un propósito)',
    roles: ['grievance_officer', 'auditor'],
  },
  'grievance:handle': {
    en: 'Review and resolve grievances, and decide appeals of grievances someone else resolved',
    es: 'Revisar y resolver reclamos, y decidir apelaciones de reclamos que resolvió otra persona',
    roles: ['grievance_officer'],
  },
  'grievance:stats': {
    en: 'Read grievance counts by category, region and outcome (small cells suppressed)',
    es: 'Consultar recuentos de reclamos por categoría, región y resultado (celdas pequeñas suprimidas)',
    roles: ['programme_admin', 'auditor', 'analyst', 'grievance_officer'],
  },
} as const satisfies PermissionTable;

declare module '../shared/access' {
  interface PermissionRegistry extends Record<keyof typeof grievancesPermissions, true> {}
}
