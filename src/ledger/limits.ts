// Limits of the ledger, each with its reason. Units last.

/**
 * Most transfers in one createTransfers batch. TigerBeetle's batch limit (8,190 transfers of
 * 128 bytes fill its 1 MiB message); here it bounds one transaction's locks and memory.
 * The HTTP body limit (1 MiB) may bind first when ids are long.
 */
export const transferBatchMax = 8190;
/** Most accounts in one createAccounts batch: the same bound, for the same reasons. */
export const accountBatchMax = 8190;
/** Largest amount or balance: a signed 64-bit column holds at most 2^63 − 1 minor units. */
export const amountMax = 2n ** 63n - 1n;
/** Longest timeout of a pending transfer: one year, in seconds. */
export const pendingTimeoutSecondsMax = 366 * 24 * 3600;
/** Most transfers on one page of an account's transfers. */
export const transfersPageSizeMax = 200;
/** Default page size of an account's transfers. */
export const transfersPageSizeDefault = 50;
/** Most pending transfers expired by one expirePendingTransfers transaction. */
export const expireBatchMax = 1000;
/**
 * Most accounts read by one lookup: one IN list (under both engines' bound-parameter limits),
 * so that the lookup is one statement and its balances one snapshot.
 */
export const accountLookupMax = 500;
