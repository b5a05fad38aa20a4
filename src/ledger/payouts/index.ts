// Payouts to banks and mobile money: what the ledger domain's surface offers of them.
export {
  createPayoutBatch,
  addPayoutItems,
  insertPayoutItems,
  insertPayoutBatch,
  approvePayoutBatch,
  getPayoutBatch,
  listPayoutBatches,
  listPayoutItems,
  lockBatch,
  requireNational,
  payoutBatchInput,
  type PayoutBatch,
  type PayoutBatchInput,
  type PayoutItemRequest,
} from './batches';
export { configureProvider, listProviders, providerInput, type Provider } from './providers';
export { setPayoutDestination, listPayoutDestinations, type Destination } from './destinations';
export { exportPayoutBatch, type ExportReport } from './export';
export { retryPayoutBatch } from './retry';
export { importStatusReport, type StatusImport } from './import-status';
export { receiveG2pCallback, queryG2pStatus } from './g2p';
export { payoutTransferId, payoutEndToEndId } from './ids';
export { payoutRoutes } from './routes';
export { payoutsInitial } from './migration';
export { registerPayoutCommands } from './cli-payouts';
