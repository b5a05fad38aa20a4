// bench/redeem: points of service at a country's pace. Builds a registry of N people (the demo
// generator), a food-box cycle for all of them (frozen, generated, approved by a second
// person), a point and an enrolled device; then starts the real server (`tessera serve`) as
// its own process and loads it from this one with autocannon, 64 connections: first a bare
// authenticated route (the device asking who it is) for the limit, then the mixed load of a
// counter — look a person up by registry number and date of birth, then redeem their
// entitlement with an attested document and an Idempotency-Key — with one in twenty
// redemptions repeating an entitlement already handed over (it must be refused) and one in
// fifty retrying a key (it must replay). Afterwards the database is read back: double
// deliveries must be 0. Prints redemptions per second, p50/p99, errors, double deliveries and
// the ratio to the bare route; target (issue 12): at least 2,000 redemptions/s on SQLite.
// The same on PostgreSQL, stated. The last line is one JSON object with the figures.
// Usage: npx tsx bench/redeem.ts [--people N] [--pg-people N] [--seconds S] [--connections C]
//        [--profile DIR] (the server writes a CPU profile there when it stops)
//        [--keep DIR] (SQLite: after building, keep a pristine copy of the database and what the
//        load needs — data key, device token, cycle, holders — in DIR) [--reuse DIR] (SQLite:
//        start from a copy of what --keep left in DIR instead of building; the copy is thrown
//        away afterwards, so DIR stays pristine and can be reused again). The people count comes
//        from DIR when reusing.
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { appContext } from '../src/app';
import { insertGrant, insertStaff } from '../src/auth';
import { migrateToLatest, openDatabase, type Database } from '../src/db';
import { enrolDevice, registerDevice, createPoint, setPointOperator } from '../src/distribution';
import { migrations, permissionMatrix } from '../src/modules';
import {
  approveCycle,
  createCycle,
  createProgramme,
  entitlementId,
  freezeCycle,
  generateEntitlements,
} from '../src/programs';
import { loadDemoRegistry } from '../src/registry';
import { resolveGrants, systemActor } from '../src/shared/access';
import { defaultRegions } from '../src/shared/regions';
import { startLocalPostgres } from '../test/support/local-pg';
import { processCpuMs, runAutocannon, startBenchServer, stopBenchServer } from './serve';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const people = arg('--people', 1_000_000);
const pgPeople = arg('--pg-people', 1_000_000);
const durationSeconds = arg('--seconds', 20);
const connections = arg('--connections', 64);
// Processes serving HTTP (`tessera serve --workers`): one core each at most. On PostgreSQL two
// use both cores; on SQLite one is faster — its commits' fsync no longer stops it
// (src/db/sqlite-wal-sync.ts), and each commit by one process empties the other's page cache.
const workersFor = (engine: 'sqlite' | 'postgres') => arg('--workers', engine === 'sqlite' ? 1 : 2);
const argPath = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const profileDir = argPath('--profile');
const keepDir = argPath('--keep');
const reuseDir = argPath('--reuse');
const target = 2000;
const caller = { actor: systemActor('bench') };
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

interface Holder {
  entitlementId: string;
  registryNumber: string;
  birthDate: string;
}

async function prepare(db: Database, count: number, dataKey: Buffer) {
  await migrateToLatest(db, migrations);
  const app = appContext(db, { regions: defaultRegions, dataKey, statsCellMin: 10 });
  let t = process.hrtime.bigint();
  let shown = 0;
  await loadDemoRegistry(app, caller, {
    people: count,
    seed: 12,
    onProgress: (done) => {
      if (done - shown >= 250_000 || done === count) {
        shown = done;
        console.log(`  registry: ${done.toLocaleString('en')} of ${count.toLocaleString('en')}`);
      }
    },
  });
  console.log(`  registry built in ${seconds(t).toFixed(1)} s`);
  if (db.engine === 'postgres') await sql`analyze`.execute(db.kysely);
  const today = new Date().toISOString().slice(0, 10);
  const month = today.slice(0, 7);
  const [y, m] = month.split('-').map(Number);
  const lastDay = new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10);
  const regions = Object.keys(defaultRegions);
  const programme = await createProgramme(app, caller, {
    code: 'bench_food_box',
    kind: 'basket',
    target: 'person',
    schedule: 'monthly',
    name: { es: 'Caja CLAP', en: 'Food box' },
    rule: 'age >= 0',
    benefit: {
      kind: 'basket',
      items: [{ code: 'box', name: { es: 'Caja', en: 'Box' }, quantity: 1, unit: 'box' }],
    },
    coPayment: 0n,
    currency: 'VES',
    serviceAreas: regions.map((regionCode) => ({ regionCode })),
    retentionDays: 365,
    stagger: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  });
  t = process.hrtime.bigint();
  const cycle = await createCycle(app, caller, {
    programmeId: programme.id,
    label: month,
    opensOn: `${month}-01`,
    closesOn: lastDay,
  });
  await freezeCycle(app, caller, cycle.id);
  await generateEntitlements(app, caller, cycle.id);
  await approveCycle(app, { actor: systemActor('bench-approver') }, cycle.id);
  console.log(`  cycle frozen, generated and approved in ${seconds(t).toFixed(1)} s`);
  const point = await createPoint(app, caller, {
    code: 'BENCH-DEPOT',
    name: 'Depósito de prueba',
    kind: 'food_depot',
    regionCode: 'VE-A',
    programmeIds: [programme.id],
  });
  const staffId = await db.transaction(async (trx) => {
    const made = await insertStaff(trx, app, caller, {
      username: 'bench_operator',
      displayName: 'Operador',
    });
    await insertGrant(trx, app, caller, made.account.id, 'operator', '*');
    return made.account.id;
  });
  await setPointOperator(app, caller, point.id, staffId, true);
  const { enrolmentCode } = await registerDevice(app, caller, {
    pointId: point.id,
    name: 'Bench device',
    offlineDailyCap: 300,
  });
  const operator = {
    actor: {
      kind: 'staff' as const,
      id: staffId,
      staffId,
      grants: resolveGrants(permissionMatrix, [{ role: 'operator', regions: '*' }]),
    },
  };
  const { token } = await enrolDevice(app, operator, {
    code: enrolmentCode.replace(/-/g, ''),
    publicKey: 'C4Dp8o2MjQHWtCYnb8pbVHh7yj9zJRH9VoK4Lw-V3oE',
  });
  const rows = await db.kysely
    .selectFrom('entitlements as e')
    .innerJoin('persons as p', 'p.id', 'e.person_id')
    .select(['e.person_id', 'p.registry_number', 'p.birth_date'])
    .where('e.cycle_id', '=', cycle.id)
    .where('p.birth_date_precision', '=', 'day')
    .limit(600_000)
    .execute();
  const holders: Holder[] = rows.map((r) => ({
    entitlementId: entitlementId(cycle.id, r.person_id),
    registryNumber: r.registry_number,
    birthDate: r.birth_date,
  }));
  return { token, holders, cycleId: cycle.id };
}

async function load(base: string, token: string, holders: Holder[], serverPid: number) {
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const bareCpuFrom = processCpuMs(serverPid);
  const bare = await runAutocannon({
    url: `${base}/api/v1/device`,
    connections,
    duration: Math.max(5, Math.round(durationSeconds / 2)),
    headers: auth,
  });
  const bareRate = bare.requests.average;
  const bareCpuMs = processCpuMs(serverPid) - bareCpuFrom;
  console.log(
    `  bare authenticated route: ${Math.round(bareRate).toLocaleString('en')} requests/s, p50 ${bare.latency.p50} ms, p99 ${bare.latency.p99} ms`,
  );

  let next = 0;
  let keys = 0;
  const delivered: Holder[] = [];
  // autocannon gives each pass over the request list a fresh context: what a retry repeats is
  // kept here, the last new redemption answered.
  let lastNew: { key: string; body: string } | null = null;
  const counts = { delivered: 0, refusedRepeat: 0, replayed: 0, lookups: 0, errors: 0 };
  const errorSamples: string[] = [];
  const headers = { ...auth, 'x-purpose': 'service_delivery' };
  type Ctx = { holder?: Holder; kind?: 'new' | 'repeat' | 'retry'; key?: string; body?: string };
  const started = process.hrtime.bigint();
  const cpuFrom = processCpuMs(serverPid);
  const loadCpuFrom = process.cpuUsage();
  const result = await runAutocannon({
    url: base,
    connections,
    duration: durationSeconds,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/pos/identify',
        headers,
        setupRequest: (req, context: Ctx) => {
          const holder = holders[next++ % holders.length]!;
          context.holder = holder;
          return {
            ...req,
            body: JSON.stringify({
              registryNumber: holder.registryNumber,
              birthDate: holder.birthDate,
            }),
          };
        },
        onResponse: (status, body) => {
          if (status === 200) counts.lookups++;
          else {
            counts.errors++;
            if (errorSamples.length < 5)
              errorSamples.push(`identify ${status} ${body.slice(0, 160)}`);
          }
        },
      },
      {
        method: 'POST',
        path: '/api/v1/redemptions',
        setupRequest: (req, context: Ctx) => {
          keys++;
          let holder = context.holder!;
          let kind: Ctx['kind'] = 'new';
          if (keys % 50 === 0 && lastNew) {
            context.kind = 'retry';
            return {
              ...req,
              headers: { ...headers, 'idempotency-key': lastNew.key },
              body: lastNew.body,
            };
          }
          if (keys % 20 === 0 && delivered.length > 0) {
            holder = delivered[keys % delivered.length]!;
            kind = 'repeat';
          }
          const key = `bench-${process.pid}-${keys}`;
          const body = JSON.stringify({
            entitlementId: holder.entitlementId,
            quantity: 1,
            proof: {
              kind: 'document',
              registryNumber: holder.registryNumber,
              birthDate: holder.birthDate,
              documentType: 'national_id',
              documentNumber: `V-${holder.registryNumber.slice(-8)}`,
              reason: 'Cédula vista en el mostrador',
            },
          });
          context.holder = holder;
          context.kind = kind;
          if (kind === 'new') {
            context.key = key;
            context.body = body;
          }
          return { ...req, headers: { ...headers, 'idempotency-key': key }, body };
        },
        onResponse: (status, body, context: Ctx) => {
          if (status === 201 && body.includes('"receiptCode"') && context.kind === 'new') {
            counts.delivered++;
            delivered.push(context.holder!);
            if (context.key && context.body) lastNew = { key: context.key, body: context.body };
          } else if (status === 201 && context.kind === 'retry') counts.replayed++;
          else if (status === 409 && body.includes('INVALID_STATE') && context.kind === 'repeat')
            counts.refusedRepeat++;
          else {
            counts.errors++;
            if (errorSamples.length < 5)
              errorSamples.push(`redeem ${status} ${body.slice(0, 160)}`);
          }
        },
      },
    ],
  });
  const elapsed = seconds(started);
  const cpuMs = processCpuMs(serverPid) - cpuFrom;
  const load = process.cpuUsage(loadCpuFrom);
  const loadCpuMs = (load.user + load.system) / 1000;
  return { bare, bareRate, bareCpuMs, result, counts, cpuMs, loadCpuMs, elapsed, errorSamples };
}

async function doubles(db: Database, cycleId: string) {
  const { rows } = await sql<{ n: number | string; r: number | string }>`select
      (select count(*) from (select r.cycle_id, r.person_id, sum(r.quantity) as s
         from redemptions r where r.cycle_id = ${cycleId} group by r.cycle_id, r.person_id) x
       join entitlements e on e.cycle_id = x.cycle_id and e.person_id = x.person_id
       where x.s > e.quantity or x.s <> e.redeemed_quantity) as n,
      (select count(*) from redemptions where cycle_id = ${cycleId}) as r`.execute(db.kysely);
  return { doubleDeliveries: Number(rows[0]!.n), redemptions: Number(rows[0]!.r) };
}

async function measure(engine: 'sqlite' | 'postgres', count: number, url: string) {
  let dataKey = randomBytes(32);
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-redeem-data-'));
  let token: string, holders: Holder[], cycleId: string;
  const kept = reuseDir && engine === 'sqlite' ? join(reuseDir, 'meta.json') : undefined;
  if (kept && existsSync(kept)) {
    const meta = JSON.parse(readFileSync(kept, 'utf8')) as {
      people: number;
      dataKey: string;
      token: string;
      cycleId: string;
      holders: Holder[];
    };
    copyFileSync(join(reuseDir!, 'redeem.db'), url);
    ({ token, holders, cycleId } = meta);
    dataKey = Buffer.from(meta.dataKey, 'base64');
    count = meta.people;
    console.log(
      `  reusing the database kept in ${reuseDir} (${count.toLocaleString('en')} people)`,
    );
  } else {
    const db = await openDatabase({ url });
    ({ token, holders, cycleId } = await prepare(db, count, dataKey));
    if (engine === 'sqlite') await sql`pragma wal_checkpoint(truncate)`.execute(db.kysely);
    await db.close();
    if (keepDir && engine === 'sqlite') {
      mkdirSync(keepDir, { recursive: true });
      copyFileSync(url, join(keepDir, 'redeem.db'));
      writeFileSync(
        join(keepDir, 'meta.json'),
        JSON.stringify({
          people: count,
          dataKey: dataKey.toString('base64'),
          token,
          cycleId,
          holders,
        }),
      );
      console.log(`  kept a pristine copy in ${keepDir}`);
    }
  }
  console.log(`  ${holders.length.toLocaleString('en')} holders to serve; starting the server`);
  const { base, child } = await startBenchServer({
    databaseUrl: url,
    dataKey,
    dataDir,
    profileDir,
    workers: workersFor(engine),
  });
  let out;
  try {
    out = await load(base, token, holders, child.pid!);
  } finally {
    await stopBenchServer(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const check = await openDatabase({ url });
  const stored = await doubles(check, cycleId);
  await check.close();
  const rate = out.counts.delivered / out.elapsed;
  const redemptionRequests = out.counts.delivered + out.counts.refusedRepeat + out.counts.replayed;
  const figures = {
    people: count,
    connections,
    workers: workersFor(engine),
    seconds: round(out.elapsed, 1),
    redemptionsPerSecond: Math.round(rate),
    requestsPerSecond: Math.round(out.result.requests.average),
    latencyP50Ms: out.result.latency.p50,
    latencyP99Ms: out.result.latency.p99,
    errors:
      out.counts.errors +
      out.result.errors +
      out.result.timeouts +
      out.result.non2xx -
      out.counts.refusedRepeat,
    refusedRepeats: out.counts.refusedRepeat,
    replayedRetries: out.counts.replayed,
    lookups: out.counts.lookups,
    doubleDeliveries: stored.doubleDeliveries,
    storedRedemptions: stored.redemptions,
    // Requests still in flight when the load stopped may have committed unacknowledged.
    everyAcknowledgedStored: stored.redemptions >= out.counts.delivered,
    committedUnacknowledgedAtStop: stored.redemptions - out.counts.delivered,
    bareRequestsPerSecond: Math.round(out.bareRate),
    ratioToBare: round(out.result.requests.average / out.bareRate),
    ratioToTarget: round(rate / target),
    // The server's own CPU per delivered redemption (its lookup, the repeats and retries
    // included) and per bare request: what one core can carry, whatever else is running.
    serverCpuMsPerRedemption: round(out.cpuMs / Math.max(1, out.counts.delivered), 3),
    serverCpuMsPerBareRequest: round(out.bareCpuMs / Math.max(1, out.bare.requests.total), 3),
    // The load generator (this process: autocannon and the bodies it builds) shares the two
    // cores: with the server's figure it says what the machine could carry at best.
    loadCpuMsPerRedemption: round(out.loadCpuMs / Math.max(1, out.counts.delivered), 3),
    cores: availableParallelism(),
  };
  const ceiling = Math.round(
    (1000 * figures.cores) /
      Math.max(0.001, figures.serverCpuMsPerRedemption + figures.loadCpuMsPerRedemption),
  );
  console.log(
    `  mixed load: ${figures.redemptionsPerSecond.toLocaleString('en')} redemptions/s (target ≥ ${target}, ratio ${figures.ratioToTarget}), ` +
      `${figures.requestsPerSecond.toLocaleString('en')} requests/s (ratio to bare ${figures.ratioToBare}), p50 ${figures.latencyP50Ms} ms, p99 ${figures.latencyP99Ms} ms`,
  );
  console.log(
    `  ${redemptionRequests.toLocaleString('en')} redemption requests: ${out.counts.delivered} delivered, ${out.counts.refusedRepeat} repeats refused, ${out.counts.replayed} retries replayed; errors ${figures.errors}; ` +
      `stored ${stored.redemptions} (${figures.everyAcknowledgedStored ? `every acknowledged one, and ${figures.committedUnacknowledgedAtStop} in flight at the stop` : 'FEWER than acknowledged'}); double deliveries ${stored.doubleDeliveries}`,
  );
  console.log(
    `  server CPU: ${figures.serverCpuMsPerRedemption} ms per delivered redemption (with its lookup), ${figures.serverCpuMsPerBareRequest} ms per bare request; ` +
      `load generator ${figures.loadCpuMsPerRedemption} ms per redemption: ${figures.cores} cores carry at most ~${ceiling.toLocaleString('en')} redemptions/s at these costs`,
  );
  for (const s of out.errorSamples) console.log(`    e.g. ${s}`);
  return figures;
}

const figures: Record<string, unknown> = {};
if (people > 0) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-redeem-'));
  console.log(`sqlite, ${people.toLocaleString('en')} people`);
  try {
    figures.sqlite = await measure('sqlite', people, join(dir, 'redeem.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (pgPeople > 0) {
  console.log(`postgres, ${pgPeople.toLocaleString('en')} people`);
  const own = process.env.TESSERA_BENCH_DATABASE_URL ? null : await startLocalPostgres();
  const admin = process.env.TESSERA_BENCH_DATABASE_URL ?? own!.url;
  const name = `bench_redeem_${process.pid}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  try {
    figures.postgres = await measure(
      'postgres',
      pgPeople,
      admin.replace(/\/[^/?]*(\?|$)/, `/${name}$1`),
    );
  } finally {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
    await own?.stop();
  }
}
console.log(JSON.stringify({ bench: 'redeem', target, ...figures }));
