// `tessera points …`, `tessera devices …` and `tessera stock …`: setting up points of service
// from a shell — define a point, register its devices (the one-time enrolment code is printed
// once, for the administrator to hand to the point's operator), revoke a lost one — and reading
// a point's stock. Each runs as the system actor `cli:<what>`, audited like the API.
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context';
import type { Queryable } from '../db';
import { DomainError } from '../shared/errors';
import { parseInput } from '../shared/validate';
import { deviceInput, listDevices, registerDevice, revokeDevice } from './devices';
import { createPoint, listPoints, loadPoint, pointInput, pointOperators } from './points';
import { pointStock } from './stock';

/** Where the commands write (replaced in tests). */
export interface DistributionCliIo {
  out: (line: string) => void;
}

const processIo: DistributionCliIo = { out: (line) => console.log(line) };

/** A point named by its id or its code. */
async function pointIdOf(db: Queryable, idOrCode: string): Promise<string> {
  const row = await db
    .selectFrom('points')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', idOrCode), eb('code', '=', idOrCode)]))
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `No point of service ${idOrCode}.`, 'point');
  return row.id;
}

/** Programmes named by id or code, as ids. */
async function programmeIdsOf(db: Queryable, list: string | undefined): Promise<string[]> {
  if (!list) return [];
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const out: string[] = [];
  for (const name of names) {
    const row = await db
      .selectFrom('programmes')
      .select('id')
      .where((eb) => eb.or([eb('id', '=', name), eb('code', '=', name)]))
      .executeTakeFirst();
    if (!row)
      throw new DomainError('VALIDATION_FAILED', `Unknown programme ${name}.`, 'programmes');
    out.push(row.id);
  }
  return out;
}

/** Registers the `points`, `devices` and `stock` commands. */
export function registerDistributionCommands(
  program: Command,
  { withApp }: CliContext,
  io: DistributionCliIo = processIo,
): void {
  const points = program.command('points').description('Points of service');
  points
    .command('list')
    .option('--region <code>', 'only this region’s points')
    .description('List points: id, code, kind, region, status, name')
    .action(async (options: { region?: string }) => {
      const list = await withApp('points.list', (app, caller) =>
        listPoints(app, caller, options.region),
      );
      if (list.length === 0) io.out('no points of service');
      for (const p of list)
        io.out(`${p.id}  ${p.code}  ${p.kind}  ${p.regionCode}  ${p.status}  ${p.name}`);
    });
  points
    .command('create')
    .requiredOption('--code <code>', 'short stable code shown on receipts, e.g. DEP-CCS-0012')
    .requiredOption('--name <name>', 'the point’s name')
    .requiredOption(
      '--kind <kind>',
      'food_depot, pharmacy, fuel_station, bank_agent or registration_office',
    )
    .requiredOption('--region <code>', 'its region, e.g. VE-A')
    .option('--locality <text>', 'town or district')
    .option('--programmes <list>', 'programmes it serves, by id or code, comma-separated')
    .description('Define a point of service')
    .action(
      async (options: {
        code: string;
        name: string;
        kind: string;
        region: string;
        locality?: string;
        programmes?: string;
      }) => {
        const p = await withApp('points.create', async (app, caller) =>
          createPoint(
            app,
            caller,
            parseInput(pointInput, {
              code: options.code,
              name: options.name,
              kind: options.kind,
              regionCode: options.region,
              ...(options.locality ? { locality: options.locality } : {}),
              programmeIds: await programmeIdsOf(app.db.kysely, options.programmes),
            }),
          ),
        );
        io.out(`created ${p.id} (${p.code}, ${p.kind}, ${p.regionCode})`);
      },
    );
  points
    .command('show <point>')
    .description('Print a point (by id or code) with its operators and devices, as JSON')
    .action(async (name: string) => {
      const shown = await withApp('points.show', async (app, caller) => {
        const id = await pointIdOf(app.db.kysely, name);
        return {
          ...(await loadPoint(app.db.kysely, caller, id, 'point:read')),
          operators: await pointOperators(app.db.kysely, id),
          devices: await listDevices(app, caller, id),
        };
      });
      io.out(JSON.stringify(shown, null, 2));
    });

  const devices = program.command('devices').description('Devices of points of service');
  devices
    .command('register')
    .requiredOption('--point <point>', 'the point, by id or code')
    .requiredOption('--name <name>', 'what the device is, e.g. "Counter phone 1"')
    .option('--offline-cap <units>', 'units it may hand out offline per day (default 300)')
    .description('Register a device; prints its one-time enrolment code (shown only now)')
    .action(async (options: { point: string; name: string; offlineCap?: string }) => {
      const made = await withApp('devices.register', async (app, caller) =>
        registerDevice(
          app,
          caller,
          parseInput(deviceInput, {
            pointId: await pointIdOf(app.db.kysely, options.point),
            name: options.name,
            ...(options.offlineCap !== undefined
              ? { offlineDailyCap: Number(options.offlineCap) }
              : {}),
          }),
        ),
      );
      io.out(`registered device ${made.device.id} (${made.device.name})`);
      io.out(`one-time enrolment code: ${made.enrolmentCode}   (valid until ${made.expiresAt})`);
      io.out('An operator of the point enrols the device with it, signed in on the device.');
    });
  devices
    .command('revoke <id>')
    .requiredOption('--reason <text>', 'why (lost, stolen, retired)')
    .description('Revoke a device: its token stops at once and its leases are released')
    .action(async (id: string, options: { reason: string }) => {
      const d = await withApp('devices.revoke', (app, caller) =>
        revokeDevice(app, caller, id, options.reason.trim()),
      );
      io.out(`revoked ${d.id} (${d.name})`);
    });
  devices
    .command('list')
    .requiredOption('--point <point>', 'the point, by id or code')
    .description('List a point’s devices: id, status, name, registered, last seen')
    .action(async (options: { point: string }) => {
      const list = await withApp('devices.list', async (app, caller) =>
        listDevices(app, caller, await pointIdOf(app.db.kysely, options.point)),
      );
      if (list.length === 0) io.out('no devices');
      for (const d of list)
        io.out(
          `${d.id}  ${d.status}  ${d.name}  registered ${d.registeredAt}  last seen ${d.lastSeenAt ?? '-'}`,
        );
    });

  const stock = program.command('stock').description('Stock at points of service');
  stock
    .command('show')
    .requiredOption('--point <point>', 'the point, by id or code')
    .option('--cycle <id>', 'only this cycle')
    .description('A point’s stock per cycle: received, adjusted, delivered, left')
    .action(async (options: { point: string; cycle?: string }) => {
      const view = await withApp('stock.show', async (app, caller) =>
        pointStock(app, caller, await pointIdOf(app.db.kysely, options.point), options.cycle),
      );
      io.out(`${view.point.code}  ${view.point.name}  (${view.point.regionCode})`);
      if (view.items.length === 0) io.out('no cycles of in-kind programmes at this point');
      for (const l of view.items)
        io.out(
          `${l.cycleLabel}  ${l.programmeCode}  received ${l.received}  adjusted ${l.adjusted}  delivered ${l.delivered}  left ${l.left} ${l.unit}${l.overdrawn ? `  OVERDRAWN by ${-l.left}` : ''}`,
        );
    });
}
