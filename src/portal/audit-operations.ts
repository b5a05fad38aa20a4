// What the portal writes to the audit log, in the words the person reads in their own report.
import type { AuditOperationTable } from '../shared/audit-operations';

/** Audit operations of the portal domain. */
export const portalAuditOperations = {
  'portal.code_sent': {
    kind: 'other',
    en: 'A code to sign in to My Tessera was sent to your phone.',
    es: 'Se envió a su teléfono un código para entrar a Mi Tessera.',
  },
  'portal.signin': {
    kind: 'other',
    en: 'You signed in to My Tessera.',
    es: 'Usted entró a Mi Tessera.',
  },
  'portal.signin_failed': {
    kind: 'other',
    en: 'A wrong code was given to sign in to My Tessera as you.',
    es: 'Se dio un código equivocado para entrar a Mi Tessera como usted.',
  },
  'portal.locked': {
    kind: 'other',
    en: 'Sign-in to My Tessera as you was paused after repeated wrong codes.',
    es: 'La entrada a Mi Tessera como usted se pausó tras varios códigos equivocados.',
  },
  'portal.signout': {
    kind: 'other',
    en: 'You signed out of My Tessera.',
    es: 'Usted salió de Mi Tessera.',
  },
  'portal.preferences': {
    kind: 'change',
    en: 'You changed your language or message preferences.',
    es: 'Usted cambió su idioma o sus preferencias de mensajes.',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof portalAuditOperations, true> {}
}
