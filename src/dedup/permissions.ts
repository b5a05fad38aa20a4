// Duplicate review's permission.
import type { PermissionTable } from '../shared/access';

/** Permissions of the dedup domain. */
export const dedupPermissions = {
  'dedup:review': {
    en: 'Review possible duplicates',
    es: 'Revisar posibles duplicados',
    roles: ['registrar'],
  },
} as const satisfies PermissionTable;

declare module '../shared/access' {
  interface PermissionRegistry extends Record<keyof typeof dedupPermissions, true> {}
}
