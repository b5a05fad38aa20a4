// What the ledger writes to the audit log. Accounts and transfers read as system operations;
// wallets, co-payments, payout destinations and the payouts sent to a person name them.
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
  'payout.provider': {
    kind: 'other',
    en: 'A payout provider (bank or mobile money) was configured.',
    es: 'Se configuró un proveedor de pagos (banco o dinero móvil).',
  },
  'payout.destination_write': {
    kind: 'change',
    en: 'The bank or mobile account you are paid to was recorded or changed, with you present.',
    es: 'Se registró o cambió la cuenta bancaria o móvil donde se le paga, en su presencia.',
  },
  'payout.destination_read': {
    kind: 'read',
    en: 'The bank or mobile account you are paid to was consulted.',
    es: 'Se consultó la cuenta bancaria o móvil donde se le paga.',
  },
  'payout.batch_create': {
    kind: 'other',
    en: 'A payout batch was prepared.',
    es: 'Se preparó un lote de pagos.',
  },
  'payout.batch_approve': {
    kind: 'other',
    en: 'A second official approved a payout batch.',
    es: 'Un segundo funcionario aprobó un lote de pagos.',
  },
  'payout.export': {
    kind: 'read',
    // Bounded by the batch a second official approved, like a row-level export.
    metered: false,
    en: 'Your name and account were sent to your bank or mobile-money provider to pay you.',
    es: 'Su nombre y su cuenta se enviaron a su banco o proveedor de dinero móvil para pagarle.',
  },
  'payout.items_read': {
    kind: 'read',
    en: 'The payments of a payout batch, yours among them, were consulted.',
    es: 'Se consultaron los pagos de un lote, entre ellos el suyo.',
  },
  'payout.status': {
    kind: 'change',
    en: 'Your provider reported a payment to you as paid or returned.',
    es: 'Su proveedor informó que un pago a usted se realizó o fue devuelto.',
  },
  'payout.retry': {
    kind: 'other',
    en: 'Payments of a batch that were returned were sent again.',
    es: 'Se enviaron de nuevo los pagos devueltos de un lote.',
  },
  'settlement.rate': {
    kind: 'other',
    en: 'A programme’s reimbursement rate for points of service was set.',
    es: 'Se fijó la tarifa de reembolso de un programa para los puntos de atención.',
  },
  'settlement.compute': {
    kind: 'other',
    en: 'A point of service’s settlement of a day was computed.',
    es: 'Se calculó la liquidación de un día de un punto de atención.',
  },
  'settlement.approve': {
    kind: 'other',
    en: 'A second official approved a point’s settlement and its reimbursement was paid.',
    es: 'Un segundo funcionario aprobó la liquidación de un punto y se pagó su reembolso.',
  },
  'dispute.open': {
    kind: 'other',
    en: 'A dispute was opened on a settlement line.',
    es: 'Se abrió una disputa sobre una línea de liquidación.',
  },
  'dispute.review': {
    kind: 'other',
    en: 'A dispute on a settlement was taken under review.',
    es: 'Se puso en revisión una disputa sobre una liquidación.',
  },
  'dispute.resolve': {
    kind: 'other',
    en: 'A dispute on a settlement was upheld (with a correcting transfer) or rejected.',
    es: 'Se aceptó (con una transferencia de corrección) o se rechazó una disputa sobre una liquidación.',
  },
  'reconciliation.run': {
    kind: 'other',
    en: 'Payouts were reconciled against the providers’ statements.',
    es: 'Se conciliaron los pagos con los extractos de los proveedores.',
  },
} as const satisfies AuditOperationTable;

declare module '../shared/audit-operations' {
  interface AuditOperationRegistry extends Record<keyof typeof ledgerAuditOperations, true> {}
}
