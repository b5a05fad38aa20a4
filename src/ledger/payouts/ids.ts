// Every id a payout derives rather than draws: the same inputs give the same id on every run,
// so that a rerun after a crash, or a second batch for the same origin, finds what the first
// one did instead of paying again. An attempt number separates a re-sending after a returned
// payment (money back in the fund) from the first sending.
import { createHash } from 'node:crypto';

function digest(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/**
 * The pending ledger transfer of one person's attempt at one origin: the origin's digest, then
 * the person and the attempt, so that a batch's transfers, reserved in item order, land next to
 * each other in the ledger's primary key instead of at random places in it (a million random
 * keys dirty a page each; these append). Too long for an id, it is a digest of all three.
 */
export function payoutTransferId(origin: string, personId: string, attempt: number): string {
  const readable = `po-${digest('payout', origin).slice(0, 12)}-${personId}-${attempt}`;
  return readable.length <= 64 && /^[A-Za-z0-9._:-]+$/.test(personId)
    ? readable
    : `po-${digest('payout', origin, personId, String(attempt)).slice(0, 40)}`;
}

/**
 * The end-to-end id the provider carries back (ISO 20022 EndToEndId, G2P reference_id): 34
 * characters, letters and digits only, within pain.001's Max35Text and G2P's id patterns. It
 * names one item's attempt, so that two batches holding the same person (one of them skipped)
 * never share one; the transfer id, derived from origin and person, is what pays once.
 */
export function payoutEndToEndId(itemId: string, attempt: number): string {
  return `TS${digest('end-to-end', itemId, String(attempt)).slice(0, 32).toUpperCase()}`;
}

/** The transfer that posts (paid) or voids (returned) a payout's pending transfer. */
export function payoutSettlementId(transferId: string, outcome: 'post' | 'void'): string {
  return `${outcome}-${digest(transferId).slice(0, 40)}`;
}

/** One export of a batch to a provider: its pain.001 MsgId / G2P transaction_id (Max35Text). */
export function payoutExportId(batchId: string, providerId: string, round: number): string {
  return `TX${digest('export', batchId, providerId, String(round)).slice(0, 30).toUpperCase()}`;
}
