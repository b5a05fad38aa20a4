// Limits of payouts, each with its reason. Units last.

/** Items read, reserved and written per transaction: bounds locks and memory at any size. */
export const payoutPageRows = 2000;
/** Most items one create request carries (a 1 MiB JSON body holds about this many). */
export const payoutItemsPerRequestMax = 5000;
/** Largest status report (pain.002, camt.054) accepted: bounds the reader's memory. */
export const statusReportBytesMax = 32 * 1024 * 1024;
/** Disbursements per G2P Connect /disburse message: keeps each body well under 1 MiB. */
export const g2pDisbursementsPerMessage = 1000;
/** How long an HTTP or G2P provider has to answer one request, in milliseconds. */
export const providerTimeoutMs = 30_000;
/** Differences a status report keeps in its answer (the rest are counted). */
export const reportDifferencesMax = 1000;
