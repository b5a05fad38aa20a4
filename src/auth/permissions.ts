// Staff accounts, tokens and one's own sign-in.
import type { PermissionTable } from '../shared/access';

/** Permissions of the auth domain. */
export const authPermissions = {
  'staff:manage': {
    en: 'Create and disable staff accounts, request role grants',
    es: 'Crear y desactivar cuentas de personal, solicitar roles',
    roles: ['admin'],
  },
  'staff:read': {
    en: 'List staff accounts',
    es: 'Ver las cuentas de personal',
    roles: ['auditor', 'admin'],
  },
  'token:manage': {
    en: 'Create and revoke API tokens',
    es: 'Crear y revocar fichas de API',
    roles: ['admin'],
  },
  'self:manage': {
    en: 'Change own password, second factor, sign out',
    es: 'Cambiar la propia contraseña y el segundo factor, cerrar sesión',
    roles: ['registrar', 'programme_admin', 'operator', 'auditor', 'analyst', 'admin', 'finance'],
  },
} as const satisfies PermissionTable;

declare module '../shared/access' {
  interface PermissionRegistry extends Record<keyof typeof authPermissions, true> {}
}
