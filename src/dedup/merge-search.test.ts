// A merge and its undoing keep the registry's name index right: both records are still
// found by name and birth date through the index, each showing its state, as before the index.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { wireDomains } from '../app';
import { decideApproval } from '../privacy';
import { enrolPerson, searchPersons } from '../registry';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp, validPerson, withPurpose } from '../../test/support/app';
import { decidePair } from './decide-pair';
import { requestUnmerge } from './merge-persons';

forEachEngine('dedup: merge and the name index', ({ db, engine }) => {
  const registrar = staff('registrar', ['VE-A']);
  const approver = staff('auditor', '*');
  const reader = withPurpose(registrar, 'enrolment');

  it('finds both records by name and date after a merge and after it is undone', async () => {
    const app = testApp(db());
    wireDomains(app);
    const person = {
      surname1: 'Arocha',
      surname2: 'Quevedo',
      birthDate: '1948-02-07',
      phone: '+584120707070',
    };
    const survivor = await enrolPerson(
      app,
      registrar,
      validPerson({ ...person, givenNames: 'Eustiquia' }),
    );
    const duplicate = await enrolPerson(
      app,
      registrar,
      validPerson({ ...person, givenNames: 'Eustiquía' }),
    );
    const pairId = duplicate.duplicateReview?.pairIds[0];
    assert.ok(pairId, 'the second record was flagged');
    const found = async () =>
      (await searchPersons(app, reader, { q: 'eust aroch', birthDate: '1948-02' })).items
        .map((p) => [p.id, p.status])
        .sort();

    const asked = await decidePair(app, registrar, pairId, {
      decision: 'same_person',
      survivorId: survivor.id,
      reason: 'same woman, same phone and birth date',
    });
    assert.equal(asked.decision, 'same_person');
    if (asked.decision !== 'same_person') return;
    await decideApproval(app, approver, asked.approval.id, { approve: true, reason: 'checked' });
    assert.deepEqual(
      await found(),
      [
        [survivor.id, 'active'],
        [duplicate.id, 'merged'],
      ].sort(),
    );

    const undo = await requestUnmerge(app, registrar, pairId, { reason: 'two sisters' });
    await decideApproval(app, approver, undo.id, { approve: true, reason: 'confirmed' });
    assert.deepEqual(
      await found(),
      [
        [survivor.id, 'active'],
        [duplicate.id, 'active'],
      ].sort(),
    );
    if (engine === 'sqlite')
      await sql`insert into person_search (person_search) values ('integrity-check')`.execute(
        app.db.kysely,
      );
  });
});
