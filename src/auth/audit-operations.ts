// What staff security writes to the audit log. None of these touches a cardholder's record;
// the words serve the auditor's view.
import type { AuditOperationTable } from '../shared/audit-operations';

/** Audit operations of the auth domain. */
export const authAuditOperations = {
  'auth.signin': {
    kind: 'other',
    en: 'A staff member signed in.',
    es: 'Un funcionario inició sesión.',
  },
  'auth.signin_failed': {
    kind: 'other',
    en: 'A staff sign-in failed.',
    es: 'Falló un inicio de sesión de personal.',
  },
  'auth.signin_refused_locked': {
    kind: 'other',
    en: 'A sign-in to a locked staff account was refused.',
    es: 'Se rechazó un inicio de sesión en una cuenta bloqueada.',
  },
  'auth.locked': {
    kind: 'other',
    en: 'A staff account was locked after repeated failures.',
    es: 'Se bloqueó una cuenta de personal tras fallos repetidos.',
  },
  'auth.signout': {
    kind: 'other',
    en: 'A staff member signed out.',
    es: 'Un funcionario cerró sesión.',
  },
  'auth.totp_enrolled': {
    kind: 'other',
    en: 'A staff member enrolled a second factor.',
    es: 'Un funcionario registró un segundo factor.',
  },
  'auth.password_changed': {
    kind: 'other',
    en: 'A staff member changed their password.',
    es: 'Un funcionario cambió su contraseña.',
  },
  'auth.password_change_failed': {
    kind: 'other',
    en: 'A password change was refused: the current password was wrong.',
    es: 'Se rechazó un cambio de contraseña: la contraseña actual era incorrecta.',
  },
  'staff.create': {
    kind: 'other',
    en: 'A staff account was created.',
    es: 'Se creó una cuenta de personal.',
  },
  'staff.disable': {
    kind: 'other',
    en: 'A staff account was disabled.',
    es: 'Se desactivó una cuenta de personal.',
  },
  'staff.disable_admin': {
    kind: 'other',
    en: 'An account that can approve requests or administer staff was disabled after a second approval.',
    es: 'Se desactivó una cuenta que puede aprobar solicitudes o administrar personal, con una segunda aprobación.',
  },
  'staff.grant_role': {
    kind: 'other',
    en: 'A role was granted to a staff member after a second approval.',
    es: 'Se concedió un rol a un funcionario con una segunda aprobación.',
  },
  'staff.revoke_role': {
    kind: 'other',
    en: 'A role was taken from a staff member.',
    es: 'Se retiró un rol a un funcionario.',
  },
  'staff.revoke_admin': {
    kind: 'other',
    en: 'A role that can approve requests or administer staff was taken away after a second approval.',
    es: 'Se retiró un rol que puede aprobar solicitudes o administrar personal, con una segunda aprobación.',
  },
  'token.create': {
    kind: 'other',
    en: 'An API token was created.',
    es: 'Se creó una ficha de API.',
  },
  'token.revoke': {
    kind: 'other',
    en: 'An API token was revoked.',
    es: 'Se revocó una ficha de API.',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof authAuditOperations, true> {}
}
