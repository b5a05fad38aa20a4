// Reconciliation on both engines: a batch whose pain.002 agrees line for line lists no
// difference and its totals equal the statement's; a batch whose pain.002 disagrees on one
// line lists exactly that line, with the ids to chase it; a camt.054 return counts as returned;
// an exported item the provider never mentioned is missing in the statement, and a line no
// payout carried is missing in the ledger.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { distinctPerson, staff, testApp, withPurpose } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import { camt054, iban, pain002 } from '../../test/support/iso20022';
import { refused } from '../../test/support/refusals';
import { enrolPerson } from '../registry';
import { systemActor } from '../shared/access';
import type { Caller } from '../shared/context';
import { parseInput } from '../shared/validate';
import { createAccounts } from './create-accounts';
import { createTransfers } from './create-transfers';
import { approvePayoutBatch, createPayoutBatch, listPayoutItems } from './payouts/batches';
import { setPayoutDestination } from './payouts/destinations';
import { exportPayoutBatch } from './payouts/export';
import { importStatusReport } from './payouts/import-status';
import { configureProvider } from './payouts/providers';
import { reconcileInput, reconcilePayouts } from './reconciliation';

const system: Caller = { actor: systemActor('test') };

forEachEngine('reconciliation', ({ db }) => {
  let app: ReturnType<typeof testApp>;
  let folder: string;
  const people: string[] = [];
  const finance = staff('finance');
  const second = staff('finance');
  const registrar = withPurpose(staff('registrar', ['VE-A']), 'enrolment');
  const debtor = iban('VE', '01020000000000000001');

  before(async () => {
    app = testApp(db());
    folder = mkdtempSync(join(tmpdir(), 'tessera-reconcile-'));
    app.payoutFolder = folder;
    await createAccounts(app, system, {
      accounts: [
        { id: 'rc-equity', ledger: 'VES', code: 'operator_equity' },
        {
          id: 'rc-fund',
          ledger: 'VES',
          code: 'programme_fund',
          flags: { debitsMustNotExceedCredits: true },
        },
      ],
    });
    await createTransfers(app, system, {
      transfers: [
        {
          id: 'rc-funding',
          debitAccountId: 'rc-equity',
          creditAccountId: 'rc-fund',
          amount: 10_000_000n,
          ledger: 'VES',
          code: 'funding',
        },
      ],
    });
    await configureProvider(app, staff('admin'), 'banco-rc', {
      name: 'Banco RC',
      kind: 'bank',
      agentId: 'BRCOVECA',
      adapter: 'folder',
      endpoint: 'banco-rc',
      currency: 'VES',
      debtorName: 'Fondo',
      debtorAccount: debtor,
      senderId: 'tessera',
    });
    for (let i = 0; i < 6; i += 1) {
      const p = await enrolPerson(app, system, distinctPerson(`Concilia ${'ABCDEF'[i]}`));
      people.push(p.id);
      await setPayoutDestination(app, registrar, p.id, {
        providerId: 'banco-rc',
        scheme: 'iban',
        account: iban('VE', `0102000000000000${String(300 + i).padStart(4, '0')}`),
        holderName: `Persona ${i}`,
        identityDocument: 'national_id_card',
      });
    }
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  const exported = async (id: string, origin: string, who: string[], amount: bigint) => {
    await createPayoutBatch(app, finance, {
      id,
      origin,
      label: `Lote ${id}`,
      fundAccountId: 'rc-fund',
      currency: 'VES',
      executionDate: '2026-12-01',
      items: who.map((personId) => ({ personId, amount })),
    });
    await approvePayoutBatch(app, second, id);
    const sent = await exportPayoutBatch(app, finance, id);
    const items = (await listPayoutItems(app, withPurpose(finance, 'audit'), id, { limit: 200 }))
      .items;
    return { exportId: sent.exports[0]!.id, items };
  };

  it('lists no difference when the statement agrees, and its totals equal the ledger’s', async () => {
    const { exportId, items } = await exported('rc-ok', 'cycle:rc-ok', people.slice(0, 3), 10_000n);
    await importStatusReport(
      app,
      finance,
      Buffer.from(
        pain002(
          'RC-OK-1',
          exportId,
          items.map((i) => ({ endToEndId: i.endToEndId, status: 'ACSC', amount: '100.00' })),
        ),
      ),
    );
    // A bare cycle id names the cycle's payouts.
    const r = await reconcilePayouts(app, finance, { origin: 'rc-ok' });
    assert.equal(r.origin, 'cycle:rc-ok');
    assert.deepEqual(r.differences, []);
    assert.equal(r.balanced, true);
    assert.deepEqual(r.ledger.issued, { count: 3, amount: '30000' });
    assert.deepEqual(r.ledger.paid, r.statement.paid);
    assert.deepEqual(r.ledger.outstanding, { count: 0, amount: '0' });
  });

  it('lists exactly the one line where the statement disagrees, with the ids to chase it', async () => {
    const { exportId, items } = await exported(
      'rc-one',
      'cycle:rc-one',
      people.slice(0, 3),
      10_000n,
    );
    const [a, b, c] = items;
    await importStatusReport(
      app,
      finance,
      Buffer.from(
        pain002('RC-ONE-1', exportId, [
          { endToEndId: a!.endToEndId, status: 'ACSC', amount: '100.00' },
          { endToEndId: b!.endToEndId, status: 'ACSC', amount: '99.00' },
          { endToEndId: c!.endToEndId, status: 'RJCT', reason: 'AC04' },
        ]),
      ),
    );
    const r = await reconcilePayouts(app, finance, { batchId: 'rc-one' });
    assert.equal(r.differenceCount, 1, JSON.stringify(r.differences));
    const [d] = r.differences;
    assert.equal(d!.kind, 'amount_differs');
    assert.equal(d!.endToEndId, b!.endToEndId);
    assert.equal(d!.itemId, b!.id);
    assert.equal(d!.batchId, 'rc-one');
    assert.equal(d!.ledgerAmount, '10000');
    assert.equal(d!.statementAmount, '9900');
    assert.equal(d!.ledgerStatus, 'outstanding', 'the disagreeing line was not applied');
    assert.ok(d!.reportId && d!.transferId && d!.statementAt);
    assert.deepEqual(r.ledger.paid, { count: 1, amount: '10000' });
    assert.deepEqual(r.ledger.failed, { count: 1, amount: '10000' });
    assert.deepEqual(r.statement.failed, { count: 1, amount: '10000' });
    assert.equal(r.balanced, false);
  });

  it('counts a camt.054 return as returned, and names what either side lacks', async () => {
    const { items } = await exported('rc-camt', 'pension:rc-camt', people.slice(3, 6), 5_000n);
    const [a, b] = items;
    await importStatusReport(
      app,
      finance,
      Buffer.from(
        camt054('RC-CAMT-1', debtor, [
          { endToEndId: a!.endToEndId, amount: '50.00' },
          { endToEndId: b!.endToEndId, amount: '50.00', returned: 'AC06' },
          { endToEndId: 'TSNOSUCHPAYOUT00000000000000000000', amount: '50.00' },
        ]),
      ),
    );
    const r = await reconcilePayouts(app, finance, { origin: 'pension:rc-camt' });
    assert.deepEqual(r.ledger.returned, { count: 1, amount: '5000' });
    assert.deepEqual(r.statement.returned, { count: 1, amount: '5000' });
    assert.deepEqual(
      r.differences.map((d) => [d.kind, d.endToEndId]).sort(),
      [
        ['missing_in_ledger', 'TSNOSUCHPAYOUT00000000000000000000'],
        ['missing_in_statement', items[2]!.endToEndId],
      ].sort(),
    );
  });

  it('refuses bad input and readers without national scope', async () => {
    for (const body of [{}, { origin: 'x' }, { origin: 'cycle:a', batchId: 'b-1' }, { batch: 'z' }])
      assert.throws(() => parseInput(reconcileInput, body));
    await refused(reconcilePayouts(app, finance, { batchId: 'no-such' }), 'NOT_FOUND');
    await refused(
      reconcilePayouts(app, staff('finance', ['VE-A']), { batchId: 'rc-ok' }),
      'FORBIDDEN',
    );
    await refused(reconcilePayouts(app, staff('registrar'), { batchId: 'rc-ok' }), 'FORBIDDEN');
  });
});
