// A batch in TigerBeetle's order: each transfer alone, or a linked chain (every transfer but
// the last has `linked`) that succeeds or fails as one. In a failed chain the transfer that
// failed keeps its own result and every other one reads `linked_event_failed`; nothing of the
// chain is kept. A chain still open at the end of the batch fails as a whole.
import { applyTransfer } from './apply-transfer';
import type { LedgerWork } from './ledger-work';
import type { TransferInput, TransferResult } from './types';

/** Applies a batch to the working state; one result per transfer, in order. */
export function applyBatch(work: LedgerWork, inputs: readonly TransferInput[]): TransferResult[] {
  const results: TransferResult[] = [];
  let start = 0;
  while (start < inputs.length) {
    let end = start;
    while (end < inputs.length && inputs[end]!.flags?.linked) end += 1;
    if (end === inputs.length) {
      for (let i = start; i < end; i += 1) results[i] = 'linked_event_failed';
      results[end - 1] = 'linked_event_chain_open';
      break;
    }
    applyChain(work, inputs, start, end, results);
    work.settle();
    start = end + 1;
  }
  return results;
}

function applyChain(
  work: LedgerWork,
  inputs: readonly TransferInput[],
  first: number,
  last: number,
  results: TransferResult[],
): void {
  const checkpoint = work.checkpoint();
  for (let i = first; i <= last; i += 1) {
    const input = inputs[i]!;
    const result = work.refused.has(input.id) ? 'id_already_failed' : applyTransfer(work, input);
    results[i] = result;
    const isChain = last > first;
    // In a chain even `exists` fails it, as in TigerBeetle: the chain was applied before, or
    // its ids collide with others; either way nothing new may be written.
    if (isChain && result !== 'created') {
      work.rollback(checkpoint);
      for (let j = first; j <= last; j += 1) if (j !== i) results[j] = 'linked_event_failed';
      return;
    }
  }
}
