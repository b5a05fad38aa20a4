// The ledger domain's public surface: double-entry accounts and immutable transfers on
// TigerBeetle's model (pending, post, void, linked chains), in integer minor units.
import { defineModule } from '../module';
import { ledgerAuditOperations } from './audit-operations';
import { registerLedgerCommands } from './cli-ledger';
import { ledgerInitial, walletPins } from './migrations';
import { ledgerPermissions } from './permissions';
import { ledgerRoutes } from './routes';
import { payoutRoutes, payoutsInitial } from './payouts';
import { settlementInitial } from './settlement-migration';
import { settlementRoutes } from './settlement-routes';

export { amountText, readAmount, amountToText } from './amount';
export { createAccounts, createAccountsInput, accountInput } from './create-accounts';
export type { AccountInput, CreateAccountsInput } from './create-accounts';
export {
  createTransfers,
  createTransfersInput,
  transferInput,
  applyTransfersIn,
} from './create-transfers';
export type { CreateTransfersInput, CreateTransfersResult } from './create-transfers';
export { getAccount } from './get-account';
export { listAccountTransfers, accountTransfersPageInput } from './list-account-transfers';
export { lookupAccounts, lookupAccountsInput } from './lookup-accounts';
export type { LookupAccountsInput } from './lookup-accounts';
export { expirePendingTransfers } from './expire-pending-transfers';
export { ledgerTotals, type LedgerTotal } from './ledger-totals';
export { presentAccount, presentTransfer, type AccountView, type TransferView } from './present';
export * from './limits';
export * from './types';
export { ledgerAuditOperations } from './audit-operations';
export {
  readWalletStatement,
  walletAccountId,
  walletStatement,
  type WalletStatement,
} from './wallets';
export {
  reserveCoPayment,
  settleCoPayment,
  coPaymentHoldSeconds,
  type CoPayment,
} from './co-payments';
export { checkWalletPin, setWalletPin, pinTriesMax, pinLockMs, type PinCheck } from './wallet-pins';
export { ledgerPermissions } from './permissions';
export { registerLedgerCommands } from './cli-ledger';
export * from './payouts';
export {
  coPaymentTransferId,
  offlineWalletAllowance,
  offlineWalletLimit,
  presentAllowance,
  takeOfflineWalletPayment,
} from './settlement-offline-wallet';
export {
  approveSettlement,
  computeSettlement,
  getSettlement,
  settlementDay,
  setSettlementRate,
  listSettlementRates,
  settlementTransferId,
  type Settlement,
} from './settlement';
export { reconcilePayouts, type Reconciliation } from './reconciliation';
export { openDispute, decideDispute, listDisputes, type Dispute } from './disputes';

/** The ledger domain, as the module list wires it. */
export const ledgerModule = defineModule({
  name: 'ledger',
  migrations: {
    '2026-12-02-02-ledger': ledgerInitial,
    '2026-12-05-01-wallet-pins': walletPins,
    '2026-12-06-01-payouts': payoutsInitial,
    '2026-12-10-01-ledger-settlement': settlementInitial,
  },
  routes: [...ledgerRoutes, ...payoutRoutes, ...settlementRoutes],
  commands: registerLedgerCommands,
  permissions: ledgerPermissions,
  auditOperations: ledgerAuditOperations,
});
