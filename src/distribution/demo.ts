// Demo points of service for `serve --demo`: a food depot in Caracas and a pharmacy in Miranda,
// both serving the demo food box, with stock received for its current cycle (and one loss
// recorded at the pharmacy, to show an adjustment); the demo operator `operador` (made with the
// other demo staff) assigned to the depot; and a device registered there whose one-time
// enrolment code is printed, so that the operator can enrol a phone at once.
import type { AppContext, Caller } from '../shared/context';
import { registerDevice } from './devices';
import { createPoint, setPointOperator } from './points';
import { recordStock } from './stock';

/** The demo operator's username (src/auth/demo.ts makes the account). */
export const demoOperatorUsername = 'operador';

/** Creates the demo points on a database with none; returns the lines to print. */
export async function loadDistributionDemo(app: AppContext, caller: Caller): Promise<string[]> {
  const any = await app.db.kysely.selectFrom('points').select('id').limit(1).execute();
  if (any.length > 0) return [];
  const foodBox = await app.db.kysely
    .selectFrom('programmes')
    .select('id')
    .where('code', '=', 'food_box')
    .executeTakeFirst();
  if (!foodBox) return [];
  const cycle = await app.db.kysely
    .selectFrom('cycles')
    .select(['id', 'label'])
    .where('programme_id', '=', foodBox.id)
    .where('status', 'in', ['frozen', 'generated', 'approved'])
    .orderBy('opens_on', 'desc')
    .executeTakeFirst();
  const depot = await createPoint(app, caller, {
    code: 'DEP-CCS-0001',
    name: 'Depósito de alimentos La Candelaria',
    kind: 'food_depot',
    regionCode: 'VE-A',
    locality: 'Caracas',
    programmeIds: [foodBox.id],
  });
  const pharmacy = await createPoint(app, caller, {
    code: 'FAR-MIR-0001',
    name: 'Farmacia Los Teques',
    kind: 'pharmacy',
    regionCode: 'VE-M',
    locality: 'Los Teques',
    programmeIds: [foodBox.id],
  });
  const lines = [
    `  demo points of service: ${depot.code} ${depot.name} (Caracas), ${pharmacy.code} ${pharmacy.name} (Miranda)`,
  ];
  if (cycle) {
    await recordStock(app, caller, depot.id, {
      cycleId: cycle.id,
      kind: 'received',
      quantity: 400,
      reference: 'Guía de despacho 2026-0001',
    });
    await recordStock(app, caller, pharmacy.id, {
      cycleId: cycle.id,
      kind: 'received',
      quantity: 150,
      reference: 'Guía de despacho 2026-0002',
    });
    await recordStock(app, caller, pharmacy.id, {
      cycleId: cycle.id,
      kind: 'adjustment',
      quantity: -3,
      reason: 'Tres cajas llegaron dañadas por la lluvia',
    });
    lines.push(
      `  demo stock for food box ${cycle.label}: 400 boxes at the depot, 147 at the pharmacy`,
    );
  }
  const operator = await app.db.kysely
    .selectFrom('staff')
    .select('id')
    .where('username', '=', demoOperatorUsername)
    .executeTakeFirst();
  if (operator) await setPointOperator(app, caller, depot.id, operator.id, true);
  const device = await registerDevice(app, caller, {
    pointId: depot.id,
    name: 'Teléfono del mostrador 1',
    offlineDailyCap: 300,
  });
  lines.push(
    `  demo device at ${depot.code}: one-time enrolment code ${device.enrolmentCode} (valid 72 hours; ${demoOperatorUsername} enrols it, signed in on the device)`,
    '',
  );
  return lines;
}
