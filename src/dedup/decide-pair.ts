// A reviewer's decision on a pair: "different people" is recorded at once; "same person"
// becomes a merge request for a second approver.
import type { Approval } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { requestMerge } from './merge-persons';
import { decideDifferentPeople, type DuplicatePair, type PairDecisionInput } from './review-queue';

/** The outcome of a decision: the pair as it now stands, or the merge request filed. */
export type PairDecision =
  | { decision: 'different_people'; pair: DuplicatePair }
  | { decision: 'same_person'; approval: Approval };

/** Decides a pair. */
export async function decidePair(
  app: AppContext,
  caller: Caller,
  pairId: string,
  input: PairDecisionInput,
): Promise<PairDecision> {
  if (input.decision === 'different_people') {
    return {
      decision: 'different_people',
      pair: await decideDifferentPeople(app, caller, pairId, input.reason),
    };
  }
  const approval = await requestMerge(app, caller, pairId, {
    survivorId: input.survivorId,
    reason: input.reason,
  });
  return { decision: 'same_person', approval };
}
