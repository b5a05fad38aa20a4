// Who may read and move money. No finance role exists yet (roles are a closed list in
// src/shared/access.ts): programme administrators fund programmes and pay benefits, so they
// write; auditors check the books, so they read. Analysts, registrars and operators do not
// see accounts: analysts get statistics, and point-of-service co-payments come with the wallet.
import type { PermissionTable } from '../shared/access';

/** Permissions of the ledger domain. */
export const ledgerPermissions = {
  'ledger:read': {
    en: 'Read ledger accounts, balances and transfers',
    es: 'Consultar cuentas, saldos y transferencias del libro mayor',
    roles: ['programme_admin', 'auditor'],
  },
  'ledger:write': {
    en: 'Open ledger accounts and move money between them',
    es: 'Abrir cuentas del libro mayor y mover dinero entre ellas',
    roles: ['programme_admin'],
  },
  'wallet:read': {
    en: 'Read a cardholder’s wallet statement (with a purpose)',
    es: 'Consultar el estado de cuenta del monedero de una persona (con un propósito)',
    roles: ['registrar', 'programme_admin'],
  },
  'wallet:pin': {
    en: 'Set or reset a cardholder’s wallet PIN after checking their identity',
    es: 'Fijar o restablecer el PIN del monedero de una persona tras verificar su identidad',
    roles: ['registrar'],
  },
  'wallet:charge': {
    en: 'Take a co-payment from a cardholder’s wallet, confirmed by their PIN',
    es: 'Cobrar un copago del monedero de una persona, confirmado con su PIN',
    roles: ['operator'],
  },
} as const satisfies PermissionTable;

declare module '../shared/access' {
  interface PermissionRegistry extends Record<keyof typeof ledgerPermissions, true> {}
}
