// Who may run points of service. Administrators register points' devices (a device is a key
// and a token, as sensitive as a staff account); programme administrators define points and
// what they serve, and review conflicts; operators hand over — from a session or, more often,
// from a device whose token can do only what a device does (`devicePermissions`). Auditors
// read points, stock, logs and conflicts. Registrars record nominees with the person present.
import type { Permission, PermissionTable } from '../shared/access';

/** Permissions of the distribution domain. */
export const distributionPermissions = {
  'point:read': {
    en: 'Read points of service, their operators and devices (no personal data)',
    es: 'Consultar puntos de atención, sus operadores y dispositivos (sin datos personales)',
    roles: ['programme_admin', 'operator', 'auditor', 'admin'],
  },
  'point:write': {
    en: 'Define points of service, the programmes they serve and their operators',
    es: 'Definir puntos de atención, los programas que atienden y sus operadores',
    roles: ['programme_admin', 'admin'],
  },
  'device:manage': {
    en: 'Register a point’s devices (a one-time enrolment code) and revoke lost ones',
    es: 'Registrar los dispositivos de un punto (un código de alta de un solo uso) y revocar los perdidos',
    roles: ['admin'],
  },
  'device:enrol': {
    en: 'Enrol a device at one’s own point with its one-time code',
    es: 'Dar de alta un dispositivo en el propio punto con su código de un solo uso',
    roles: ['operator'],
  },
  'stock:read': {
    en: 'Read what points received, delivered and have left',
    es: 'Consultar lo que los puntos recibieron, entregaron y les queda',
    roles: ['programme_admin', 'operator', 'auditor'],
  },
  'stock:write': {
    en: 'Record stock received at a point, or an adjustment with a reason',
    es: 'Registrar existencias recibidas en un punto, o un ajuste con su motivo',
    roles: ['programme_admin', 'operator'],
  },
  'redemption:create': {
    en: 'Hand over an entitlement, recording the proof of identity',
    es: 'Entregar un beneficio, registrando la prueba de identidad',
    roles: ['operator'],
  },
  'redemption:read': {
    en: 'Read a point’s redemption log (with a purpose)',
    es: 'Consultar el registro de entregas de un punto (con un propósito)',
    roles: ['programme_admin', 'auditor', 'operator'],
  },
  'proof:send': {
    en: 'Send a one-time code to a person’s phone on record, for a proof without a card',
    es: 'Enviar un código de un solo uso al teléfono registrado de una persona, como prueba sin carnet',
    roles: ['operator'],
  },
  'pack:download': {
    en: 'Download a device’s offline pack (lists and leased entitlements)',
    es: 'Descargar el paquete sin conexión de un dispositivo (listas y beneficios asignados)',
    roles: ['operator'],
  },
  'sync:upload': {
    en: 'Upload the redemptions a device recorded offline',
    es: 'Subir las entregas que un dispositivo registró sin conexión',
    roles: ['operator'],
  },
  'conflict:read': {
    en: 'Read conflicting redemptions awaiting review',
    es: 'Consultar entregas en conflicto pendientes de revisión',
    roles: ['programme_admin', 'auditor'],
  },
  'conflict:resolve': {
    en: 'Resolve a conflicting redemption, with a note',
    es: 'Resolver una entrega en conflicto, con una nota',
    roles: ['programme_admin'],
  },
  'nominee:write': {
    en: 'Record or revoke a person’s nominee, with their consent',
    es: 'Registrar o revocar la persona autorizada de alguien, con su consentimiento',
    roles: ['registrar'],
  },
} as const satisfies PermissionTable;

declare module '../shared/access' {
  interface PermissionRegistry extends Record<keyof typeof distributionPermissions, true> {}
}

/** What a device's token may do: nothing a device does not do. */
export const devicePermissions: readonly Permission[] = [
  'point:read',
  'entitlement:read',
  'card:verify',
  'redemption:create',
  'proof:send',
  'pack:download',
  'sync:upload',
  'stock:read',
  'wallet:charge',
];
