// Bulk card issuance on both engines: a region's people get one card each, a job stopped
// after any batch resumes without a second card for anyone, two runners of one job take
// turns, people holding a card or awaiting a duplicate review are skipped and counted, a bad
// list is refused whole with its lines named, and the job's print sheets are rendered once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { wireDomains } from '../app';
import { enrolPerson, loadDemoRegistry } from '../registry';
import { systemActor } from '../shared/access';
import type { Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp, validPerson } from '../../test/support/app';
import {
  createListCardJob,
  createPeopleCardJob,
  createRegionCardJob,
  getCardJob,
  runCardJob,
} from './bulk-issue';
import { renderCardJobSheets } from './card-job-sheets';
import { readRevocationList } from './read-revocation-list';
import { readTrustList } from './read-trust-list';
import {
  configureCredentials,
  currentRevocationList,
  currentTrustList,
  issuePersonCard,
  revokeCard,
} from './service';
import { verifyCard } from './verify-card';

function refused(code: string, text?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof DomainError, String(error));
    assert.equal(error.code, code, error.message);
    if (text) assert.match(error.message, text);
    return true;
  };
}

forEachEngine('bulk card issuance', ({ db }) => {
  let app: ReturnType<typeof testApp>;
  const system: Caller = { actor: systemActor('test'), origin: 'test' };
  const national = staff('registrar', '*', 'card_issuance');
  let registrar: Caller;
  let elsewhere: Caller;
  /** Active people of the busiest region, of a second and of a third, by id. */
  let people: string[] = [];
  let second: string[] = [];
  let third: string[] = [];
  let region = '';
  let holder = '';
  let twins: string[] = [];
  let outside = '';
  const dir = mkdtempSync(join(tmpdir(), 'tessera-card-sheets-'));

  before(async () => {
    app = testApp(db());
    wireDomains(app);
    configureCredentials(app, {
      keyEncryptionKey: randomBytes(32),
      issuer: 'https://tessera.test',
    });
    await loadDemoRegistry(app, system, { people: 240, seed: 11 });
    const rows = await app.db.kysely
      .selectFrom('persons')
      .select(['id', 'region_code', 'registry_number'])
      .where('status', '=', 'active')
      .orderBy('id')
      .execute();
    const byRegion = new Map<string, string[]>();
    for (const row of rows)
      byRegion.set(row.region_code, [...(byRegion.get(row.region_code) ?? []), row.id]);
    const regions = [...byRegion.entries()].sort((a, b) => b[1].length - a[1].length);
    [region, people] = regions[0]!;
    second = regions[1]![1];
    third = regions[2]![1];
    registrar = staff('registrar', [region], 'card_issuance');
    elsewhere = staff('registrar', [regions[1]![0]], 'card_issuance');
    outside = rows.find((r) => r.region_code !== region)!.registry_number;
    holder = people[0]!;
    await issuePersonCard(app, registrar, holder);
    // The same person enrolled twice: both records wait for a duplicate review.
    const address = { regionCode: region, locality: 'Centro', line: 'Calle 1' };
    const first = await enrolPerson(app, system, validPerson({ givenNames: 'Gemela', address }));
    const again = await enrolPerson(app, system, validPerson({ givenNames: 'Gemela', address }));
    assert.ok(again.duplicateReview, 'the second enrolment awaits a review');
    twins = [first.id, again.id];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function registryNumbers(ids: readonly string[]): Promise<string[]> {
    const rows = await app.db.kysely
      .selectFrom('persons')
      .select(['id', 'registry_number'])
      .where('id', 'in', [...ids])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r.registry_number]));
    return ids.map((id) => byId.get(id)!);
  }

  async function activeCards(personIds: readonly string[]) {
    return app.db.kysely
      .selectFrom('cards')
      .select(['person_id', 'serial', 'qr_text'])
      .where('person_id', 'in', [...personIds])
      .where('status', '=', 'active')
      .execute();
  }

  it('issues a region one card each, resumes after a stop, and skips holders and people in review', async () => {
    const job = await createRegionCardJob(app, registrar, region);
    const total = people.length + 2;
    assert.equal(job.total, total);
    const seen: number[] = [];
    // Stopped after two batches of four: as after a crash, the job is part-way.
    const stopped = await runCardJob(app, registrar, job.id, {
      batchSize: 4,
      batchesMax: 2,
      onBatch: (_job, serials) => void seen.push(...serials),
    });
    assert.equal(stopped.status, 'running');
    assert.equal(stopped.done, 8);
    const done = await runCardJob(app, registrar, job.id, {
      batchSize: 4,
      onBatch: (_job, serials) => void seen.push(...serials),
    });
    assert.equal(done.status, 'done');
    assert.equal(done.done, total);
    assert.deepEqual(done.skipped, { holds_card: 1, in_review: 2, inactive: 0 });
    assert.equal(done.issued, people.length - 1);
    assert.equal(seen.length, people.length - 1);
    assert.equal(new Set(seen).size, people.length - 1, 'every serial once');
    const cards = await activeCards([...people, ...twins]);
    assert.equal(cards.length, people.length, 'the new cards and the one held before');
    assert.equal(new Set(cards.map((c) => c.person_id)).size, people.length, 'one card each');
    assert.equal((await activeCards(twins)).length, 0, 'no card while a duplicate review is open');
    // Running a finished job again issues nothing.
    const again = await runCardJob(app, registrar, job.id);
    assert.equal(again.issued, people.length - 1);
    assert.equal((await activeCards(people)).length, people.length);

    // Every card verifies offline with the published lists.
    const trustList = await readTrustList(await currentTrustList(app));
    const revocations = await readRevocationList(await currentRevocationList(app), {
      keys: trustList.keys,
    });
    for (const card of cards) {
      const verdict = await verifyCard(card.qr_text, { trustList, revocations, now: app.now() });
      assert.equal(verdict.reason, 'VALID', `card ${card.serial}`);
    }

    // Each person's access report shows the issuance.
    const audited = await app.db.kysely
      .selectFrom('audit_subjects')
      .innerJoin('audit_log', 'audit_log.id', 'audit_subjects.audit_id')
      .select('audit_log.operation')
      .where('audit_subjects.person_id', '=', people[5]!)
      .execute();
    assert.ok(audited.some((a) => a.operation === 'card.issue'));
  });

  it('lets two runners of one job take turns: no one gets two cards', async () => {
    const fresh = second;
    await assert.rejects(createPeopleCardJob(app, registrar, fresh), refused('VALIDATION_FAILED'));
    const job = await createPeopleCardJob(app, national, fresh);
    const [a, b] = await Promise.all([
      runCardJob(app, national, job.id, { batchSize: 3 }),
      runCardJob(app, national, job.id, { batchSize: 3 }),
    ]);
    assert.equal(a.status, 'done');
    assert.equal(b.status, 'done');
    const final = await getCardJob(app, national, job.id);
    assert.equal(final.issued, fresh.length);
    assert.equal(final.done, fresh.length);
    const cards = await activeCards(fresh);
    assert.equal(cards.length, fresh.length);
    assert.equal(new Set(cards.map((c) => c.person_id)).size, fresh.length);
  });

  it('refuses a list with a bad or foreign line whole, naming the lines, and writes nothing', async () => {
    const jobsBefore = await app.db.kysely
      .selectFrom('card_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const numbers = await registryNumbers(people.slice(1, 3));
    const lines = ['# lote 1', numbers[0]!, '', '1234-5678-0000', outside, numbers[1]!];
    await assert.rejects(
      createListCardJob(app, registrar, lines),
      refused(
        'VALIDATION_FAILED',
        /line 4: .*not a registry number; line 5: no person .* in your regions/,
      ),
    );
    const jobsAfter = await app.db.kysely
      .selectFrom('card_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(jobsAfter.n), Number(jobsBefore.n));
    await assert.rejects(
      createListCardJob(app, registrar, ['', '# nada']),
      refused('VALIDATION_FAILED', /no one/),
    );
    // A region the registrar does not serve answers as unknown; a job of another region is hidden.
    await assert.rejects(createRegionCardJob(app, elsewhere, region), refused('NOT_FOUND'));
    await assert.rejects(createRegionCardJob(app, registrar, 'XX-1'), refused('VALIDATION_FAILED'));
    const mine = await createRegionCardJob(app, registrar, region);
    await assert.rejects(getCardJob(app, elsewhere, mine.id), refused('NOT_FOUND'));
    await assert.rejects(runCardJob(app, elsewhere, mine.id), refused('NOT_FOUND'));
  });

  it('renders a list job’s print sheets once, leaving revoked cards off, and resumes by file', async () => {
    const fresh = await registryNumbers(third.slice(0, 3));
    assert.equal(fresh.length, 3);
    const job = await createListCardJob(app, national, fresh);
    await runCardJob(app, national, job.id);
    const [first] = await app.db.kysely
      .selectFrom('card_job_cards')
      .select('serial')
      .where('job_id', '=', job.id)
      .orderBy('serial')
      .execute();
    await revokeCard(app, national, Number(first!.serial), { reason: 'damaged' });
    const out = join(dir, 'sheets');
    // A run stopped after its first file (drawn on this thread)…
    const stopped = await renderCardJobSheets(app, national, job.id, {
      outDir: out,
      cardsPerFile: 2,
      filesMax: 1,
      workers: 0,
    });
    assert.deepEqual(stopped, { files: 1, written: 1, skippedExisting: 0, cards: 1 });
    assert.equal(readdirSync(out).length, 1);
    // …is finished by the next (on worker threads), which skips that file and reports its
    // progress file by file up to the job's cards.
    const seen: [number, number][] = [];
    const report = await renderCardJobSheets(app, national, job.id, {
      outDir: out,
      cardsPerFile: 2,
      workers: 2,
      onProgress: (done, total) => void seen.push([done, total]),
    });
    assert.deepEqual(report, { files: 2, written: 1, skippedExisting: 1, cards: 1 });
    assert.deepEqual(seen, [
      [2, 3],
      [3, 3],
    ]);
    const files = readdirSync(out).sort();
    assert.equal(files.length, 2);
    const pages = await Promise.all(
      files.map(async (f) => (await PDFDocument.load(readFileSync(join(out, f)))).getPageCount()),
    );
    // A card and its back in each (the revoked one is left off): a front page and a back page.
    assert.deepEqual(pages, [2, 2]);
    const again = await renderCardJobSheets(app, national, job.id, {
      outDir: out,
      cardsPerFile: 2,
    });
    assert.deepEqual(again, { files: 2, written: 0, skippedExisting: 2, cards: 0 });
    await assert.rejects(
      renderCardJobSheets(app, { actor: national.actor, origin: 'test' }, job.id, { outDir: out }),
      refused('PURPOSE_REQUIRED'),
    );
  });
});
