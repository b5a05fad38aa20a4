// Demo programmes for `serve --demo`: a monthly food box for every household, a monthly
// pension for people of 60 and over (paid from a funded programme account), and a one-time
// Mother's Day payment. The food box's current month is frozen and generated, and waits for a
// second administrator's approval, so that the console shows a cycle at every step.
import { createAccounts, createTransfers } from '../ledger';
import type { AppContext, Caller } from '../shared/context';
import { createCycle, freezeCycle } from './cycles';
import { generateEntitlements } from './generate-entitlements';
import type { ProgrammeInput } from './programme-input';
import { createProgramme } from './programmes';

/** The demo's programme fund and where its money comes from. */
export const demoFundAccountId = 'demo-fund-ves';
const demoEquityAccountId = 'demo-treasury-ves';

/** Creates the demo programmes on a database with none; returns the lines to print. */
export async function loadProgramsDemo(app: AppContext, caller: Caller): Promise<string[]> {
  const any = await app.db.kysely.selectFrom('programmes').select('id').limit(1).execute();
  if (any.length > 0) return [];
  const regions = Object.keys(app.config.regions).sort();
  const serviceAreas = regions.map((regionCode) => ({ regionCode }));
  await createAccounts(app, caller, {
    accounts: [
      { id: demoEquityAccountId, ledger: 'VES', code: 'operator_equity' },
      {
        id: demoFundAccountId,
        ledger: 'VES',
        code: 'programme_fund',
        flags: { debitsMustNotExceedCredits: true },
      },
    ],
  });
  await createTransfers(app, caller, {
    transfers: [
      {
        id: 'demo-fund-opening',
        debitAccountId: demoEquityAccountId,
        creditAccountId: demoFundAccountId,
        amount: 50_000_000_00n,
        ledger: 'VES',
        code: 'funding',
      },
    ],
  });
  const food: ProgrammeInput = {
    code: 'food_box',
    kind: 'basket',
    target: 'household',
    schedule: 'monthly',
    name: { es: 'Caja de alimentos', en: 'Food box' },
    rule: 'household_size >= 1',
    benefit: {
      kind: 'basket',
      items: [
        { code: 'rice', name: { es: 'Arroz', en: 'Rice' }, quantity: 2, unit: 'kg' },
        { code: 'oil', name: { es: 'Aceite', en: 'Oil' }, quantity: 1, unit: 'l' },
        { code: 'beans', name: { es: 'Caraotas', en: 'Black beans' }, quantity: 1, unit: 'kg' },
      ],
    },
    coPayment: 0n,
    currency: 'VES',
    serviceAreas,
    retentionDays: 365,
    stagger: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
  };
  const pension: ProgrammeInput = {
    code: 'pension',
    kind: 'cash',
    target: 'person',
    schedule: 'monthly',
    name: { es: 'Pensión de vejez', en: 'Old-age pension' },
    rule: 'age >= 60',
    benefit: { kind: 'cash', base: 130_00n },
    coPayment: 0n,
    currency: 'VES',
    fundingAccountId: demoFundAccountId,
    serviceAreas,
    retentionDays: 730,
    stagger: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
  };
  const mothers: ProgrammeInput = {
    code: 'mothers_day',
    kind: 'one_time',
    target: 'person',
    schedule: 'one_time',
    name: { es: 'Bono del Día de la Madre', en: "Mother's Day payment" },
    rule: 'sex = "F" and age >= 18 and count(age < 18) >= 1',
    benefit: { kind: 'one_time', amount: 50_00n },
    coPayment: 0n,
    currency: 'VES',
    fundingAccountId: demoFundAccountId,
    serviceAreas,
    retentionDays: 365,
    stagger: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  };
  const foodBox = await createProgramme(app, caller, food);
  await createProgramme(app, caller, pension);
  await createProgramme(app, caller, mothers);
  const today = app.now();
  const month = today.toISOString().slice(0, 7);
  const last = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0))
    .toISOString()
    .slice(0, 10);
  const cycle = await createCycle(app, caller, {
    programmeId: foodBox.id,
    label: month,
    opensOn: `${month}-01`,
    closesOn: last,
  });
  await freezeCycle(app, caller, cycle.id);
  const generated = await generateEntitlements(app, caller, cycle.id);
  return [
    `  demo programmes: food box, pension, Mother's Day payment; food box ${month}: ${generated.entitlementCount} entitlements awaiting approval`,
  ];
}
