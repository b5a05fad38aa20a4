// What the ledger writes to the audit log. No entry names a person yet: accounts are not
// linked to people in this slice, so these read as system operations.
import type { AuditOperationTable } from '../shared/audit-operations';

/** Audit operations of the ledger domain. */
export const ledgerAuditOperations = {
  'ledger.account.create': {
    kind: 'other',
    en: 'Ledger accounts were opened.',
    es: 'Se abrieron cuentas del libro mayor.',
  },
  'ledger.transfer.create': {
    kind: 'other',
    en: 'A batch of money transfers was applied to the ledger.',
    es: 'Se aplicó al libro mayor un lote de transferencias de dinero.',
  },
  'ledger.pending.expire': {
    kind: 'other',
    en: 'Reserved amounts whose time ran out were released.',
    es: 'Se liberaron montos reservados cuyo plazo venció.',
  },
  'wallet.read': {
    kind: 'read',
    en: 'Your wallet statement was consulted.',
    es: 'Se consultó el estado de cuenta de su monedero.',
  },
  'wallet.pin_set': {
    kind: 'change',
    en: 'The PIN of your wallet was set or reset at a registration office.',
    es: 'Se fijó o restableció el PIN de su monedero en una oficina de registro.',
  },
  'wallet.co_payment': {
    kind: 'change',
    en: 'A co-payment was taken from your wallet (reserved, then posted or released).',
    es: 'Se cobró un copago de su monedero (reservado, luego cobrado o liberado).',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof ledgerAuditOperations, true> {}
}
