// The review queue and merging: reviewers see pairs in their regions, compare them with a
// purpose, decide; a merge needs a second approver, keeps both histories, and can be undone.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { wireDomains } from '../app';
import { decideApproval } from '../privacy';
import { correctPerson, createHousehold, enrolPerson, getPersonHistory } from '../registry';
import { DomainError } from '../shared/errors';
import type { Caller } from '../shared/context';
import { forEachEngine } from '../../test/support/engines';
import { validPerson, staff, testApp, withPurpose } from '../../test/support/app';
import { runDedupBatch } from './batch-run';
import { decidePair } from './decide-pair';
import { listMerges, requestUnmerge } from './merge-persons';
import { comparePair, listDuplicatePairs } from './review-queue';
import { systemActor } from '../shared/access';
import { permissionMatrix } from '../modules';
import { resolveGrants } from '../shared/access';

function isCode(code: string) {
  return (e: unknown) => e instanceof DomainError && e.code === code;
}

forEachEngine('dedup: review queue and merge', ({ db }) => {
  const registrar = staff('registrar', ['VE-A']);
  const approver = staff('auditor', '*');

  async function flaggedPair(
    app: ReturnType<typeof testApp>,
    who: Caller,
    a: Record<string, unknown>,
    b: Record<string, unknown>,
  ) {
    const first = await enrolPerson(app, who, validPerson(a));
    const second = await enrolPerson(app, who, validPerson(b));
    const pairId = second.duplicateReview?.pairIds[0];
    assert.ok(pairId, 'the second record was flagged');
    return { first, second, pairId };
  }

  it('lists pairs only to reviewers of a region that holds one of the records', async () => {
    const app = testApp(db());
    wireDomains(app);
    const { pairId } = await flaggedPair(
      app,
      registrar,
      {
        givenNames: 'Nelly',
        surname1: 'Aponte',
        surname2: 'Ruiz',
        birthDate: '1958-09-09',
        phone: '+584120101010',
      },
      {
        givenNames: 'Nely',
        surname1: 'Ruiz',
        surname2: 'Aponte',
        birthDate: '1958-09-09',
        phone: '+584120101010',
      },
    );
    const mine = await listDuplicatePairs(app, registrar);
    assert.ok(mine.items.some((p) => p.id === pairId));
    const theirs = await listDuplicatePairs(app, staff('registrar', ['VE-B']));
    assert.ok(!theirs.items.some((p) => p.id === pairId));
    await assert.rejects(
      comparePair(app, withPurpose(staff('registrar', ['VE-B']), 'deduplication'), pairId),
      isCode('NOT_FOUND'),
    );
    await assert.rejects(listDuplicatePairs(app, staff('analyst')), isCode('FORBIDDEN'));
  });

  it('compares a pair side by side only for the purpose "deduplication", and audits the read', async () => {
    const app = testApp(db());
    wireDomains(app);
    const { first, second, pairId } = await flaggedPair(
      app,
      registrar,
      {
        givenNames: 'Ramona',
        surname1: 'Ortega',
        surname2: 'Pinto',
        birthDate: '1945-03-03',
        phone: '+584120202020',
      },
      {
        givenNames: 'Ramóna',
        surname1: 'Pinto',
        surname2: 'Ortega',
        birthDate: '1945-03-03',
        phone: '+584120202020',
      },
    );
    await assert.rejects(comparePair(app, registrar, pairId), isCode('PURPOSE_REQUIRED'));
    await assert.rejects(
      comparePair(app, withPurpose(registrar, 'enrolment'), pairId),
      isCode('PURPOSE_NOT_ALLOWED'),
    );
    const view = await comparePair(app, withPurpose(registrar, 'deduplication'), pairId);
    assert.deepEqual([view.left.id, view.right.id].sort(), [first.id, second.id].sort());
    assert.ok(view.current.summary.length > 0);
    assert.ok(view.pair.explanationAtDetection.length > 0);
    const reads = await app.db.kysely
      .selectFrom('audit_log')
      .select(['purpose', 'subject_ids'])
      .where('operation', '=', 'dedup.pair.read')
      .execute();
    assert.ok(
      reads.some(
        (r) => r.purpose === 'deduplication' && JSON.parse(r.subject_ids).includes(first.id),
      ),
    );
  });

  it('records "different people" for good: a batch run never puts the pair forward again', async () => {
    const app = testApp(db());
    wireDomains(app);
    const { pairId } = await flaggedPair(
      app,
      registrar,
      {
        givenNames: 'Tibisay',
        surname1: 'Lucena',
        surname2: 'Mora',
        birthDate: '1969-07-07',
        phone: '+584120303030',
      },
      {
        givenNames: 'Tibisay',
        surname1: 'Mora',
        surname2: 'Lucena',
        birthDate: '1969-07-07',
        phone: '+584120303030',
      },
    );
    const decided = await decidePair(app, registrar, pairId, {
      decision: 'different_people',
      reason: 'two cousins, checked documents',
    });
    assert.equal(decided.decision, 'different_people');
    await assert.rejects(
      decidePair(app, registrar, pairId, { decision: 'different_people', reason: 'again' }),
      isCode('INVALID_STATE'),
    );
    await runDedupBatch(app, { actor: systemActor('test') }, { restart: true });
    const rows = await app.db.kysely
      .selectFrom('dedup_pairs')
      .select(['id', 'status'])
      .where(
        'pair_key',
        '=',
        (
          await app.db.kysely
            .selectFrom('dedup_pairs')
            .select('pair_key')
            .where('id', '=', pairId)
            .executeTakeFirstOrThrow()
        ).pair_key,
      )
      .execute();
    assert.deepEqual(rows, [{ id: pairId, status: 'different_people' }]);
    const trail = await app.db.kysely
      .selectFrom('dedup_decisions')
      .select(['decision', 'decided_by'])
      .where('pair_id', '=', pairId)
      .execute();
    assert.deepEqual(trail, [{ decision: 'different_people', decided_by: registrar.actor.id }]);
  });

  it('merges only with a second approver, keeps both histories, moves the household, tells other domains, and can be undone', async () => {
    const app = testApp(db());
    wireDomains(app);
    const events: { kind: string; personId: string }[] = [];
    app.lifeEventHooks.push(
      async (_trx, e) => void events.push({ kind: e.kind, personId: e.personId }),
    );
    const {
      first: survivor,
      second: duplicate,
      pairId,
    } = await flaggedPair(
      app,
      registrar,
      {
        givenNames: 'Gregoria',
        surname1: 'Villegas',
        surname2: 'Tovar',
        birthDate: '1955-11-11',
        phone: '+584120404040',
      },
      {
        givenNames: 'Gregória',
        surname1: 'Tovar',
        surname2: 'Villegas',
        birthDate: '1955-11-11',
        phone: '+584120404040',
      },
    );
    await correctPerson(app, registrar, survivor.id, {
      address: { regionCode: 'VE-A', locality: 'Los Teques' },
      reason: 'moved house',
    });
    const household = await createHousehold(app, registrar, {
      address: { regionCode: 'VE-A' },
      headPersonId: duplicate.id,
    });

    // A reviewer who could also approve still cannot approve their own request.
    const both: Caller = {
      actor: {
        kind: 'staff',
        id: 'staff-both',
        grants: resolveGrants(permissionMatrix, [
          { role: 'registrar', regions: ['VE-A'] },
          { role: 'auditor', regions: '*' },
        ]),
      },
    };
    const asked = await decidePair(app, both, pairId, {
      decision: 'same_person',
      survivorId: survivor.id,
      reason: 'same woman, same phone and birth date',
    });
    assert.equal(asked.decision, 'same_person');
    if (asked.decision !== 'same_person') return;
    assert.equal(asked.approval.status, 'pending');
    await assert.rejects(
      decideApproval(app, both, asked.approval.id, { approve: true, reason: 'looks right' }),
      isCode('FORBIDDEN'),
    );
    const untouched = await app.db.kysely
      .selectFrom('persons')
      .select(['status'])
      .where('id', '=', duplicate.id)
      .executeTakeFirstOrThrow();
    assert.equal(untouched.status, 'active', 'nothing changes before the second approval');

    const approved = await decideApproval(app, approver, asked.approval.id, {
      approve: true,
      reason: 'documents checked',
    });
    assert.equal(approved.status, 'approved');
    const merged = await app.db.kysely
      .selectFrom('persons')
      .selectAll()
      .where('id', '=', duplicate.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [merged.status, merged.merged_into, merged.household_id],
      ['merged', survivor.id, null],
    );
    const kept = await app.db.kysely
      .selectFrom('persons')
      .selectAll()
      .where('id', '=', survivor.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [kept.status, kept.household_id],
      ['active', household.id],
      'the survivor takes the household membership',
    );

    const reader = withPurpose(registrar, 'deduplication');
    const mergedHistory = await getPersonHistory(app, reader, duplicate.id);
    assert.deepEqual(
      mergedHistory.map((h) => h.record.status),
      ['active', 'active', 'merged'],
      'the merged record keeps every version',
    );
    const survivorHistory = await getPersonHistory(app, reader, survivor.id);
    assert.equal(
      survivorHistory[0]!.record.address.locality,
      'Caracas',
      'the survivor keeps its own history',
    );
    const links = await app.db.transaction((trx) => listMerges(trx, survivor.id));
    assert.deepEqual(
      links.map((m) => [m.survivor_id, m.merged_id]),
      [[survivor.id, duplicate.id]],
    );
    assert.ok(events.some((e) => e.kind === 'merge' && e.personId === duplicate.id));
    const pair = await app.db.kysely
      .selectFrom('dedup_pairs')
      .select(['status', 'survivor_id'])
      .where('id', '=', pairId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(pair, { status: 'merged', survivor_id: survivor.id });

    // Undo: another four-eyes request.
    const undo = await requestUnmerge(app, registrar, pairId, {
      reason: 'they are mother and daughter after all',
    });
    await assert.rejects(
      requestUnmerge(app, registrar, pairId, { reason: 'twice' }),
      isCode('CONFLICT'),
    );
    await decideApproval(app, approver, undo.id, {
      approve: true,
      reason: 'confirmed with the family',
    });
    const restored = await app.db.kysely
      .selectFrom('persons')
      .selectAll()
      .where('id', '=', duplicate.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [restored.status, restored.merged_into, restored.household_id, Number(restored.version)],
      ['active', null, household.id, Number(merged.version) + 1],
    );
    const survivorAfter = await app.db.kysely
      .selectFrom('persons')
      .select(['household_id'])
      .where('id', '=', survivor.id)
      .executeTakeFirstOrThrow();
    assert.equal(survivorAfter.household_id, null, 'the membership returns to the restored record');
    assert.ok(events.some((e) => e.kind === 'unmerge' && e.personId === duplicate.id));
    const finalPair = await app.db.kysely
      .selectFrom('dedup_pairs')
      .select('status')
      .where('id', '=', pairId)
      .executeTakeFirstOrThrow();
    assert.equal(finalPair.status, 'unmerged');
    const trail = await app.db.kysely
      .selectFrom('dedup_decisions')
      .select('decision')
      .where('pair_id', '=', pairId)
      .orderBy('decided_at')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      trail.map((d) => d.decision),
      ['merge_requested', 'merged', 'unmerge_requested', 'unmerged'],
    );
  });

  it('refuses a merge request from a reviewer who cannot act in both records’ regions, or for a survivor outside the pair', async () => {
    const app = testApp(db());
    wireDomains(app);
    const national = staff('registrar', '*');
    const { first, pairId } = await flaggedPair(
      app,
      national,
      {
        givenNames: 'Eloína',
        surname1: 'Sanabria',
        surname2: 'Paz',
        birthDate: '1977-01-17',
        phone: '+584120505050',
      },
      {
        givenNames: 'Eloina',
        surname1: 'Paz',
        surname2: 'Sanabria',
        birthDate: '1977-01-17',
        phone: '+584120505050',
        address: { regionCode: 'VE-B', locality: 'Barcelona' },
      },
    );
    await assert.rejects(
      decidePair(app, registrar, pairId, {
        decision: 'same_person',
        survivorId: first.id,
        reason: 'same person',
      }),
      isCode('FORBIDDEN'),
    );
    await assert.rejects(
      decidePair(app, national, pairId, {
        decision: 'same_person',
        survivorId: 'someone-else',
        reason: 'same person',
      }),
      isCode('VALIDATION_FAILED'),
    );
  });
});
