// Cards and their keys: who may issue, verify, and rotate.
import type { PermissionTable } from '../shared/access';

/** Permissions of the credentials domain. */
export const credentialsPermissions = {
  'card:issue': {
    en: 'Issue, replace and revoke cards',
    es: 'Emitir, reponer y revocar tarjetas',
    roles: ['registrar'],
  },
  'card:verify': {
    en: 'Verify a card',
    es: 'Verificar una tarjeta',
    roles: ['registrar', 'operator'],
  },
  'keys:manage': {
    en: 'Request issuer key rotation (four-eyes)',
    es: 'Solicitar la rotación de la clave emisora (cuatro ojos)',
    roles: ['admin'],
  },
} as const satisfies PermissionTable;

declare module '../shared/access' {
  interface PermissionRegistry extends Record<keyof typeof credentialsPermissions, true> {}
}
