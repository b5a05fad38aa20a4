// The registry's permissions: who may read, search and change persons and households.
import type { PermissionTable } from '../shared/access';

/** Permissions of the registry domain. */
export const registryPermissions = {
  'person:read': {
    en: 'Read a person’s record (with a declared purpose)',
    es: 'Leer el registro de una persona (con una finalidad declarada)',
    roles: ['registrar'],
  },
  'person:search': {
    en: 'Search persons by registry number or name and birth date',
    es: 'Buscar personas por número de registro o por nombre y fecha de nacimiento',
    roles: ['registrar', 'operator'],
  },
  'person:write': {
    en: 'Enrol persons, correct records, record life events',
    es: 'Inscribir personas, corregir registros, anotar hechos vitales',
    roles: ['registrar'],
  },
  'person:deactivate': {
    en: 'Request deactivation or merge of a person (four-eyes)',
    es: 'Solicitar la baja o la fusión de una persona (cuatro ojos)',
    roles: ['registrar'],
  },
  'household:read': {
    en: 'Read households and their members',
    es: 'Leer hogares y sus miembros',
    roles: ['registrar'],
  },
  'household:write': {
    en: 'Create households, add and move members',
    es: 'Crear hogares, añadir y trasladar miembros',
    roles: ['registrar'],
  },
  'attribute:declare': {
    en: 'Declare custom attributes in the closed schema',
    es: 'Declarar atributos propios en el esquema cerrado',
    roles: ['programme_admin', 'admin'],
  },
  'attribute:read': {
    en: 'List declared attributes',
    es: 'Ver los atributos declarados',
    roles: ['registrar', 'programme_admin', 'auditor', 'analyst', 'admin'],
  },
  'registry:import': {
    en: 'Bulk-import persons',
    es: 'Importar personas en bloque',
    roles: ['registrar'],
  },
  'registry:export': {
    en: 'Request a row-level export (four-eyes)',
    es: 'Solicitar una exportación fila a fila (cuatro ojos)',
    roles: ['admin'],
  },
} as const satisfies PermissionTable;

declare module '../shared/access' {
  interface PermissionRegistry extends Record<keyof typeof registryPermissions, true> {}
}
