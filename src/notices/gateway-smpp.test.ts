// The SMPP gateway against a small SMSC that this test starts on 127.0.0.1 with the `smpp`
// package's own server: it binds (or refuses the first bind when told to), answers each
// submit_sm with a message id, then sends a deliver_sm delivery receipt for it — and can send
// a text of its own (mobile-originated), which lands in notice_inbound.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import smpp, { type PDU, type Server, type Session } from 'smpp';
import { distinctPerson } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import { startTestServer, type TestServer } from '../../test/support/http';
import { enrolPerson } from '../registry';
import { systemActor } from '../shared/access';
import { onInboundSms, useNoticeService } from './gateway';
import { smppGateway, parseDeliveryReceipt } from './gateway-smpp';
import { enqueueNotice } from './outbox';
import { recordInbound, recordReceipt } from './receipts';
import { drainOutbox } from './sender';

interface Submitted {
  id: string;
  esmClass: number;
  dataCoding: number;
  udh: number[] | null;
  bytes: number;
}

/** A loopback SMSC: what it was sent, and switches for what it does next. */
async function startSmsc() {
  const state = {
    refuseBinds: 0,
    binds: 0,
    submitted: [] as Submitted[],
    sessions: [] as Session[],
    receiptStat: 'DELIVRD',
    counter: 0,
  };
  const server: Server = smpp.createServer({}, (session: Session) => {
    state.sessions.push(session);
    session.on('error', () => {});
    session.on('bind_transceiver', (pdu: PDU) => {
      state.binds += 1;
      if (state.refuseBinds > 0) {
        state.refuseBinds -= 1;
        session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
        session.close();
        return;
      }
      session.send(pdu.response({ system_id: 'loopback' }));
    });
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: PDU) => {
      const id = `smsc-${++state.counter}`;
      const raw = pdu.short_message as { udh?: Buffer[]; message?: unknown };
      const esmClass = Number(pdu.esm_class);
      state.submitted.push({
        id,
        esmClass,
        dataCoding: Number(pdu.data_coding),
        udh: raw.udh?.[0] ? [...raw.udh[0]] : null,
        bytes: Buffer.isBuffer(raw.message) ? raw.message.length : String(raw.message).length,
      });
      session.send(pdu.response({ message_id: id }));
      if (Number(pdu.registered_delivery) & 1)
        setTimeout(() => {
          session.deliver_sm({
            source_addr: String(pdu.destination_addr),
            destination_addr: String(pdu.source_addr),
            esm_class: 0x04,
            short_message: `id:${id} sub:001 dlvrd:001 submit date:2611291000 done date:2611291001 stat:${state.receiptStat} err:000 text:`,
          });
        }, 5);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    state,
    url: `smpp://127.0.0.1:${port}`,
    async close() {
      for (const s of state.sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits (bounded) until `check` holds. */
async function eventually(
  check: () => Promise<boolean>,
  what: string | (() => Promise<string>),
): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`never happened: ${typeof what === 'string' ? what : await what()}`);
}

forEachEngine('notices SMPP gateway', ({ db }) => {
  let t: TestServer;
  let smsc: Awaited<ReturnType<typeof startSmsc>>;
  let personId: string;
  const system = { actor: systemActor('test') };

  before(async () => {
    t = await startTestServer(db());
    smsc = await startSmsc();
    personId = (await enrolPerson(t.app, system, distinctPerson('Smpp Receptora'))).id;
    const gateway = smppGateway({
      url: smsc.url,
      systemId: 'tessera',
      password: () => 'secret',
      sourceAddr: 'Tessera',
      enquireLinkMs: 60_000,
      listener: {
        receipt: (id, delivered) => recordReceipt(t.app, 'smpp', id, delivered),
        inbound: (from, text) => recordInbound(t.app, 'smpp', from, text),
      },
    });
    useNoticeService(
      t.app,
      { gateway: 'smpp', ratePerSecond: 1000, maxAttempts: 5, retryBaseSeconds: 10 },
      gateway,
    );
  });
  after(async () => {
    await t.app.notices?.gateway?.close();
    await smsc.close();
    await t.server.close();
  });

  const status = async (id: string) =>
    (
      await t.app.db.kysely
        .selectFrom('notice_outbox')
        .select(['status', 'attempts', 'parts', 'last_error'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;

  it('submits a message and marks it delivered when the receipt comes', async () => {
    const id = await t.app.db.transaction((trx) =>
      enqueueNotice(trx, t.app, personId, 'proof_code', { point: 'Deposito', code: '112233' }),
    );
    const r = await drainOutbox(t.app);
    assert.equal(r.sent, 1);
    const last = smsc.state.submitted.at(-1)!;
    assert.equal(last.esmClass, 0, 'one part, no UDH');
    assert.equal(last.dataCoding, 0, 'GSM-7');
    await eventually(async () => (await status(id)) === 'delivered', 'delivered');
    const part = await t.app.db.kysely
      .selectFrom('notice_gateway_ids')
      .selectAll()
      .where('outbox_id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(part.gateway_message_id, last.id);
    assert.equal(part.status, 'delivered');
    // "í" is not in GSM 03.38: the text goes as UCS-2, still one part (under 70 units).
    const ucs = await t.app.db.transaction((trx) =>
      enqueueNotice(trx, t.app, personId, 'card_ready', { office: 'Chacaíto' }),
    );
    await drainOutbox(t.app);
    const sent = smsc.state.submitted.at(-1)!;
    assert.equal(sent.dataCoding, 8);
    assert.equal(sent.esmClass, 0);
    await eventually(async () => (await status(ucs)) === 'delivered', 'UCS-2 delivered');
  });

  it('sends a long message as concatenated parts with a UDH, delivered when every part is', async () => {
    const before = smsc.state.submitted.length;
    const id = await t.app.db.transaction((trx) =>
      enqueueNotice(trx, t.app, personId, 'entitlement_ready', {
        programme: 'Bolsa de alimentos del mes de diciembre para cada hogar registrado',
        point: 'Deposito Catia, avenida Sucre, frente a la plaza, local 4 (DEP-CCS-0001)',
        opens: '2026-12-14',
        closes: '2026-12-31',
      }),
    );
    assert.equal((await drainOutbox(t.app)).sent, 1);
    const parts = smsc.state.submitted.slice(before);
    assert.equal(parts.length, 2);
    const [first, second] = parts as [Submitted, Submitted];
    assert.equal(first.esmClass & 0x40, 0x40, 'UDH indicator');
    assert.equal(first.dataCoding, 0, 'GSM-7');
    assert.deepEqual(first.udh!.slice(0, 2), [0x00, 0x03], '8-bit concatenation IE');
    assert.equal(first.udh![3], 2, 'two parts');
    assert.equal(first.udh![4], 1);
    assert.equal(second.udh![4], 2);
    assert.equal(first.udh![2], second.udh![2], 'one reference');
    assert.equal(first.bytes, 153, 'a full part is 153 septets');
    await eventually(
      async () => (await status(id)) === 'delivered',
      async () =>
        `both parts delivered (${JSON.stringify(
          await t.app.db.kysely
            .selectFrom('notice_gateway_ids')
            .selectAll()
            .where('outbox_id', '=', id)
            .execute(),
        )}, ${JSON.stringify([...t.app.notices!.earlyReceipts])}, ${await status(id)})`,
    );
    const row = await t.app.db.kysely
      .selectFrom('notice_outbox')
      .select(['parts'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(row.parts), 2);
  });

  it('marks a message undelivered when the SMSC reports it so', async () => {
    smsc.state.receiptStat = 'UNDELIV';
    try {
      const id = await t.app.db.transaction((trx) =>
        enqueueNotice(trx, t.app, personId, 'card_ready', { office: 'Chacao' }),
      );
      await drainOutbox(t.app);
      await eventually(async () => (await status(id)) === 'undelivered', 'undelivered');
    } finally {
      smsc.state.receiptStat = 'DELIVRD';
    }
  });

  it('retries after a refused bind, and binds again on the next try', async () => {
    // Drop the live session, so that the next send must bind.
    for (const s of smsc.state.sessions) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    smsc.state.refuseBinds = 1;
    const binds = smsc.state.binds;
    const id = await t.app.db.transaction((trx) =>
      enqueueNotice(trx, t.app, personId, 'card_ready', { office: 'Chacao' }),
    );
    // The gateway may already be reconnecting after the drop; the refused bind fails one send.
    let result = await drainOutbox(t.app);
    for (let i = 0; i < 3 && result.sent === 0; i++) {
      const row = await t.app.db.kysely
        .selectFrom('notice_outbox')
        .select(['status', 'last_error', 'attempts'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'queued');
      assert.match(row.last_error ?? '', /bind|closed|connect/i);
      t.app.advance(10_000 * 2 ** i);
      result = await drainOutbox(t.app);
    }
    assert.equal(result.sent, 1);
    assert.ok(smsc.state.binds >= binds + 2, 'refused once, then bound');
    assert.equal(smsc.state.refuseBinds, 0);
    const attempts = await t.app.db.kysely
      .selectFrom('notice_outbox')
      .select(['attempts'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.ok(Number(attempts.attempts) >= 2, 'the refused try counted');
    await eventually(async () => (await status(id)) === 'delivered', 'delivered after rebind');
  });

  it('stores a text a person sends, and hands it to the inbound hook', async () => {
    const seen: string[] = [];
    onInboundSms(t.app, async (_trx, _app, sms) => {
      seen.push(sms.text);
      return sms.text.startsWith('RECLAMO');
    });
    const session = smsc.state.sessions.find((s) => !s.closed)!;
    session.deliver_sm({
      source_addr: '584121234567',
      destination_addr: 'Tessera',
      esm_class: 0,
      short_message: 'RECLAMO K7Q-3PX no me entregaron',
    });
    await eventually(async () => seen.length === 1, 'the hook ran');
    // The hook runs inside the transaction that stores the text: wait for its commit.
    const stored = () =>
      t.app.db.kysely
        .selectFrom('notice_inbound')
        .selectAll()
        .where('text', '=', 'RECLAMO K7Q-3PX no me entregaron')
        .executeTakeFirst();
    await eventually(async () => (await stored()) !== undefined, 'the text was stored');
    const row = (await stored())!;
    assert.equal(row.from, '584121234567');
    assert.equal(Number(row.handled), 1);
  });

  it('reads the receipt text SMSCs write', () => {
    assert.deepEqual(
      parseDeliveryReceipt(
        'id:0123abc sub:001 dlvrd:001 submit date:2611291000 stat:DELIVRD err:000',
      ),
      { id: '0123abc', stat: 'DELIVRD' },
    );
    assert.equal(parseDeliveryReceipt('hola, quiero reclamar'), null);
  });
});
