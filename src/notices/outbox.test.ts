// The outbox and its sender, on both engines: a notice exists exactly when its event
// committed; a repeated dedupe key makes one message; a failing gateway is retried with a
// growing delay and dead-lettered after the most attempts; a person who opted out gets only
// essential notices; each person reads their own language; the file gateway's contract; a
// programme wording needs a second person, and only service events have wordings; no route
// takes free text for a group; statistics are suppressed counts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { distinctPerson, staff } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import { startTestServer, type TestServer } from '../../test/support/http';
import { allRoutes } from '../modules';
import { createProgramme, type ProgrammeInput } from '../programs';
import { enrolPerson } from '../registry';
import { systemActor } from '../shared/access';
import type { Caller } from '../shared/context';
import { parseInput } from '../shared/validate';
import { useNoticeService, type OutgoingSms, type SmsGateway } from './gateway';
import { readFileGateway, fileGateway } from './gateway-file';
import { enqueueNotice, queuedNotices } from './outbox';
import { setNoticePreferences } from './preferences';
import {
  createProgrammeTemplate,
  decideProgrammeTemplate,
  programmeTemplateInput,
} from './programme-templates';
import { drainOutbox, retryDelayMs } from './sender';
import { noticeStats } from './stats';

/** A gateway that records what it is given and fails the first `failures` sends. */
function recordingGateway(failures = 0): SmsGateway & { sent: OutgoingSms[]; calls: number } {
  const g = {
    name: 'test',
    sent: [] as OutgoingSms[],
    calls: 0,
    async send(sms: OutgoingSms) {
      g.calls += 1;
      if (g.calls <= failures) throw new Error(`gateway down (${g.calls})`);
      g.sent.push(sms);
      return { messageIds: [`gw-${sms.id}`] };
    },
    async close() {},
  };
  return g;
}

const sampleProgramme = {
  name: { es: 'Bolsa', en: 'Box' },
  rule: 'age >= 18',
  benefit: {
    kind: 'basket',
    items: [{ code: 'rice', name: { es: 'Arroz', en: 'Rice' }, quantity: 1, unit: 'kg' }],
  },
  serviceAreas: [{ regionCode: 'VE-A' }],
};

/** A name part from a number: 1 → "Ba", 2 → "Ca", … (names have no digits). */
function letters(n: number): string {
  let out = '';
  for (let k = n; k > 0; k = Math.floor(k / 20)) out += 'BCDFGHJKLMNPQRSTVWXZ'[k % 20]! + 'a';
  return out.charAt(0) + out.slice(1).toLowerCase();
}

forEachEngine('notices outbox and sender', ({ db }) => {
  let t: TestServer;
  let n = 0;
  const system: Caller = { actor: systemActor('test') };
  const newPerson = async (overrides: Record<string, unknown> = {}) =>
    (
      await enrolPerson(t.app, system, {
        ...distinctPerson(`Aviso ${letters(++n)}`),
        ...overrides,
      } as never)
    ).id;
  const row = (id: string) =>
    t.app.db.kysely
      .selectFrom('notice_outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const enqueue = (personId: string, dedupeKey?: string) =>
    t.app.db.transaction((trx) =>
      enqueueNotice(
        trx,
        t.app,
        personId,
        'redemption_receipt',
        {
          quantity: '1',
          unit: 'caja',
          programme: 'Bolsa',
          point: 'Deposito (DEP-1)',
          when: '2026-11-29 10:00',
          code: 'ABC-123',
        },
        dedupeKey ? { dedupeKey } : {},
      ),
    );
  // Drains until nothing is due now (each message at most once per drain).
  const drainAll = () => drainOutbox(t.app, { limit: 1000 });

  before(async () => {
    t = await startTestServer(db());
  });
  after(async () => {
    await t.server.close();
  });

  it('writes a notice in the same transaction as its event: rolled back, no notice', async () => {
    const personId = await newPerson();
    await assert.rejects(
      t.app.db.transaction(async (trx) => {
        await enqueueNotice(trx, t.app, personId, 'proof_code', { point: 'P', code: '123456' });
        throw new Error('the event failed');
      }),
      /the event failed/,
    );
    assert.deepEqual(await queuedNotices(t.app.db.kysely, personId), []);
    const id = await t.app.db.transaction((trx) =>
      enqueueNotice(trx, t.app, personId, 'proof_code', { point: 'P', code: '123456' }),
    );
    const [only, ...rest] = await queuedNotices(t.app.db.kysely, personId);
    assert.equal(rest.length, 0);
    assert.equal(only!.id, id);
    assert.equal(only!.status, 'queued');
    assert.equal(only!.event, 'one_time_code');
  });

  it('makes one message of two enqueues with the same dedupe key', async () => {
    const personId = await newPerson();
    const a = await enqueue(personId, `receipt-${personId}`);
    const b = await enqueue(personId, `receipt-${personId}`);
    assert.equal(a, b);
    assert.equal((await queuedNotices(t.app.db.kysely, personId)).length, 1);
    const c = await enqueue(personId);
    assert.notEqual(c, a, 'no key: a new message');
    assert.equal((await queuedNotices(t.app.db.kysely, personId)).length, 2);
  });

  it('retries a failing gateway with a growing delay, then dead-letters the message', async () => {
    // What earlier tests left queued goes first, through a gateway that works.
    useNoticeService(t.app, { ratePerSecond: 1000 }, recordingGateway());
    await drainAll();
    const gateway = recordingGateway(Number.MAX_SAFE_INTEGER);
    const service = useNoticeService(
      t.app,
      { maxAttempts: 3, retryBaseSeconds: 30, retryMaxSeconds: 3600, ratePerSecond: 1000 },
      gateway,
    );
    const personId = await newPerson();
    const id = await enqueue(personId);
    const r1 = await drainAll();
    assert.equal(r1.retried, 1);
    const after1 = await row(id);
    assert.equal(after1.status, 'queued');
    assert.equal(Number(after1.attempts), 1);
    assert.match(after1.last_error ?? '', /gateway down/);
    assert.equal(
      new Date(after1.next_attempt_at!).getTime() - t.app.now().getTime(),
      retryDelayMs(service, 1),
    );
    assert.equal(retryDelayMs(service, 1), 30_000);
    assert.equal(retryDelayMs(service, 2), 60_000);
    assert.equal(retryDelayMs(service, 20), 3_600_000, 'capped');
    // Not yet due: nothing is claimed.
    assert.equal((await drainAll()).claimed, 0);
    t.app.advance(30_000);
    assert.equal((await drainAll()).retried, 1);
    const after2 = await row(id);
    assert.equal(
      new Date(after2.next_attempt_at!).getTime() - t.app.now().getTime(),
      60_000,
      'the delay doubled',
    );
    t.app.advance(60_000);
    const r3 = await drainAll();
    assert.equal(r3.dead, 1);
    const dead = await row(id);
    assert.equal(dead.status, 'dead');
    assert.equal(Number(dead.attempts), 3);
    t.app.advance(24 * 3600_000);
    assert.equal((await drainAll()).claimed, 0, 'a dead letter is never sent again');
    assert.equal(gateway.calls, 3);
  });

  it('sends after a gateway recovers, and records the gateway’s id', async () => {
    const gateway = recordingGateway(1);
    useNoticeService(t.app, { maxAttempts: 5, retryBaseSeconds: 10, ratePerSecond: 1000 }, gateway);
    const personId = await newPerson();
    const id = await enqueue(personId);
    assert.equal((await drainAll()).retried, 1);
    t.app.advance(10_000);
    assert.equal((await drainAll()).sent, 1);
    const sent = await row(id);
    assert.equal(sent.status, 'sent');
    assert.equal(Number(sent.attempts), 2);
    assert.equal(sent.gateway, 'test');
    const ids = await t.app.db.kysely
      .selectFrom('notice_gateway_ids')
      .selectAll()
      .where('outbox_id', '=', id)
      .execute();
    assert.deepEqual(
      ids.map((i) => i.gateway_message_id),
      [`gw-${id}`],
    );
    assert.equal(gateway.sent[0]!.to, '+584121234567', 'the phone from the person’s record');
  });

  it('reads the phone at send time, not at enqueue', async () => {
    const gateway = recordingGateway();
    useNoticeService(t.app, { ratePerSecond: 1000 }, gateway);
    const personId = await newPerson();
    await enqueue(personId);
    await t.app.db.kysely
      .updateTable('persons')
      .set({ phone: '+584149998877' })
      .where('id', '=', personId)
      .execute();
    await drainAll();
    assert.equal(gateway.sent.find((s) => s.personId === personId)!.to, '+584149998877');
  });

  it('skips non-essential notices to a person who opted out, and still sends the essential ones', async () => {
    const gateway = recordingGateway();
    useNoticeService(t.app, { ratePerSecond: 1000 }, gateway);
    const personId = await newPerson();
    await t.app.db.transaction((trx) =>
      setNoticePreferences(trx, t.app, personId, { optOutNonEssential: true }),
    );
    const ids = await t.app.db.transaction(async (trx) => [
      await enqueueNotice(trx, t.app, personId, 'entitlement_ready', {
        programme: 'Bolsa',
        point: 'Deposito',
        opens: '2026-12-01',
        closes: '2026-12-31',
      }),
      await enqueueNotice(trx, t.app, personId, 'card_ready', { office: 'Chacao' }),
      await enqueueNotice(trx, t.app, personId, 'proof_code', { point: 'P', code: '654321' }),
      await enqueueNotice(trx, t.app, personId, 'redemption_receipt', {
        quantity: '1',
        unit: 'caja',
        programme: 'Bolsa',
        point: 'P',
        when: '2026-11-29 10:00',
        code: 'X',
      }),
    ]);
    const r = await drainAll();
    assert.equal(r.skipped, 2);
    const statuses = await Promise.all(ids.map(async (id) => (await row(id)).status));
    assert.deepEqual(statuses, ['skipped_opt_out', 'skipped_opt_out', 'sent', 'sent']);
    assert.deepEqual(
      gateway.sent.filter((s) => s.personId === personId).map((s) => s.template),
      ['proof_code', 'redemption_receipt'],
    );
  });

  it('renders each notice in its person’s language', async () => {
    const gateway = recordingGateway();
    useNoticeService(t.app, { ratePerSecond: 1000, defaultLanguage: 'es' }, gateway);
    const spanish = await newPerson();
    const english = await newPerson();
    await t.app.db.transaction((trx) =>
      setNoticePreferences(trx, t.app, english, { language: 'en' }),
    );
    await enqueue(spanish);
    await enqueue(english);
    await drainAll();
    const to = (p: string) => gateway.sent.find((s) => s.personId === p)!;
    assert.equal(to(spanish).language, 'es');
    assert.match(to(spanish).text, /^Tessera: recibio 1 caja de Bolsa/);
    assert.equal(to(english).language, 'en');
    assert.match(to(english).text, /^Tessera: you received 1 caja of Bolsa/);
  });

  it('appends one JSON line per message to the file gateway, mode 600, with exactly the contract’s fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-sms-'));
    try {
      const file = join(dir, 'notices', 'sms.jsonl');
      useNoticeService(
        t.app,
        { ratePerSecond: 1000, gateway: 'file', smsFile: file },
        fileGateway(file),
      );
      const personId = await newPerson();
      const id = await t.app.db.transaction((trx) =>
        enqueueNotice(trx, t.app, personId, 'portal_code', { code: '246810' }),
      );
      await drainAll();
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const lines = readFileGateway(file).filter((l) => l.personId === personId);
      assert.equal(lines.length, 1);
      assert.deepEqual(Object.keys(lines[0]!), [
        'id',
        'to',
        'personId',
        'template',
        'language',
        'text',
        'at',
      ]);
      assert.equal(lines[0]!.id, id);
      assert.equal(lines[0]!.template, 'portal_code');
      assert.match(lines[0]!.text, /246810/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs a second person to approve a programme’s wording, and then uses it', async () => {
    const programme = await createProgramme(t.app, system, {
      ...(sampleProgramme as never as ProgrammeInput),
      code: `notices_${Date.now()}`,
      kind: 'basket',
      target: 'person',
      schedule: 'monthly',
      coPayment: 0n,
      currency: 'VES',
      retentionDays: 30,
      stagger: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    const author = staff('programme_admin');
    const wording = await createProgrammeTemplate(
      t.app,
      author,
      parseInput(programmeTemplateInput, {
        programmeId: programme.id,
        event: 'redemption_receipt',
        es: 'Bolsa: {quantity} {unit} en {point}, {when}. Reclamos: {code}',
        en: 'Box: {quantity} {unit} at {point}, {when}. Complaints: {code}',
        reason: 'Shorter receipts',
      }),
    );
    assert.equal(wording.status, 'pending');
    assert.equal(wording.version, 1);
    assert.equal(wording.segments.es.encoding, 'gsm7');
    await assert.rejects(
      decideProgrammeTemplate(t.app, author, wording.id, { approve: true, reason: 'self' }),
      (e: Error & { code?: string }) => e.code === 'FORBIDDEN',
      'the author cannot approve',
    );
    // The same person through an API token is still the same person.
    const viaToken: Caller = {
      actor: { ...author.actor, kind: 'token', id: 'token-1', staffId: author.actor.id },
    };
    await assert.rejects(
      decideProgrammeTemplate(t.app, viaToken, wording.id, { approve: true, reason: 'again' }),
      (e: Error & { code?: string }) => e.code === 'FORBIDDEN',
    );
    await assert.rejects(
      decideProgrammeTemplate(t.app, staff('analyst'), wording.id, {
        approve: true,
        reason: 'x y',
      }),
      (e: Error & { code?: string }) => e.code === 'FORBIDDEN',
      'an analyst cannot approve',
    );
    const approved = await decideProgrammeTemplate(t.app, staff('admin'), wording.id, {
      approve: true,
      reason: 'Reads well',
    });
    assert.equal(approved.status, 'approved');
    const gateway = recordingGateway();
    useNoticeService(t.app, { ratePerSecond: 1000 }, gateway);
    const personId = await newPerson();
    const id = await t.app.db.transaction((trx) =>
      enqueueNotice(
        trx,
        t.app,
        personId,
        'redemption_receipt',
        {
          quantity: '2',
          unit: 'cajas',
          programme: 'Bolsa',
          point: 'DEP-1',
          when: '2026-11-29 10:00',
          code: 'K7Q',
        },
        { programmeId: programme.id },
      ),
    );
    await drainAll();
    assert.equal(
      gateway.sent.find((s) => s.id === id)!.text,
      'Bolsa: 2 cajas en DEP-1, 2026-11-29 10:00. Reclamos: K7Q',
    );
    assert.equal(Number((await row(id)).template_version), 1);
    // A placeholder the event does not know is refused, naming it.
    await assert.rejects(
      createProgrammeTemplate(
        t.app,
        author,
        parseInput(programmeTemplateInput, {
          programmeId: programme.id,
          event: 'payment_received',
          es: 'Vote por {candidate}',
          en: 'Paid {amount}',
          reason: 'try it',
        }),
      ),
      (e: Error & { code?: string; field?: string }) =>
        e.code === 'VALIDATION_FAILED' && e.field === 'es' && /\{candidate\}/.test(e.message),
    );
  });

  it('has no event for anything but a service: an announcement wording cannot be made', async () => {
    for (const event of ['announcement', 'custom', 'political', 'campaign', 'one_time_code'])
      assert.throws(
        () =>
          parseInput(programmeTemplateInput, {
            programmeId: 'p1',
            event,
            es: 'Hola',
            en: 'Hello',
            reason: 'try it',
          }),
        (e: Error & { code?: string; field?: string }) =>
          e.code === 'VALIDATION_FAILED' && e.field === 'event',
        event,
      );
  });

  it('has no route that takes a free text for many recipients', () => {
    const free = /text|message|body|sms/i;
    for (const route of allRoutes()) {
      if (route.method === 'GET' || !route.url.startsWith('/api/')) continue;
      if (route.url === '/api/v1/notices/preview') continue; // counts a text, sends nothing
      const body = route.body as { shape?: Record<string, unknown> } | undefined;
      const keys = Object.keys(body?.shape ?? {});
      const textual = keys.filter((k) => free.test(k));
      const many = keys.filter((k) => /recipients|persons|personIds|to$|group|all/i.test(k));
      assert.ok(
        textual.length === 0 || many.length === 0,
        `${route.method} ${route.url} takes ${textual.join(', ')} for ${many.join(', ')}`,
      );
    }
    // The preview sends nothing: it has no way to name a person, only a count.
    const preview = allRoutes().find((r) => r.url === '/api/v1/notices/preview')!;
    const shape = (preview.body as unknown as { shape: Record<string, unknown> }).shape;
    assert.deepEqual(Object.keys(shape).sort(), ['event', 'recipients', 'text']);
  });

  it('counts sent, delivered and failed by template and region, suppressing small cells', async () => {
    const gateway = recordingGateway();
    useNoticeService(t.app, { ratePerSecond: 1000 }, gateway);
    for (let i = 0; i < 12; i++) await enqueue(await newPerson());
    await drainAll();
    const stats = await noticeStats(t.app, staff('analyst'), {});
    const cell = (m: 'sent' | 'failed', template: string | null, region: string | null) =>
      stats.measures[m].cells.find((c) => c.labels[0] === template && c.labels[1] === region);
    const sent = cell('sent', 'redemption_receipt', 'VE-A')!;
    assert.ok(sent.value !== null && sent.value >= 12, 'a large cell is shown');
    const failed = cell('failed', 'redemption_receipt', 'VE-A')!;
    assert.ok(failed.value === null || failed.value === 0 || failed.value >= 10);
    for (const m of ['sent', 'delivered', 'failed'] as const)
      for (const c of stats.measures[m].cells)
        assert.ok(c.value === null || c.value === 0 || c.value >= 10, `${m} ${c.labels.join('/')}`);
    await assert.rejects(
      noticeStats(t.app, staff('operator'), {}),
      (e: Error & { code?: string }) => e.code === 'FORBIDDEN',
    );
  });
});
