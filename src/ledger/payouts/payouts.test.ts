// Payout batches on both engines: prepared by one finance officer and approved by another
// (never the same person, however signed in); exported as a pain.001.001.09 file that the
// official ISO 20022 schema accepts; half settled and half returned by a pain.002, retried,
// settled — each person paid exactly once and the fund exact; a report read twice changes
// nothing; a malformed report is refused, naming its line, and writes nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { distinctPerson, staff, testApp, withPurpose } from '../../../test/support/app';
import { forEachEngine } from '../../../test/support/engines';
import {
  camt054,
  hasXmllint,
  iban,
  pain002,
  xmllint,
  xsdPath,
} from '../../../test/support/iso20022';
import { refused } from '../../../test/support/refusals';
import { enrolPerson } from '../../registry';
import { systemActor, type Actor } from '../../shared/access';
import type { Caller } from '../../shared/context';
import { createAccounts } from '../create-accounts';
import { createTransfers } from '../create-transfers';
import { getAccount } from '../get-account';
import { ledgerTotals } from '../ledger-totals';
import { approvePayoutBatch, createPayoutBatch, getPayoutBatch, listPayoutItems } from './batches';
import { listPayoutDestinations, setPayoutDestination } from './destinations';
import { exportPayoutBatch } from './export';
import { importStatusReport } from './import-status';
import { configureProvider } from './providers';
import { retryPayoutBatch } from './retry';

const system: Caller = { actor: systemActor('test') };
const amount = 150_000n;

forEachEngine('payouts', ({ db }) => {
  let app: ReturnType<typeof testApp>;
  let folder: string;
  const people: string[] = [];
  let homeless: string;
  const finance = staff('finance');
  const second = staff('finance');
  const registrar = withPurpose(staff('registrar', ['VE-A']), 'enrolment');
  const debtor = iban('VE', '01020000000000000001');

  before(async () => {
    app = testApp(db());
    folder = mkdtempSync(join(tmpdir(), 'tessera-payouts-'));
    app.payoutFolder = folder;
    await createAccounts(app, system, {
      accounts: [
        { id: 'po-equity', ledger: 'VES', code: 'operator_equity' },
        {
          id: 'po-fund',
          ledger: 'VES',
          code: 'programme_fund',
          flags: { debitsMustNotExceedCredits: true, history: true },
        },
      ],
    });
    await createTransfers(app, system, {
      transfers: [
        {
          id: 'po-funding',
          debitAccountId: 'po-equity',
          creditAccountId: 'po-fund',
          amount: 10_000_000n,
          ledger: 'VES',
          code: 'funding',
        },
      ],
    });
    await configureProvider(app, staff('admin'), 'banco-uno', {
      name: 'Banco Uno',
      kind: 'bank',
      agentId: 'BUNOVECA',
      adapter: 'folder',
      endpoint: 'banco-uno',
      currency: 'VES',
      debtorName: 'Fondo de Pensiones',
      debtorAccount: debtor,
      senderId: 'tessera',
    });
    for (let i = 0; i < 6; i += 1) {
      const p = await enrolPerson(
        app,
        system,
        distinctPerson(`Pensión ${['Ana', 'Berta', 'Carla', 'Dora', 'Elsa', 'Fina'][i]}`),
      );
      people.push(p.id);
      await setPayoutDestination(app, registrar, p.id, {
        providerId: 'banco-uno',
        scheme: 'iban',
        account: iban('VE', `0102000000000000${String(100 + i).padStart(4, '0')}`),
        holderName: `Persona ${i}`,
        identityDocument: 'national_id_card',
      });
    }
    homeless = (await enrolPerson(app, system, distinctPerson('Sin Cuenta'))).id;
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  const balances = async () => {
    const fund = await getAccount(app, system, 'po-fund');
    const clearing = await getAccount(app, system, 'clearing-banco-uno');
    return {
      fundPending: fund.debitsPending,
      fundPosted: fund.debitsPosted,
      clearingPosted: clearing.creditsPosted,
      clearingPending: clearing.creditsPending,
    };
  };
  const items = async (batchId: string, status?: string) =>
    (
      await listPayoutItems(app, withPurpose(finance, 'audit'), batchId, {
        status,
        limit: 200,
      })
    ).items;

  it('reads and records destinations with a purpose, checking the IBAN', async () => {
    await refused(
      setPayoutDestination(app, registrar, people[0]!, {
        providerId: 'banco-uno',
        scheme: 'iban',
        account: 'VE00 0102 0000 0000 0000 0101',
        holderName: 'Persona',
        identityDocument: 'national_id_card',
      }),
      'VALIDATION_FAILED',
      { field: 'account' },
    );
    await refused(listPayoutDestinations(app, staff('finance'), people[0]!), 'PURPOSE_REQUIRED');
    await refused(
      setPayoutDestination(app, withPurpose(finance, 'enrolment'), people[0]!, {
        providerId: 'banco-uno',
        scheme: 'iban',
        account: iban('VE', '01020000000000009999'),
        holderName: 'Alguien',
        identityDocument: 'national_id_card',
      }),
      'FORBIDDEN',
    );
    const read = await listPayoutDestinations(app, withPurpose(finance, 'audit'), people[0]!);
    assert.equal(read.current?.providerId, 'banco-uno');
    const audited = await app.db.kysely
      .selectFrom('audit_log')
      .select('purpose')
      .where('operation', '=', 'payout.destination_read')
      .execute();
    assert.deepEqual(
      audited.map((a) => a.purpose),
      ['audit'],
    );
  });

  it('pays a batch half settled, half returned, retried: each person once, the fund exact', async () => {
    const batch = await createPayoutBatch(app, finance, {
      id: 'pension-2026-12',
      origin: 'pension:2026-12',
      label: 'Pensión diciembre 2026',
      fundAccountId: 'po-fund',
      currency: 'VES',
      executionDate: '2026-12-01',
      items: [...people, homeless].map((personId) => ({ personId, amount })),
    });
    assert.equal(batch.itemCount, 6);
    assert.equal(batch.total, String(6n * amount));
    assert.deepEqual(batch.failures, { no_destination: 1 });

    // Four eyes: not the preparer, not the preparer through a token, and not before approval.
    await refused(exportPayoutBatch(app, finance, batch.id), 'INVALID_STATE', /approved/);
    await refused(approvePayoutBatch(app, finance, batch.id), 'FORBIDDEN', /someone other/);
    const token: Actor = {
      kind: 'token',
      id: 'token-of-the-preparer',
      staffId: finance.actor.id,
      grants: finance.actor.grants,
    };
    await refused(approvePayoutBatch(app, { actor: token }, batch.id), 'FORBIDDEN');
    await refused(approvePayoutBatch(app, staff('finance', ['VE-A']), batch.id), 'FORBIDDEN');
    const approved = await approvePayoutBatch(app, second, batch.id);
    assert.equal(approved.status, 'approved');
    assert.equal(approved.life.approvedBy, second.actor.id);

    const first = await exportPayoutBatch(app, finance, batch.id);
    assert.equal(first.reserved, 6);
    assert.equal(first.exports.length, 1);
    assert.deepEqual(await balances(), {
      fundPending: 6n * amount,
      fundPosted: 0n,
      clearingPosted: 0n,
      clearingPending: 6n * amount,
    });
    const again = await exportPayoutBatch(app, finance, batch.id);
    assert.equal(again.reserved, 0, 'an export run twice reserves nothing more');
    assert.equal((await balances()).fundPending, 6n * amount);

    const files = readdirSync(join(folder, 'banco-uno'));
    assert.deepEqual(files, [`${first.exports[0]!.id}.xml`]);
    const file = join(folder, 'banco-uno', files[0]!);
    const xml = readFileSync(file, 'utf8');
    assert.match(xml, /<NbOfTxs>6<\/NbOfTxs>/);
    assert.match(xml, /<CtrlSum>9000\.00<\/CtrlSum>/);
    assert.match(xml, /<InstdAmt Ccy="VES">1500\.00<\/InstdAmt>/);
    if (hasXmllint()) {
      const checked = await xmllint(xsdPath('pain.001.001.09.xsd')!, file);
      assert.equal(checked.code, 0, checked.output);
    }

    const exported = await items(batch.id, 'exported');
    assert.equal(exported.length, 6);
    const half = exported.slice(0, 3);
    const rest = exported.slice(3);
    const report = pain002('BANCO-RPT-1', first.exports[0]!.id, [
      ...half.map((i) => ({ endToEndId: i.endToEndId, status: 'ACSC', amount: '1500.00' })),
      ...rest.map((i) => ({ endToEndId: i.endToEndId, status: 'RJCT', reason: 'AC04' })),
    ]);
    const pain002Xsd = xsdPath('pain.002.001.11.xsd');
    if (hasXmllint() && pain002Xsd) {
      const path = join(folder, 'report-1.xml');
      writeFileSync(path, report);
      const checked = await xmllint(pain002Xsd, path);
      assert.equal(checked.code, 0, checked.output);
    }
    const imported = await importStatusReport(app, finance, Buffer.from(report));
    assert.deepEqual(
      {
        settled: imported.settled,
        failed: imported.failed,
        differences: imported.differences,
        repeated: imported.repeated,
      },
      { settled: 3, failed: 3, differences: 0, repeated: false },
    );
    assert.deepEqual(imported.failedReasons, { AC04: 3 });
    assert.deepEqual(await balances(), {
      fundPending: 0n,
      fundPosted: 3n * amount,
      clearingPosted: 3n * amount,
      clearingPending: 0n,
    });
    // Each person hears of it, in the import's transaction: paid, or not paid and where to ask.
    const told = async (template: string) =>
      (
        await app.db.kysely
          .selectFrom('notice_outbox')
          .select(['person_id', 'params'])
          .where('template', '=', template)
          .execute()
      ).filter((n) => (JSON.parse(n.params) as { programme: string }).programme === batch.label);
    const paidNotices = await told('payment_received');
    assert.deepEqual(
      paidNotices.map((n) => n.person_id).sort(),
      half.map((i) => i.personId).sort(),
    );
    assert.match(paidNotices[0]!.params, /"amount":"1500\.00 VES"/);
    assert.deepEqual(
      (await told('payment_failed')).map((n) => n.person_id).sort(),
      rest.map((i) => i.personId).sort(),
    );
    const twice = await importStatusReport(app, finance, Buffer.from(report));
    assert.equal(twice.repeated, true);
    assert.equal(twice.reportId, imported.reportId);
    assert.equal((await balances()).fundPosted, 3n * amount, 'a report read twice moves nothing');

    const retried = await retryPayoutBatch(app, finance, batch.id);
    assert.equal(retried.retried, 3);
    assert.equal(retried.reserved, 3);
    const resent = await items(batch.id, 'exported');
    assert.deepEqual(
      resent.map((i) => i.attempt),
      [2, 2, 2],
    );
    for (const i of resent)
      assert.ok(!rest.some((r) => r.endToEndId === i.endToEndId), 'a new attempt, a new id');
    // The first report again, under another message id, finds only what is already done.
    const stale = await importStatusReport(
      app,
      finance,
      Buffer.from(report.replace('BANCO-RPT-1', 'BANCO-RPT-1-COPY')),
    );
    assert.deepEqual([stale.settled, stale.failed, stale.unchanged], [0, 0, 6]);
    const second002 = pain002(
      'BANCO-RPT-2',
      retried.exports[0]!.id,
      resent.map((i) => ({ endToEndId: i.endToEndId, status: 'ACCC' })),
    );
    const final = await importStatusReport(app, finance, Buffer.from(second002));
    assert.equal(final.settled, 3);
    assert.deepEqual(await balances(), {
      fundPending: 0n,
      fundPosted: 6n * amount,
      clearingPosted: 6n * amount,
      clearingPending: 0n,
    });
    const fund = await getAccount(app, system, 'po-fund');
    assert.equal(fund.creditsPosted - fund.debitsPosted, 10_000_000n - 6n * amount);
    assert.equal(
      (await told('payment_received')).length,
      6,
      'one notice per payment, however often read',
    );
    assert.equal((await told('payment_failed')).length, 3);
    const settled = await getPayoutBatch(app, finance, batch.id);
    assert.equal(settled.status, 'settled');
    assert.equal(settled.byStatus.settled?.items, 6);
    // Each person has exactly one posted payout transfer.
    const posted = await app.db.kysely
      .selectFrom('ledger_transfers')
      .select('id')
      .where('code', '=', 'payout')
      .where('flags', '=', 4)
      .execute();
    assert.equal(posted.length, 6);
    for (const t of await ledgerTotals(app.db.kysely)) assert.ok(t.isBalanced);

    // A second batch for the same origin pays nobody again.
    const repeat = await createPayoutBatch(app, finance, {
      id: 'pension-2026-12-bis',
      origin: 'pension:2026-12',
      label: 'Pensión diciembre 2026 (otra vez)',
      fundAccountId: 'po-fund',
      currency: 'VES',
      executionDate: '2026-12-02',
      items: people.map((personId) => ({ personId, amount })),
    });
    assert.equal(repeat.itemCount, 0);
    assert.deepEqual(repeat.failures, { already_paid: 6 });
  });

  it('reads a camt.054: booked debits settle, returns go back to the fund', async () => {
    const batch = await createPayoutBatch(app, finance, {
      id: 'bono-2026-12',
      origin: 'bono:2026-12',
      label: 'Bono único',
      fundAccountId: 'po-fund',
      currency: 'VES',
      executionDate: '2026-12-03',
      items: people.slice(0, 2).map((personId) => ({ personId, amount: 5_000n })),
    });
    await approvePayoutBatch(app, second, batch.id);
    await exportPayoutBatch(app, finance, batch.id);
    const before = await balances();
    const [a, b] = await items(batch.id, 'exported');
    const notice = camt054('CAMT-1', debtor, [
      { endToEndId: a!.endToEndId, amount: '50.00' },
      { endToEndId: b!.endToEndId, amount: '50.00', returned: 'AC06' },
      { endToEndId: 'TSUNKNOWN0000000000000000000000000', amount: '50.00' },
      { endToEndId: a!.endToEndId, amount: '51.00' },
    ]);
    const done = await importStatusReport(app, finance, Buffer.from(notice));
    assert.deepEqual(
      [done.settled, done.failed, done.differences],
      [1, 1, 2],
      JSON.stringify(done.shown),
    );
    assert.deepEqual(
      done.shown.map((d) => d.problem),
      ['unknown_end_to_end_id', 'amount_mismatch'],
    );
    const now = await balances();
    assert.equal(now.fundPending, before.fundPending - 10_000n);
    assert.equal(now.fundPosted, before.fundPosted + 5_000n);
  });

  it('refuses malformed, hostile or foreign XML naming the line, and writes nothing', async () => {
    const reports = async () =>
      (await app.db.kysely.selectFrom('payout_status_reports').select('id').execute()).length;
    const count = await reports();
    const moneyBefore = await balances();
    const good = pain002('BAD-1', 'TXNONE', [
      { endToEndId: 'TSNOSUCH000000000000000000000000000', status: 'ACSC' },
    ]);
    const cases: [string, RegExp][] = [
      [
        good.replace('<Document', '<!DOCTYPE d [<!ENTITY x "y">]>\n<Document'),
        /Line 2: declarations/,
      ],
      [good.replace('</TxSts>', '</TxSt>'), /Line \d+: <\/TxSt> closes TxSts/],
      [good.replace('ACSC', 'ZZZZ'), /Line \d+: TxInfAndSts has no known TxSts/],
      [good.replace('<OrgnlEndToEndId>', '<OrgnlEndToEndId>&xx;'), /predefined entities/],
      [good.slice(0, good.length - 40), /not closed/],
      [good.replace('pain.002.001.11', 'pain.002.001.99'), /namespace/],
      ['<?xml version="1.0"?><Document xmlns="x"/>', /not a pain\.002/],
      [
        good
          .replace('<InstdAmt', '<X')
          .replace(
            '</TxSts>',
            '</TxSts><OrgnlTxRef><Amt><InstdAmt Ccy="VES">1.234</InstdAmt></Amt></OrgnlTxRef>',
          ),
        /not an amount in VES/,
      ],
    ];
    for (const [xml, message] of cases)
      await refused(importStatusReport(app, finance, Buffer.from(xml)), 'MALFORMED_XML', message);
    await refused(
      importStatusReport(app, finance, Buffer.from([0x3c, 0xff, 0xfe, 0x3e])),
      'MALFORMED_XML',
      /UTF-8/,
    );
    assert.equal(await reports(), count, 'no report was stored');
    assert.deepEqual(await balances(), moneyBefore, 'no money moved');
  });
});
