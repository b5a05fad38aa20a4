// Duplicate review over HTTP: an enrolment that is flagged, the queue, the comparison with
// its purpose, and a merge and its undoing through two staff members' hands.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { personBody } from '../../test/support/app';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';

forEachEngine('dedup: HTTP API', ({ db }) => {
  let t: TestServer;
  let registrar: Agent;
  let auditor: Agent;
  before(async () => {
    t = await startTestServer(db());
    registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    auditor = await signedInAgent(t, [{ role: 'auditor', regions: '*' }]);
  });
  after(async () => {
    await t.server.close();
  });

  it('flags an enrolment, shows the pair, and merges and unmerges it with a second approver', async () => {
    const body = {
      givenNames: 'Hermelinda',
      surname1: 'Cedeño',
      surname2: 'Parra',
      birthDate: '1952-08-19',
      phone: '+584121212121',
    };
    const first = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody(body),
    });
    assert.equal(first.statusCode, 201, first.body);
    const second = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody({
        ...body,
        givenNames: 'Ermelinda',
        surname1: 'Parra',
        surname2: 'Cedeno',
      }),
    });
    assert.equal(second.statusCode, 201, second.body);
    const review = second.json().duplicateReview;
    assert.equal(review.status, 'pending_review');
    const pairId: string = review.pairIds[0];

    const queue = await registrar.request({ method: 'GET', url: '/api/v1/dedup/pairs' });
    assert.equal(queue.statusCode, 200);
    assert.ok(queue.json().items.some((p: { id: string }) => p.id === pairId));
    assert.ok(!queue.body.includes('Hermelinda'), 'the queue lists no personal data');

    const wrongPurpose = await registrar.request({
      method: 'GET',
      url: `/api/v1/dedup/pairs/${pairId}`,
      purpose: 'enrolment',
    });
    assert.equal(wrongPurpose.statusCode, 403);
    const view = await registrar.request({
      method: 'GET',
      url: `/api/v1/dedup/pairs/${pairId}`,
      purpose: 'deduplication',
    });
    assert.equal(view.statusCode, 200, view.body);
    assert.deepEqual([view.json().left.givenNames, view.json().right.givenNames].sort(), [
      'Ermelinda',
      'Hermelinda',
    ]);

    const survivorId: string = first.json().id;
    const decided = await registrar.request({
      method: 'POST',
      url: `/api/v1/dedup/pairs/${pairId}/decision`,
      payload: { decision: 'same_person', survivorId, reason: 'same phone, same birth date' },
    });
    assert.equal(decided.statusCode, 200, decided.body);
    const approvalId: string = decided.json().approval.id;
    const self = await registrar.request({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/decision`,
      payload: { approve: true, reason: 'mine' },
    });
    assert.equal(self.statusCode, 403);
    const approved = await auditor.request({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/decision`,
      payload: { approve: true, reason: 'checked' },
    });
    assert.equal(approved.statusCode, 200, approved.body);
    const merged = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/${second.json().id}`,
      purpose: 'deduplication',
    });
    assert.deepEqual([merged.json().status, merged.json().mergedInto], ['merged', survivorId]);

    const undo = await registrar.request({
      method: 'POST',
      url: `/api/v1/dedup/pairs/${pairId}/unmerge`,
      payload: { reason: 'two sisters after all' },
    });
    assert.equal(undo.statusCode, 202, undo.body);
    const undone = await auditor.request({
      method: 'POST',
      url: `/api/v1/approvals/${undo.json().id}/decision`,
      payload: { approve: true, reason: 'confirmed' },
    });
    assert.equal(undone.statusCode, 200, undone.body);
    const restored = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/${second.json().id}`,
      purpose: 'deduplication',
    });
    assert.deepEqual([restored.json().status, restored.json().mergedInto], ['active', null]);
  });

  it('files a merge request for an open pair (202); a pair waiting for approval is not decided again (409)', async () => {
    const body = personBody({
      givenNames: 'Zenaida',
      surname1: 'Arteaga',
      surname2: 'Colmenares',
      birthDate: '1981-03-30',
      phone: '+584121313131',
    });
    await registrar.request({ method: 'POST', url: '/api/v1/persons', payload: body });
    const again = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: { ...body, givenNames: 'Zenaida', surname1: 'Colmenares', surname2: 'Arteaga' },
    });
    const pairId: string = again.json().duplicateReview.pairIds[0];
    const merge = await registrar.request({
      method: 'POST',
      url: `/api/v1/dedup/pairs/${pairId}/merge`,
      payload: { survivorId: again.json().id, reason: 'same person' },
    });
    assert.equal(merge.statusCode, 202, merge.body);
    assert.equal(merge.json().operation, 'person.merge');
    const decideAgain = await registrar.request({
      method: 'POST',
      url: `/api/v1/dedup/pairs/${pairId}/decision`,
      payload: { decision: 'different_people', reason: 'changed my mind' },
    });
    assert.equal(
      decideAgain.statusCode,
      409,
      'a pair waiting for a merge approval is not decided again',
    );
  });
  it('does not show a registrar of one region the person of another region in a pair she opened', async () => {
    const national = await signedInAgent(t, [{ role: 'registrar', regions: '*' }]);
    const inOtherRegion = {
      givenNames: 'Lisbeth Coromoto',
      surname1: 'Villasmil',
      surname2: 'Urdaneta',
      birthDate: '1969-11-04',
      phone: '+584146060606',
      address: { regionCode: 'VE-V', locality: 'Maracaibo', line: 'Calle 72, casa 9-41' },
    };
    const victim = await national.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody(inOtherRegion),
    });
    assert.equal(victim.statusCode, 201, victim.body);
    const victimNumber: string = victim.json().registryNumber;
    assert.ok(victimNumber);

    // The attack: a look-alike enrolled in her own region, then the pair opened.
    const lookAlike = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody({
        ...inOtherRegion,
        address: { regionCode: 'VE-A', locality: 'Caracas', line: 'Calle 1' },
      }),
    });
    assert.equal(lookAlike.statusCode, 201, lookAlike.body);
    const pairId: string = lookAlike.json().duplicateReview.pairIds[0];
    assert.ok(pairId, 'the look-alike was flagged');

    const opened = await registrar.request({
      method: 'GET',
      url: `/api/v1/dedup/pairs/${pairId}`,
      purpose: 'deduplication',
    });
    assert.equal(opened.statusCode, 403, opened.body);
    assert.equal(opened.json().error.code, 'FORBIDDEN');
    for (const secret of [victimNumber, 'Calle 72', 'Maracaibo', victim.json().id])
      assert.ok(!opened.body.includes(secret), `the refusal does not carry ${secret}`);

    const byNational = await national.request({
      method: 'GET',
      url: `/api/v1/dedup/pairs/${pairId}`,
      purpose: 'deduplication',
    });
    assert.equal(byNational.statusCode, 200, byNational.body);
    assert.deepEqual(
      [
        byNational.json().left.address.regionCode,
        byNational.json().right.address.regionCode,
      ].sort(),
      ['VE-A', 'VE-V'],
    );
  });
});
