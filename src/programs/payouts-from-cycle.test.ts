// A payout batch from an approved one-time cycle, on both engines: the entitled people who
// have a payout destination go into the batch (their entitlement marked collected by payout),
// the others stay with the wallet payment, and nobody is paid both ways.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { staff, testApp, withPurpose } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import { iban } from '../../test/support/iso20022';
import { refused } from '../../test/support/refusals';
import {
  configureProvider,
  createAccounts,
  createTransfers,
  listPayoutItems,
  setPayoutDestination,
} from '../ledger';
import { loadDemoRegistry } from '../registry';
import { systemActor } from '../shared/access';
import type { Caller } from '../shared/context';
import { approveCycle, createCycle, freezeCycle } from './cycles';
import { generateEntitlements } from './generate-entitlements';
import { payCycle } from './payments';
import { payoutBatchFromCycle } from './payouts-from-cycle';
import { createProgramme } from './programmes';
import type { ProgrammeInput } from './programme-input';

const system: Caller = { actor: systemActor('test') };

forEachEngine('payouts from a cycle', ({ db }) => {
  let app: ReturnType<typeof testApp>;
  let folder: string;
  const admin = staff('programme_admin');
  const second = staff('programme_admin');
  const finance = staff('finance');

  before(async () => {
    app = testApp(db(), new Date('2026-12-01T08:00:00Z'));
    folder = mkdtempSync(join(tmpdir(), 'tessera-cycle-payouts-'));
    app.payoutFolder = folder;
    await loadDemoRegistry(app, system, { people: 120, seed: 5 });
    await createAccounts(app, system, {
      accounts: [
        { id: 'cy-equity', ledger: 'VES', code: 'operator_equity' },
        {
          id: 'cy-fund',
          ledger: 'VES',
          code: 'programme_fund',
          flags: { debitsMustNotExceedCredits: true },
        },
      ],
    });
    await createTransfers(app, system, {
      transfers: [
        {
          id: 'cy-funding',
          debitAccountId: 'cy-equity',
          creditAccountId: 'cy-fund',
          amount: 100_000_000n,
          ledger: 'VES',
          code: 'funding',
        },
      ],
    });
    await configureProvider(app, staff('admin'), 'banco-dos', {
      name: 'Banco Dos',
      kind: 'bank',
      agentId: 'BDOSVECA',
      adapter: 'folder',
      endpoint: 'banco-dos',
      currency: 'VES',
      debtorName: 'Fondo Bono',
      debtorAccount: iban('VE', '01050000000000000001'),
      senderId: 'tessera',
    });
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('puts the people with a destination in a batch and leaves the rest to wallets', async () => {
    const programme = await createProgramme(app, admin, {
      code: 'bono_unico',
      kind: 'one_time',
      target: 'person',
      schedule: 'one_time',
      name: { es: 'Bono único', en: 'One-time bonus' },
      rule: 'age >= 18',
      benefit: { kind: 'one_time', amount: 75_00n },
      coPayment: 0n,
      currency: 'VES',
      fundingAccountId: 'cy-fund',
      serviceAreas: [{ regionCode: 'VE-A' }, { regionCode: 'VE-M' }],
      retentionDays: 30,
      stagger: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    } as ProgrammeInput);
    const cycle = await createCycle(app, admin, {
      programmeId: programme.id,
      label: '2026-12',
      opensOn: '2026-12-01',
      closesOn: '2026-12-31',
    });
    await freezeCycle(app, admin, cycle.id);
    await generateEntitlements(app, admin, cycle.id);
    await refused(
      payoutBatchFromCycle(app, finance, cycle.id, {
        batchId: 'bono-cycle',
        executionDate: '2026-12-05',
      }),
      'INVALID_STATE',
    );
    await approveCycle(app, second, cycle.id);
    const entitled = await app.db.kysely
      .selectFrom('entitlements')
      .select('person_id')
      .where('cycle_id', '=', cycle.id)
      .orderBy('person_id')
      .execute();
    assert.ok(entitled.length > 10);
    const banked = entitled.slice(0, 5).map((e) => e.person_id);
    const registrar = withPurpose(staff('registrar'), 'enrolment');
    for (const [i, personId] of banked.entries())
      await setPayoutDestination(app, registrar, personId, {
        providerId: 'banco-dos',
        scheme: 'iban',
        account: iban('VE', `0105000000000000${String(200 + i).padStart(4, '0')}`),
        holderName: `Persona ${i}`,
        identityDocument: 'national_id_card',
      });
    await refused(
      payoutBatchFromCycle(app, staff('registrar'), cycle.id, {
        batchId: 'bono-cycle',
        executionDate: '2026-12-05',
      }),
      'FORBIDDEN',
    );
    const batch = await payoutBatchFromCycle(app, finance, cycle.id, {
      batchId: 'bono-cycle',
      executionDate: '2026-12-05',
    });
    assert.equal(batch.entitlementsMoved, 5);
    assert.equal(batch.origin, `cycle:${cycle.id}`);
    assert.equal(batch.total, String(5n * 75_00n));
    const inBatch = (
      await listPayoutItems(app, withPurpose(finance, 'audit'), batch.id, { limit: 50 })
    ).items.map((i) => i.personId);
    assert.deepEqual(inBatch.sort(), [...banked].sort());

    const wallets = await payCycle(app, admin, cycle.id, 'wallet-batch-1');
    assert.equal(wallets.paid, entitled.length - 5);
    for (const personId of banked)
      assert.equal(
        wallets.items.find((i) => i.personId === personId)?.reason,
        'already_paid',
        'nobody in the payout batch is paid to a wallet too',
      );
  });
});
