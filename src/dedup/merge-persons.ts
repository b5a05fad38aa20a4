// Merging two records of one person, and undoing it. Both are four-eyes operations: a reviewer
// asks, a different staff member approves, and only then does anything change.
//
// What a merge does, and nothing more:
// - the merged record gets status `merged` and `merged_into` = the survivor, as a new version
//   (applyPersonChange keeps the previous one whole); nothing is deleted, and the survivor's
//   and the merged record's histories both stay readable, linked by a person_merges row;
// - household membership follows one rule: the merged record's membership ends; if the
//   survivor belongs to no household, the survivor joins the merged record's household with
//   the same relationship; if the survivor already has a household, it keeps its own;
// - other domains hear `{ kind: 'merge', personId: mergedId, survivorId }` through the life
//   event hooks in the same transaction (cards revoke on it).
// Undoing restores the merged record to `active` with a new version, reverses the household
// step when the household still allows it, and announces `{ kind: 'unmerge', … }`.
import { z } from 'zod';
import { regionsFor } from '../shared/access';
import type { Queryable } from '../db';
import { appendAudit, requestApproval, type Approval } from '../privacy';
import { announceLifeEvent, applyPersonChange, type PersonRow } from '../registry';
import { approvalExecutor, type AppContext, type Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { id, reason } from '../shared/schemas';
import { isDecidable, loadPairForReview } from './review-queue';
import { insertDecision, loadPair, type PairWithRegions } from './store';
import { readStoredJson } from '../shared/stored-json';

/** A merge request: which record survives, and why. */
export const mergeRequestInput = z.object({ survivorId: id, reason }).strict();
/** A merge request, validated. */
export type MergeRequestInput = z.output<typeof mergeRequestInput>;
/** An unmerge request. */
export const unmergeRequestInput = z.object({ reason }).strict();
/** An unmerge request, validated. */
export type UnmergeRequestInput = z.output<typeof unmergeRequestInput>;

/** What a merge did to household membership, kept so that it can be undone. */
export type HouseholdAction = z.output<typeof householdAction>;

/** The stored form of a HouseholdAction, parsed when an unmerge reads it back. */
const householdAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({
    kind: z.literal('moved_to_survivor'),
    householdId: z.string(),
    relationship: z.string(),
    membershipId: z.string(),
  }),
  z.object({ kind: z.literal('ended'), householdId: z.string(), relationship: z.string() }),
]);

const mergePayload = z.object({
  pairId: z.string(),
  survivorId: z.string(),
  mergedId: z.string(),
  reason: z.string(),
});
type MergePayload = z.infer<typeof mergePayload>;

const unmergePayload = z.object({ pairId: z.string(), mergeId: z.string(), reason: z.string() });
type UnmergePayload = z.infer<typeof unmergePayload>;

/** A merge changes both records: the caller must be able to request it in both regions. */
function requireBothRegions(caller: Caller, pair: PairWithRegions): void {
  const regions = regionsFor(caller.actor, 'person:deactivate');
  if (regions === '*') return;
  if (!regions.includes(pair.left_region) || !regions.includes(pair.right_region)) {
    throw new DomainError(
      'FORBIDDEN',
      'Merging or unmerging two records needs the permission person:deactivate in the regions of both.',
    );
  }
}

/** Asks to merge a pair, keeping `survivorId`. Nothing changes until a second approver agrees. */
export async function requestMerge(
  app: AppContext,
  caller: Caller,
  pairId: string,
  input: MergeRequestInput,
): Promise<Approval> {
  const pair = await app.db.transaction(async (trx) => {
    const found = await loadPairForReview(trx, caller, pairId);
    requireBothRegions(caller, found);
    if (!(await isDecidable(trx, found, app.now().toISOString())))
      throw new DomainError(
        'INVALID_STATE',
        `The pair is ${found.status.replace('_', ' ')}; it cannot be merged now.`,
      );
    if (input.survivorId !== found.left_id && input.survivorId !== found.right_id)
      throw new DomainError(
        'VALIDATION_FAILED',
        'survivorId: must be one of the two records of the pair',
        'survivorId',
      );
    const states = await trx
      .selectFrom('persons')
      .select(['id', 'status'])
      .where('id', 'in', [found.left_id, found.right_id])
      .execute();
    const inactive = states.find((s) => s.status !== 'active');
    if (inactive)
      throw new DomainError(
        'INVALID_STATE',
        `One of the records is ${inactive.status}; only two active records can be merged.`,
      );
    return found;
  });
  const mergedId = input.survivorId === pair.left_id ? pair.right_id : pair.left_id;
  const payload: MergePayload = {
    pairId,
    survivorId: input.survivorId,
    mergedId,
    reason: input.reason,
  };
  const approval = await requestApproval(app, caller, {
    operation: 'person.merge',
    payload: { ...payload },
    reason: input.reason,
    regionCode: mergedId === pair.left_id ? pair.left_region : pair.right_region,
    subjectIds: [input.survivorId, mergedId],
  });
  // A second transaction: if the pair changed meanwhile, the request stays filed but its
  // executor refuses it, because the pair no longer names it.
  await app.db.transaction(async (trx) => {
    const updated = await trx
      .updateTable('dedup_pairs')
      .set({
        status: 'merge_requested',
        approval_id: approval.id,
        survivor_id: input.survivorId,
        updated_at: app.now().toISOString(),
      })
      .where('id', '=', pairId)
      .where('status', '=', pair.status)
      .where('updated_at', '=', pair.updated_at)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new DomainError('CONFLICT', 'Someone decided this pair meanwhile.');
    await insertDecision(trx, app, {
      pairId,
      decision: 'merge_requested',
      decidedBy: caller.actor.id,
      reason: input.reason,
      approvalId: approval.id,
    });
    await appendAudit(trx, app, caller, {
      operation: 'dedup.merge.request',
      permission: 'person:deactivate',
      subjectIds: [input.survivorId, mergedId],
      details: { pairId, approvalId: approval.id },
    });
  });
  return approval;
}

/** Asks to undo a merge. Nothing changes until a second approver agrees. */
export async function requestUnmerge(
  app: AppContext,
  caller: Caller,
  pairId: string,
  input: UnmergeRequestInput,
): Promise<Approval> {
  const { pair, merge } = await app.db.transaction(async (trx) => {
    const found = await loadPairForReview(trx, caller, pairId);
    requireBothRegions(caller, found);
    if (found.status !== 'merged')
      throw new DomainError(
        'INVALID_STATE',
        `The pair is ${found.status.replace('_', ' ')}, not merged.`,
      );
    const row = await trx
      .selectFrom('person_merges')
      .selectAll()
      .where('pair_id', '=', pairId)
      .where('unmerged_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw new Error(`invariant violated: merged pair ${pairId} has no open merge record`);
    if (found.approval_id && found.approval_id !== row.merge_approval_id) {
      const pending = await trx
        .selectFrom('approvals')
        .select('status')
        .where('id', '=', found.approval_id)
        .executeTakeFirst();
      if (pending?.status === 'pending')
        throw new DomainError(
          'CONFLICT',
          'An unmerge of this pair is already waiting for approval.',
          undefined,
          { approvalId: found.approval_id },
        );
    }
    return { pair: found, merge: row };
  });
  const payload: UnmergePayload = { pairId, mergeId: merge.id, reason: input.reason };
  const approval = await requestApproval(app, caller, {
    operation: 'person.unmerge',
    payload: { ...payload },
    reason: input.reason,
    regionCode: merge.merged_id === pair.left_id ? pair.left_region : pair.right_region,
    subjectIds: [merge.survivor_id, merge.merged_id],
  });
  await app.db.transaction(async (trx) => {
    const updated = await trx
      .updateTable('dedup_pairs')
      .set({ approval_id: approval.id, updated_at: app.now().toISOString() })
      .where('id', '=', pairId)
      .where('status', '=', 'merged')
      .where('updated_at', '=', pair.updated_at)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new DomainError('CONFLICT', 'Someone changed this pair meanwhile.');
    await insertDecision(trx, app, {
      pairId,
      decision: 'unmerge_requested',
      decidedBy: caller.actor.id,
      reason: input.reason,
      approvalId: approval.id,
    });
    await appendAudit(trx, app, caller, {
      operation: 'dedup.unmerge.request',
      permission: 'person:deactivate',
      subjectIds: [merge.survivor_id, merge.merged_id],
      details: { pairId, approvalId: approval.id },
    });
  });
  return approval;
}

async function currentMembership(trx: Queryable, personId: string) {
  return trx
    .selectFrom('household_members')
    .selectAll()
    .where('person_id', '=', personId)
    .where('left_at', 'is', null)
    .executeTakeFirst();
}

async function loadPerson(trx: Queryable, id: string): Promise<PersonRow> {
  const row = await trx.selectFrom('persons').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Person not found.', 'id');
  return row;
}

/** Ends the merged record's membership; the survivor takes it when it has no household. */
async function moveHousehold(
  trx: Queryable,
  app: AppContext,
  decider: Caller,
  survivor: PersonRow,
  merged: PersonRow,
): Promise<HouseholdAction> {
  const membership = await currentMembership(trx, merged.id);
  if (!membership) return { kind: 'none' };
  const now = app.now().toISOString();
  await trx
    .updateTable('household_members')
    .set({ left_at: now, left_reason: 'merged: duplicate record of another person record' })
    .where('id', '=', membership.id)
    .execute();
  if (await currentMembership(trx, survivor.id))
    return {
      kind: 'ended',
      householdId: membership.household_id,
      relationship: membership.relationship,
    };
  const membershipId = app.newId();
  await trx
    .insertInto('household_members')
    .values({
      id: membershipId,
      household_id: membership.household_id,
      person_id: survivor.id,
      relationship: membership.relationship,
      joined_at: now,
      joined_reason: 'merge of duplicate records',
      left_at: null,
      left_reason: null,
      recorded_by: decider.actor.id,
    })
    .execute();
  await applyPersonChange(
    trx,
    app,
    decider,
    survivor,
    { household_id: membership.household_id },
    'merge: takes the household membership of the merged record',
    'household.join',
  );
  return {
    kind: 'moved_to_survivor',
    householdId: membership.household_id,
    relationship: membership.relationship,
    membershipId,
  };
}

/** Reverses moveHousehold as far as the household allows now; returns the restored household. */
async function restoreHousehold(
  trx: Queryable,
  app: AppContext,
  decider: Caller,
  survivorId: string,
  mergedId: string,
  action: HouseholdAction,
): Promise<string | null> {
  if (action.kind === 'none') return null;
  const now = app.now().toISOString();
  if (action.kind === 'moved_to_survivor') {
    const taken = await trx
      .selectFrom('household_members')
      .selectAll()
      .where('id', '=', action.membershipId)
      .where('left_at', 'is', null)
      .executeTakeFirst();
    if (taken) {
      await trx
        .updateTable('household_members')
        .set({ left_at: now, left_reason: 'merge undone' })
        .where('id', '=', taken.id)
        .execute();
      const survivor = await loadPerson(trx, survivorId);
      if (survivor.household_id === action.householdId)
        await applyPersonChange(
          trx,
          app,
          decider,
          survivor,
          { household_id: null },
          'merge undone: the household membership returns to the other record',
          'household.leave',
        );
    }
  }
  const household = await trx
    .selectFrom('households')
    .select('id')
    .where('id', '=', action.householdId)
    .executeTakeFirst();
  if (!household || (await currentMembership(trx, mergedId))) return null;
  await trx
    .insertInto('household_members')
    .values({
      id: app.newId(),
      household_id: action.householdId,
      person_id: mergedId,
      relationship: action.relationship,
      joined_at: now,
      joined_reason: 'merge undone',
      left_at: null,
      left_reason: null,
      recorded_by: decider.actor.id,
    })
    .execute();
  return action.householdId;
}

const executeMerge = approvalExecutor(mergePayload, async (trx, app, request, decider) => {
  const p = request.payload;
  const pair = await loadPair(trx, p.pairId);
  if (pair.status !== 'merge_requested' || pair.approval_id !== request.id)
    throw new DomainError(
      'INVALID_STATE',
      'This merge request is no longer current for its pair; file a new one.',
    );
  const survivor = await loadPerson(trx, p.survivorId);
  const merged = await loadPerson(trx, p.mergedId);
  if (survivor.status !== 'active' || merged.status !== 'active')
    throw new DomainError('INVALID_STATE', 'Only two active records can be merged.');
  const household = await moveHousehold(trx, app, decider, survivor, merged);
  await applyPersonChange(
    trx,
    app,
    decider,
    merged,
    { status: 'merged', merged_into: survivor.id, household_id: null },
    p.reason,
    'person.merge',
  );
  const now = app.now().toISOString();
  const mergeId = app.newId();
  await trx
    .insertInto('person_merges')
    .values({
      id: mergeId,
      pair_id: pair.id,
      survivor_id: survivor.id,
      merged_id: merged.id,
      merge_approval_id: request.id,
      merged_at: now,
      merged_by: decider.actor.id,
      household_action: JSON.stringify(household),
      unmerge_approval_id: null,
      unmerged_at: null,
      unmerged_by: null,
    })
    .execute();
  await trx
    .updateTable('dedup_pairs')
    .set({ status: 'merged', updated_at: now })
    .where('id', '=', pair.id)
    .execute();
  await insertDecision(trx, app, {
    pairId: pair.id,
    decision: 'merged',
    decidedBy: decider.actor.id,
    reason: p.reason,
    approvalId: request.id,
  });
  await appendAudit(trx, app, decider, {
    operation: 'dedup.merge',
    permission: 'approval:decide',
    subjectIds: [survivor.id, merged.id],
    details: { pairId: pair.id, mergeId, household: household.kind },
  });
  // The index drops the merged record the next time blocking puts it forward (it is read
  // back as merged), so a rollback of this transaction cannot leave it missing.
  const event = {
    kind: 'merge',
    personId: merged.id,
    occurredOn: now.slice(0, 10),
    survivorId: survivor.id,
  };
  await announceLifeEvent(trx, app, decider, event);
  return { mergeId, survivorId: survivor.id, mergedId: merged.id, household };
});

const executeUnmerge = approvalExecutor(unmergePayload, async (trx, app, request, decider) => {
  const p = request.payload;
  const pair = await loadPair(trx, p.pairId);
  if (pair.status !== 'merged' || pair.approval_id !== request.id)
    throw new DomainError(
      'INVALID_STATE',
      'This unmerge request is no longer current for its pair; file a new one.',
    );
  const merge = await trx
    .selectFrom('person_merges')
    .selectAll()
    .where('id', '=', p.mergeId)
    .where('unmerged_at', 'is', null)
    .executeTakeFirst();
  if (!merge) throw new DomainError('INVALID_STATE', 'This merge has already been undone.');
  const merged = await loadPerson(trx, merge.merged_id);
  if (merged.status !== 'merged' || merged.merged_into !== merge.survivor_id)
    throw new Error(
      `invariant violated: person ${merged.id} is not merged into ${merge.survivor_id}`,
    );
  const householdId = await restoreHousehold(
    trx,
    app,
    decider,
    merge.survivor_id,
    merged.id,
    readStoredJson(householdAction, merge.household_action, `person_merges ${merge.id}`),
  );
  const restored = await applyPersonChange(
    trx,
    app,
    decider,
    merged,
    { status: 'active', merged_into: null, household_id: householdId },
    p.reason,
    'person.unmerge',
  );
  const now = app.now().toISOString();
  await trx
    .updateTable('person_merges')
    .set({ unmerge_approval_id: request.id, unmerged_at: now, unmerged_by: decider.actor.id })
    .where('id', '=', merge.id)
    .execute();
  await trx
    .updateTable('dedup_pairs')
    .set({ status: 'unmerged', updated_at: now })
    .where('id', '=', pair.id)
    .execute();
  await insertDecision(trx, app, {
    pairId: pair.id,
    decision: 'unmerged',
    decidedBy: decider.actor.id,
    reason: p.reason,
    approvalId: request.id,
  });
  await appendAudit(trx, app, decider, {
    operation: 'dedup.unmerge',
    permission: 'approval:decide',
    subjectIds: [merge.survivor_id, merged.id],
    details: { pairId: pair.id, mergeId: merge.id },
  });
  const event = {
    kind: 'unmerge',
    personId: merged.id,
    occurredOn: now.slice(0, 10),
    survivorId: merge.survivor_id,
  };
  await announceLifeEvent(trx, app, decider, event);
  await app.dedup?.remember(trx, restored);
  return { mergeId: merge.id, restoredId: merged.id, survivorId: merge.survivor_id, householdId };
});

/** Registers what approved merges and unmerges do. */
export function registerMergeApprovals(app: AppContext): void {
  app.approvalExecutors['person.merge'] = executeMerge;
  app.approvalExecutors['person.unmerge'] = executeUnmerge;
}

/** The merges a person took part in, as survivor or as merged record (for their history). */
export async function listMerges(trx: Queryable, personId: string) {
  return trx
    .selectFrom('person_merges')
    .selectAll()
    .where((eb) => eb.or([eb('survivor_id', '=', personId), eb('merged_id', '=', personId)]))
    .orderBy('merged_at')
    .execute();
}
