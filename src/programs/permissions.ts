// Who may define programmes, run their cycles and read what people are entitled to. A second
// programme administrator approves a cycle or a payment run (four-eyes within the role): the
// approver may never be who froze the cycle, however either of them signed in.
import type { PermissionTable } from '../shared/access';

/** Permissions of the programmes domain. */
export const programsPermissions = {
  'programme:read': {
    en: 'Read programme definitions, rules and cycles (no personal data)',
    es: 'Consultar programas, reglas y ciclos (sin datos personales)',
    roles: ['programme_admin', 'operator', 'auditor', 'analyst', 'admin', 'finance'],
  },
  'programme:write': {
    en: 'Define programmes and change them (each change is a new version)',
    es: 'Definir programas y cambiarlos (cada cambio es una versión nueva)',
    roles: ['programme_admin'],
  },
  'cycle:manage': {
    en: 'Open, freeze, generate and close cycles; dry-run rules',
    es: 'Abrir, congelar, generar y cerrar ciclos; probar reglas',
    roles: ['programme_admin'],
  },
  'cycle:approve': {
    en: 'Approve a cycle or a payment run prepared by someone else',
    es: 'Aprobar un ciclo o un pago preparado por otra persona',
    roles: ['programme_admin'],
  },
  'entitlement:read': {
    en: 'Read a person’s entitlements (with a purpose)',
    es: 'Consultar los beneficios de una persona (con un propósito)',
    roles: ['programme_admin', 'operator', 'registrar'],
  },
  'entitlement:pause': {
    en: 'Pause or resume a person’s entitlements in a programme, with a reason',
    es: 'Suspender o reanudar los beneficios de una persona en un programa, con un motivo',
    roles: ['programme_admin'],
  },
  'exclusion:read': {
    en: 'Read exclusion reports (counts with small cells suppressed)',
    es: 'Consultar informes de exclusión (conteos con celdas pequeñas suprimidas)',
    roles: ['programme_admin', 'analyst', 'auditor'],
  },
} as const satisfies PermissionTable;

declare module '../shared/access' {
  interface PermissionRegistry extends Record<keyof typeof programsPermissions, true> {}
}
