// bench/national: the national rehearsal (issue 15), end to end, resumable. On SQLite (or on
// the loopback Patroni cluster with --cluster) it runs, each stage through the real domain
// operations already benched one by one:
//   1. generate N people in households as a CSV file (the demo generator);
//   2. import it with duplicate screening of every row (`importPersons` + `registerDedup`);
//   3. the registry-wide duplicate batch (`runDedupBatch`, resumable);
//   4. issue cards to 0.6 N people by bulk jobs (`runCardJob`, resumable);
//   5. a monthly cycle of the rule `age >= 15` (about 0.9 N entitlements), staggered over five
//      days by the registry number's last digit, two days of which have not opened yet:
//      freeze, generation, approval by a second person;
//   6. 0.1 N redemptions over HTTP against `tessera serve` as its own process, from 64
//      counters at once (plus two payment clients moving money in the ledger), each retrying
//      one operation with the same Idempotency-Key until answered; one try in a hundred asks for
//      an entitlement whose window has not opened (it must be refused). --faults K times, at
//      random moments, the server is killed with SIGKILL and restarted (on the cluster every
//      other fault kills the primary's postmaster instead);
//   7. the invariants: no entitlement delivered twice or early, every acknowledged redemption
//      and transfer stored, the ledger summing to zero, `tessera audit seal` + `verify`
//      passing, the registry statistics agreeing with a recount.
// Each stage prints its rate, p99 where it has requests, peak RSS (this process, and the
// server's VmHWM), the database's size on disk and its duration; each fault the time it cost
// (kill to the first acknowledged write sent after it) and the requests it failed. A stage
// records its result in DIR/state.json when it completes: rerun with the same DIR and the
// completed stages are skipped; an interrupted one resumes where its machinery allows (the
// import skips rows already registered, the dedup run and card jobs resume, the redemptions
// skip the ones acknowledged in DIR/acknowledged.ndjson) or restarts. Writes DIR/report.md
// with PNG charts. The last stdout line is one JSON object with the figures.
// Usage: npx tsx bench/national.ts --dir DIR [--people N] [--cards N] [--redemptions N]
//        [--faults K] [--connections C] [--cluster] [--keep-db]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Resvg } from '@resvg/resvg-js';
import { sql } from 'kysely';
import { missingClusterPrograms, startCluster, type Cluster } from '../scripts/cluster/cluster';
import { appContext, wireDomains } from '../src/app';
import { insertGrant, insertStaff } from '../src/auth';
import { progressBar } from '../src/cli/progress';
import { configureCredentials, createPeopleCardJob, runCardJob } from '../src/credentials/index';
import { migrateToLatest, openDatabase, type Database } from '../src/db';
import { registerDedup } from '../src/dedup';
import { createPoint, enrolDevice, registerDevice, setPointOperator } from '../src/distribution';
import { migrations, permissionMatrix } from '../src/modules';
import {
  approveCycle,
  createCycle,
  createProgramme,
  entitlementId,
  freezeCycle,
  generateEntitlements,
} from '../src/programs';
import { demoCsvHeader, demoCsvLine, generateDemoPeople, importPersons } from '../src/registry';
import { resolveGrants, systemActor } from '../src/shared/access';
import type { AppContext } from '../src/shared/context';
import { defaultRegions } from '../src/shared/regions';
import { createTestApiToken } from '../test/support/api-token';
import { ensureServerBuild } from '../scripts/build-server';
import { tesseraProgram } from '../test/support/program';
import { startServerProcess, type ServerProcess } from '../test/support/server-process';
import {
  checkInvariants,
  invariantBreaks,
  loadState,
  runStage,
  saveState,
  type StageResult,
} from './national-checks';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    people: { type: 'string', default: '10000000' },
    cards: { type: 'string' },
    redemptions: { type: 'string' },
    faults: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    cluster: { type: 'boolean', default: false },
    'keep-db': { type: 'boolean', default: false },
  },
});
if (!values.dir) {
  console.error('bench/national: --dir DIR is required (the run resumes from DIR/state.json)');
  process.exit(2);
}
const whole = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`bench/national: --${name} must be a whole number, not ${text}`);
    process.exit(2);
  }
  return n;
};
const people = whole('people', values.people);
const cardsWanted = whole('cards', values.cards ?? String(Math.round(people * 0.6)));
const redemptionsWanted = whole(
  'redemptions',
  values.redemptions ?? String(Math.round(people * 0.1)),
);
const faults = whole('faults', values.faults);
const connections = Math.max(1, whole('connections', values.connections));
const onCluster = values.cluster;
const dir = resolve(values.dir);
mkdirSync(dir, { recursive: true });
const stateFile = join(dir, 'state.json');
const root = new URL('..', import.meta.url).pathname;

const state = loadState(
  stateFile,
  {
    people,
    cards: cardsWanted,
    redemptions: redemptionsWanted,
    faults,
    cluster: onCluster,
  },
  () => ({
    dataKey: randomBytes(32).toString('base64'),
    kek: randomBytes(32).toString('base64'),
  }),
);
saveState(stateFile, state);
const caller = {
  actor: systemActor('national'),
  origin: 'bench',
  purpose: 'card_issuance' as const,
};
const approver = { actor: systemActor('national-approver') };
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const today = new Date().toISOString().slice(0, 10);
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const log = (line: string) => process.stderr.write(`${line}\n`);
const startedAt = Date.now();

// ---- The database: a SQLite file in DIR, or the cluster's write address.
let cluster: Cluster | null = null;
if (onCluster) {
  const missing = missingClusterPrograms();
  if (missing.length > 0) {
    console.error(
      `bench/national --cluster needs ${missing.join(', ')}: apt-get install patroni etcd-server haproxy postgresql-15`,
    );
    process.exit(1);
  }
  cluster = await startCluster({
    dir: join(dir, 'cluster'),
    log: (line) => log(`  cluster: ${line}`),
    stopOnExit: true,
  });
}
const databaseUrl = cluster ? cluster.writeUrl : join(dir, 'national.db');
const db: Database = await openDatabase({ url: databaseUrl });
await migrateToLatest(db, migrations);
// The server and every `tessera` command of the run start from the build of the sources (half
// the start-up of tsx): that is what a server killed by a fault costs before it serves again.
process.env.TESSERA_TEST_PROGRAM = await ensureServerBuild();
const dataKey = Buffer.from(state.secrets.dataKey!, 'base64');
const app: AppContext = appContext(db, {
  regions: defaultRegions,
  dataKey,
  statsCellMin: 10,
});
wireDomains(app);
registerDedup(app);
configureCredentials(app, { keyEncryptionKey: Buffer.from(state.secrets.kek!, 'base64') });
const dataDir = join(dir, 'data');
mkdirSync(dataDir, { recursive: true });
const serverEnv = {
  TESSERA_DATA_DIR: dataDir,
  TESSERA_DATA_KEY: state.secrets.dataKey!,
  TESSERA_KEK: state.secrets.kek!,
  TESSERA_RATE_LIMIT_PER_MINUTE: '100000000',
  TESSERA_READ_LIMIT_PER_HOUR: '0',
};

/** The process whose peak RSS a stage reads besides ours: the server, or a `tessera` command. */
let serverPid: () => number | null = () => null;

/** Runs `tessera ARGS` on the run's database and keys; its progress goes to stderr when shown. */
function tessera(
  args: string[],
  showProgress = false,
): Promise<{ code: number | null; output: string; seconds: number }> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...tesseraProgram(), ...args], {
      cwd: root,
      env: { ...process.env, TESSERA_DATABASE_URL: databaseUrl, ...serverEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serverPid = () => child.pid ?? null;
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-65536)));
    child.stderr.on('data', (c: Buffer) => {
      if (showProgress) process.stderr.write(c);
      output = (output + c.toString()).slice(-65536);
    });
    child.on('exit', (code) => {
      serverPid = () => null;
      done({ code, output, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

async function databaseBytes(): Promise<number> {
  if (db.engine === 'postgres') {
    const { rows } = await sql<{
      n: string;
    }>`select pg_database_size(current_database()) as n`.execute(db.kysely);
    return Number(rows[0]!.n);
  }
  return ['', '-wal', '-shm']
    .map((s) => databaseUrl + s)
    .filter((f) => existsSync(f))
    .reduce((n, f) => n + statSync(f).size, 0);
}

/** The peak resident set of a process (VmHWM), or 0 when it cannot be read. */
function peakRssOf(pid: number | null): number {
  if (!pid) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Times a stage and samples this process's RSS and the server's peak while it runs. */
async function measured(
  name: string,
  work: () => Promise<Record<string, unknown> & { count: number; unit: string }>,
): Promise<StageResult> {
  log(`stage ${name}: starting`);
  let peak = process.memoryUsage().rss;
  let serverPeak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    serverPeak = Math.max(serverPeak, peakRssOf(serverPid()));
  }, 250);
  const t = performance.now();
  try {
    const figures = await work();
    const seconds = (performance.now() - t) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    const result: StageResult = {
      seconds: round(seconds),
      ...figures,
      rate: Math.round(figures.count / Math.max(seconds, 0.001)),
      peakRssMb: mb(peak),
      serverPeakRssMb: serverPeak > 0 ? mb(serverPeak) : null,
      databaseMb: mb(await databaseBytes()),
      load: round(loadavg()[0]!, 2),
    };
    log(
      `stage ${name}: ${figures.count.toLocaleString('en')} ${figures.unit} in ${result.seconds} s = ` +
        `${Number(result.rate).toLocaleString('en')}/s` +
        (result.p99Ms !== undefined ? `, p99 ${String(result.p99Ms)} ms` : '') +
        `; peak RSS ${result.peakRssMb} MB` +
        (result.serverPeakRssMb ? `, server ${result.serverPeakRssMb} MB` : '') +
        `; database ${result.databaseMb} MB; load ${result.load}`,
    );
    return result;
  } finally {
    clearInterval(timer);
  }
}

const percentile = (xs: number[], q: number) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.floor(q * s.length))]!, 1);
};
const p99 = (xs: number[]) => percentile(xs, 0.99);

// ---- 1. Generation.
const csvPath = join(dir, 'people.csv');
await runStage(stateFile, state, 'generate', () =>
  measured('generate', async () => {
    const out = createWriteStream(csvPath);
    out.write(demoCsvHeader + '\n');
    const bar = progressBar('generate', people);
    let persons = 0;
    let households = 0;
    for (const family of generateDemoPeople(people, 15)) {
      households++;
      persons += family.length;
      if (!out.write(family.map(demoCsvLine).join('\n') + '\n')) await once(out, 'drain');
      if (households % 1000 === 0) bar.update(persons);
    }
    bar.update(persons);
    bar.stop();
    out.end();
    await once(out, 'finish');
    return {
      count: persons,
      unit: 'persons',
      households,
      csvMb: mb(statSync(csvPath).size),
    };
  }),
);

// ---- 2. Import with duplicate screening of every row.
await runStage(stateFile, state, 'import', () =>
  measured('import', async () => {
    const bar = progressBar('import', people);
    const report = await importPersons(
      app,
      caller,
      { path: csvPath },
      { format: 'csv', sourceName: 'national', onProgress: (done) => bar.update(done) },
    );
    bar.stop();
    const { n } = await db.kysely
      .selectFrom('persons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return {
      // Rows written in this session (a resumed import skips those written before).
      count: report.accepted,
      unit: 'persons imported with screening',
      accepted: report.accepted,
      skippedAlreadyRegistered: report.skipped,
      rejected: report.rejected,
      personsStored: Number(n),
      rejectSamples: report.rejects.slice(0, 3),
    };
  }),
);

// ---- 3. The duplicate batch: `tessera dedup run`, as an operator runs it (it resumes an
// unfinished run by itself); its peak RSS is read as the child's.
await runStage(stateFile, state, 'dedup', () =>
  measured('dedup', async () => {
    const summaryFile = join(dir, 'dedup-summary.json');
    rmSync(summaryFile, { force: true });
    const { code, output } = await tessera(['dedup', 'run', '--summary', summaryFile], true);
    if (code !== 0)
      throw new Error(`tessera dedup run exited with ${code}: ${output.slice(-2000)}`);
    const report = JSON.parse(readFileSync(summaryFile, 'utf8')) as {
      resumed: boolean;
      recordsDone: number;
      comparedCount: number;
      pairsFound: number;
      pairsNew: number;
      samePerson: number;
      possibleDuplicate: number;
      blocksSplit: number;
      keyRowsLeftOut: number;
    };
    return {
      count: report.recordsDone,
      unit: 'records scanned',
      resumed: report.resumed,
      compared: report.comparedCount,
      pairsFound: report.pairsFound,
      // Of the pairs found, those not already in the queue (the import's screening flags most).
      pairsNew: report.pairsNew,
      samePerson: report.samePerson,
      possibleDuplicate: report.possibleDuplicate,
      blocksSplit: report.blocksSplit,
      keyRowsLeftOut: report.keyRowsLeftOut,
    };
  }),
);

// ---- 4. Cards, by bulk jobs of at most two million people each.
await runStage(stateFile, state, 'cards', () =>
  measured('cards', async () => {
    const progress = (state.progress.cards ??= {}) as { jobIds?: string[] };
    if (!progress.jobIds) {
      const ids = await db.kysely
        .selectFrom('persons')
        .select('id')
        .where('status', '=', 'active')
        .orderBy('id')
        .limit(cardsWanted)
        .execute();
      progress.jobIds = [];
      for (let at = 0; at < ids.length; at += 2_000_000) {
        const slice = ids.slice(at, at + 2_000_000).map((r) => r.id);
        progress.jobIds.push((await createPeopleCardJob(app, caller, slice)).id);
        saveState(stateFile, state);
      }
    }
    const bar = progressBar('cards', cardsWanted);
    const batchMs: number[] = [];
    let issued = 0;
    let before = 0;
    const skipped: Record<string, number> = {};
    for (const jobId of progress.jobIds) {
      let last = performance.now();
      const done = await runCardJob(app, caller, jobId, {
        onBatch: (job) => {
          const t = performance.now();
          batchMs.push(t - last);
          last = t;
          bar.update(before + job.done);
        },
      });
      before += done.total;
      issued += done.issued;
      for (const [k, v] of Object.entries(done.skipped)) skipped[k] = (skipped[k] ?? 0) + v;
    }
    bar.stop();
    return {
      count: issued,
      unit: 'cards issued',
      jobs: progress.jobIds.length,
      skipped,
      batchP99Ms: p99(batchMs),
    };
  }),
);

// ---- 5. The cycle.
const cycleStage = await runStage(stateFile, state, 'cycle', () =>
  measured('cycle', async () => {
    const regions = Object.keys(defaultRegions);
    const programme = await createProgramme(app, caller, {
      // An interrupted attempt left its programme: a new one, and that one is ignored.
      code: `national_food_box_${Date.now().toString(36)}`,
      kind: 'basket',
      target: 'person',
      schedule: 'monthly',
      name: { es: 'Caja de alimentos', en: 'Food box' },
      rule: 'age >= 15',
      benefit: {
        kind: 'basket',
        items: [{ code: 'box', name: { es: 'Caja', en: 'Box' }, quantity: 1, unit: 'box' }],
      },
      coPayment: 0n,
      currency: 'VES',
      serviceAreas: regions.map((regionCode) => ({ regionCode })),
      retentionDays: 365,
      // Five collection days by the registry number's last digit; the cycle opened two days
      // ago, so days 0 to 2 are open today and days 3 and 4 are not yet.
      stagger: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
    });
    const cycle = await createCycle(app, caller, {
      programmeId: programme.id,
      label: `national-${today}`,
      opensOn: addDays(today, -2),
      closesOn: addDays(today, 27),
    });
    let t = performance.now();
    const frozen = await freezeCycle(app, caller, cycle.id);
    const freezeSeconds = (performance.now() - t) / 1000;
    const bar = progressBar('entitlements', frozen.eligibleCount ?? 0);
    t = performance.now();
    const generated = await generateEntitlements(app, caller, cycle.id, {
      onProgress: ({ done }) => bar.update(done),
    });
    bar.stop();
    const generateSeconds = (performance.now() - t) / 1000;
    await approveCycle(app, approver, cycle.id);
    const entitlements = generated.entitlementCount ?? 0;
    return {
      count: entitlements,
      unit: 'entitlements',
      programmeId: programme.id,
      cycleId: cycle.id,
      eligible: frozen.eligibleCount ?? 0,
      shareOfRegistry: round(entitlements / Math.max(people, 1), 3),
      freezeSeconds: round(freezeSeconds),
      generateSeconds: round(generateSeconds),
      generatePerSecond: Math.round(entitlements / Math.max(generateSeconds, 0.001)),
    };
  }),
);
const cycleId = cycleStage.result.cycleId as string;
const programmeId = cycleStage.result.programmeId as string;

// ---- 6. Redemptions over HTTP, with the server killed at random moments.
interface Fault {
  kind: 'server' | 'primary';
  atSecond: number;
  /** From the kill to the first acknowledged write that was sent after it. */
  costSeconds: number;
  /** Of which the server's restart, until /healthz answered (server faults). */
  restartSeconds: number | null;
  requestsFailed: number;
}
const ackFile = join(dir, 'acknowledged.ndjson');
const readAcks = () => {
  const persons = new Set<string>();
  const transfers: string[] = [];
  if (existsSync(ackFile)) {
    for (const line of readFileSync(ackFile, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const a = JSON.parse(line) as { r?: string; x?: string };
        if (a.r) persons.add(a.r);
        if (a.x) transfers.push(a.x);
      } catch {
        // A line cut short by a crash: its acknowledgement is not counted.
      }
    }
  }
  return { persons, transfers };
};

async function setUpCounter(): Promise<{ deviceToken: string; ledgerToken: string }> {
  const progress = (state.progress.redeem ??= {}) as {
    deviceToken?: string;
    ledgerToken?: string;
  };
  if (progress.deviceToken && progress.ledgerToken)
    return { deviceToken: progress.deviceToken, ledgerToken: progress.ledgerToken };
  const point = await createPoint(app, caller, {
    code: `NATIONAL-${Date.now().toString(36).toUpperCase()}`,
    name: 'Depósito nacional de ensayo',
    kind: 'food_depot',
    regionCode: 'VE-A',
    programmeIds: [programmeId],
  });
  const staffId = await db.transaction(async (trx) => {
    const made = await insertStaff(trx, app, caller, {
      username: `national_operator_${Date.now().toString(36)}`,
      displayName: 'Operadora',
    });
    await insertGrant(trx, app, caller, made.account.id, 'operator', '*');
    return made.account.id;
  });
  await setPointOperator(app, caller, point.id, staffId, true);
  const { enrolmentCode } = await registerDevice(app, caller, {
    pointId: point.id,
    name: 'Mostrador de ensayo',
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
  const { token: ledgerToken } = await createTestApiToken(db, {
    grants: [{ role: 'programme_admin', regions: '*' }],
    permissions: ['ledger:write', 'ledger:read'],
  });
  progress.deviceToken = token;
  progress.ledgerToken = ledgerToken;
  saveState(stateFile, state);
  return { deviceToken: token, ledgerToken };
}

interface Holder {
  personId: string;
  registryNumber: string;
  birthDate: string;
}
async function holdersOf(open: boolean, limit: number): Promise<Holder[]> {
  const rows = await db.kysely
    .selectFrom('entitlements as e')
    .innerJoin('persons as p', 'p.id', 'e.person_id')
    .select(['e.person_id', 'p.registry_number', 'p.birth_date'])
    .where('e.cycle_id', '=', cycleId)
    .where('e.status', '=', 'issued')
    .where('p.birth_date_precision', '=', 'day')
    .where('e.opens_on', open ? '<=' : '>', today)
    .orderBy('e.person_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    personId: r.person_id,
    registryNumber: r.registry_number,
    birthDate: r.birth_date,
  }));
}

let timeline: number[] = [];
let faultLog: Fault[] = [];
await runStage(stateFile, state, 'redeem', () =>
  measured('redeem', async () => {
    const { deviceToken, ledgerToken } = await setUpCounter();
    const earlier = readAcks();
    const open = await holdersOf(true, redemptionsWanted);
    if (open.length < redemptionsWanted)
      throw new Error(
        `only ${open.length} open entitlements of day-precision holders for ${redemptionsWanted} redemptions: lower --redemptions`,
      );
    const todo = open.filter((h) => !earlier.persons.has(h.personId));
    const early = await holdersOf(false, Math.max(100, Math.ceil(redemptionsWanted / 100)));
    log(
      `  ${todo.length.toLocaleString('en')} redemptions to make (${earlier.persons.size.toLocaleString('en')} acknowledged before), ${connections} counters, ${faults} faults`,
    );
    const acks = createWriteStream(ackFile, { flags: 'a' });
    const server: ServerProcess = await startServerProcess({
      databaseUrl,
      env: serverEnv,
      startTimeoutMs: 300_000,
    });
    serverPid = () => server.pid();
    const base = () => server.baseUrl();
    const run = `n${Date.now().toString(36)}`;
    const equity = `${run}-equity`;
    const wallets = Array.from({ length: 4 }, (_, i) => `${run}-wallet-${i}`);
    const post = async (path: string, token: string, body: unknown, extra = {}) => {
      const r = await fetch(`${base()}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      return { status: r.status, body: await r.text() };
    };
    const opened = await post('/api/v1/ledger/accounts', ledgerToken, {
      accounts: [
        { id: equity, ledger: 'VES', code: 'operator_equity' },
        ...wallets.map((id) => ({
          id,
          ledger: 'VES',
          code: 'wallet',
          flags: { debitsMustNotExceedCredits: true },
        })),
      ],
    });
    if (opened.status !== 200) throw new Error(`opening ledger accounts: ${opened.body}`);

    const stageStart = Date.now();
    const ackTimes: number[] = [];
    const latencies: number[] = [];
    let failed = 0;
    let sent = 0;
    let lastAckSentAt = 0;
    let acknowledged = 0;
    let transfersAcknowledged = 0;
    let earlyRefused = 0;
    let earlyAccepted = 0;
    let abandoned = 0;
    const unexpected: string[] = [];
    const failedBy: Record<string, number> = {};
    let stopping = false;

    // One operation, retried with the same key until a definite answer (five minutes at most).
    const untilDefinite = async (
      send: () => Promise<{ status: number; body: string }>,
      accept: (status: number, body: string) => boolean,
      refuse: (status: number, body: string) => boolean = () => false,
    ): Promise<'accepted' | 'refused' | 'failed'> => {
      const giveUpAt = Date.now() + 300_000;
      while (Date.now() < giveUpAt) {
        sent++;
        const sentAt = Date.now();
        const t = performance.now();
        const r = await send().catch(() => null);
        if (r && accept(r.status, r.body)) {
          latencies.push(performance.now() - t);
          lastAckSentAt = Math.max(lastAckSentAt, sentAt);
          return 'accepted';
        }
        if (r && refuse(r.status, r.body)) {
          latencies.push(performance.now() - t);
          return 'refused';
        }
        const retryable = !r || r.status >= 500 || (r.status === 409 && /IN_PROGRESS/.test(r.body));
        if (!retryable) {
          if (unexpected.length < 20) unexpected.push(`${r.status} ${r.body.slice(0, 200)}`);
          return 'failed';
        }
        failed++;
        const answer = r ? String(r.status) : 'no reply';
        failedBy[answer] = (failedBy[answer] ?? 0) + 1;
        await sleep(50 + Math.random() * 100);
      }
      abandoned++;
      return 'failed';
    };
    const redeemBody = (h: Holder) => ({
      entitlementId: entitlementId(cycleId, h.personId),
      quantity: 1,
      proof: {
        kind: 'document',
        registryNumber: h.registryNumber,
        birthDate: h.birthDate,
        documentType: 'national_id',
        documentNumber: `V-${h.registryNumber.replace(/\D/g, '').slice(-8)}`,
        reason: 'Cédula vista en el mostrador',
      },
    });
    const redeem = (h: Holder, key: string) =>
      post('/api/v1/redemptions', deviceToken, redeemBody(h), {
        'x-purpose': 'service_delivery',
        'idempotency-key': key,
      });
    const bar = progressBar('redeem', todo.length);
    let next = 0;
    let tries = 0;
    const counter = async () => {
      while (!stopping && next < todo.length) {
        const h = todo[next++]!;
        if (++tries % 100 === 0 && early.length > 0) {
          // Someone whose day has not come: the counter must refuse.
          const e = early[tries % early.length]!;
          const outcome = await untilDefinite(
            () => redeem(e, `${run}-early-${tries}`),
            (status) => status === 201,
            (status) => status === 409 || status === 422,
          );
          if (outcome === 'accepted') earlyAccepted++;
          if (outcome === 'refused') earlyRefused++;
        }
        // The key is the entitlement's: a retry after a kill, even in a resumed run, replays.
        const outcome = await untilDefinite(
          () => redeem(h, `national-${h.personId}`),
          (status, body) => status === 201 && body.includes('receiptCode'),
        );
        if (outcome === 'accepted') {
          acknowledged++;
          ackTimes.push(Date.now() - stageStart);
          acks.write(`{"r":"${h.personId}"}\n`);
          if (acknowledged % 200 === 0) bar.update(acknowledged);
        }
      }
    };
    const payer = async (c: number) => {
      for (let n = 0; !stopping; n++) {
        const id = `${run}-t${c}-${n}`;
        const body = {
          transfers: [
            {
              id,
              debitAccountId: equity,
              creditAccountId: wallets[n % wallets.length],
              amount: String(100 + ((n * 37 + c) % 900)),
              ledger: 'VES',
              code: 'funding',
            },
          ],
        };
        const outcome = await untilDefinite(
          () => post('/api/v1/ledger/transfers', ledgerToken, body),
          (status, text) => {
            if (status !== 200) return false;
            const r = (JSON.parse(text) as { results: { result: string }[] }).results[0];
            return r?.result === 'created' || r?.result === 'exists';
          },
        );
        if (outcome === 'accepted') {
          transfersAcknowledged++;
          acks.write(`{"x":"${id}"}\n`);
        } else if (outcome === 'failed') break;
        await sleep(100);
      }
    };
    // The faults: at random points of the work, one at a time, each waited out.
    const points = Array.from({ length: faults }, () => 0.05 + Math.random() * 0.9)
      .sort((a, b) => a - b)
      .map((f) => Math.floor(f * todo.length));
    faultLog = [];
    const chaos = async () => {
      for (let i = 0; i < points.length; i++) {
        while (acknowledged < points[i]! && next < todo.length) await sleep(50);
        if (next >= todo.length) break;
        const killedAt = Date.now();
        const failedBefore = failed;
        let kind: Fault['kind'] = 'server';
        let restartSeconds: number | null = null;
        if (cluster && i % 2 === 1) {
          kind = 'primary';
          const leader = await cluster.leader();
          const pid = leader ? cluster.postmasterPid(leader) : null;
          if (!pid) throw new Error('the cluster has no leader postmaster to kill');
          process.kill(pid, 'SIGKILL');
        } else {
          await server.kill();
          const t = performance.now();
          await server.restart();
          restartSeconds = round((performance.now() - t) / 1000, 2);
        }
        // Bounded: until a write sent after the kill is acknowledged, five minutes at most.
        const deadline = killedAt + 300_000;
        while (lastAckSentAt <= killedAt && Date.now() < deadline) await sleep(20);
        const fault: Fault = {
          kind,
          atSecond: round((killedAt - stageStart) / 1000),
          costSeconds: round((Date.now() - killedAt) / 1000, 2),
          restartSeconds,
          requestsFailed: failed - failedBefore,
        };
        faultLog.push(fault);
        log(
          `  fault ${i + 1}: SIGKILL to the ${kind} at ${fault.atSecond} s; writes again after ${fault.costSeconds} s, ${fault.requestsFailed} requests failed (retried)`,
        );
        if (cluster) await cluster.waitHealthy(180_000).catch(() => {});
      }
    };
    let serverOutput = '';
    try {
      const payers = [payer(0), payer(1)];
      const chaosDone = chaos();
      await Promise.all(Array.from({ length: connections }, () => counter()));
      stopping = true;
      await Promise.all([...payers, chaosDone]);
    } finally {
      stopping = true;
      bar.update(acknowledged);
      bar.stop();
      serverOutput = server.output();
      await server.stop();
      serverPid = () => null;
      acks.end();
      await once(acks, 'finish');
    }
    if (unexpected.length > 0) log(`  unexpected answers:\n    ${unexpected.join('\n    ')}`);
    const seconds = (Date.now() - stageStart) / 1000;
    timeline = Array.from({ length: Math.ceil(seconds) }, () => 0);
    for (const t of ackTimes) timeline[Math.min(timeline.length - 1, Math.floor(t / 1000))]!++;
    if (abandoned > 0 || unexpected.length > 0) log(serverOutput.slice(-3000));
    return {
      count: acknowledged,
      unit: 'redemptions acknowledged',
      connections,
      requestsSent: sent,
      requestsFailed: failed,
      failedBy,
      abandoned,
      unexpected: unexpected.length,
      unexpectedSamples: unexpected.slice(0, 3),
      earlyRefused,
      earlyAccepted,
      transfersAcknowledged,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: p99(latencies),
      // The pace with the server up: the time the faults cost taken out.
      ratePerSecondOutsideFaults: Math.round(
        acknowledged / Math.max(0.001, seconds - faultLog.reduce((n, f) => n + f.costSeconds, 0)),
      ),
      faults: faultLog,
      timeline,
    };
  }),
);

// ---- 7. The invariants.
const verifyStage = await runStage(stateFile, state, 'verify', () =>
  measured('verify', async () => {
    const acks = readAcks();
    const t = performance.now();
    const invariants = await checkInvariants(app, caller, {
      cycleId,
      acknowledgedPersons: acks.persons,
      acknowledgedTransfers: acks.transfers,
    });
    const checkSeconds = (performance.now() - t) / 1000;
    const sealed = await tessera(['audit', 'seal']);
    const verified = await tessera(['audit', 'verify', '--json']);
    let audit: { ok?: boolean; entriesChecked?: number; sealsChecked?: number } = {};
    try {
      audit = JSON.parse(verified.output.slice(verified.output.indexOf('{'))) as typeof audit;
    } catch {
      audit = { ok: false };
    }
    if (sealed.code !== 0) log(`  tessera audit seal: ${sealed.output.slice(-1000)}`);
    if (verified.code !== 0) log(`  tessera audit verify: ${verified.output.slice(-1000)}`);
    const breaks = invariantBreaks(invariants);
    if (verified.code !== 0 || audit.ok !== true) breaks.push('the audit log does not verify');
    return {
      count: invariants.redemptionsStored,
      unit: 'redemptions checked',
      ...invariants,
      invariantSeconds: round(checkSeconds),
      auditOk: audit.ok === true && verified.code === 0,
      auditEntries: audit.entriesChecked ?? null,
      auditSeals: audit.sealsChecked ?? null,
      auditSealSeconds: round(sealed.seconds),
      auditVerifySeconds: round(verified.seconds),
      breaks,
    };
  }),
);

await db.close();
await cluster?.stop();

// ---- The report.
const stages = state.stages;
const order = ['generate', 'import', 'dedup', 'cards', 'cycle', 'redeem', 'verify'];
const redeemStage = stages.redeem!;
timeline = (redeemStage.timeline as number[]) ?? [];
faultLog = (redeemStage.faults as Fault[]) ?? [];
const breaks = (verifyStage.result.breaks as string[]) ?? [];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function png(svg: string, file: string): void {
  const out = new Resvg(svg, {
    fitTo: { mode: 'width', value: 900 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  writeFileSync(join(dir, file), out);
}

function rateChart(): string {
  const w = 900;
  const h = 300;
  const m = { l: 60, r: 20, t: 40, b: 40 };
  // Smoothed over 5 s so that a kill's gap shows against the steady rate.
  const smooth = timeline.map((_, i) => {
    const win = timeline.slice(Math.max(0, i - 2), i + 3);
    return win.reduce((s, x) => s + x, 0) / win.length;
  });
  const top = Math.max(1, ...smooth) * 1.1;
  const n = Math.max(1, smooth.length - 1);
  const x = (i: number) => m.l + (i / n) * (w - m.l - m.r);
  const y = (v: number) => h - m.b - (v / top) * (h - m.t - m.b);
  const line = smooth.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = top * f;
    return `<line x1="${m.l}" x2="${w - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end" font-size="12">${Math.round(v)}</text>`;
  });
  const xs = [0, 0.25, 0.5, 0.75, 1].map(
    (f) =>
      `<text x="${x(f * n)}" y="${h - m.b + 18}" text-anchor="middle" font-size="12">${Math.round(f * n)} s</text>`,
  );
  const marks = faultLog.map(
    (f, i) =>
      `<line x1="${x(f.atSecond)}" x2="${x(f.atSecond)}" y1="${m.t}" y2="${h - m.b}" stroke="#c0392b" stroke-dasharray="4 3"/>` +
      // Near the right edge the label goes to the left of its line.
      `<text x="${x(f.atSecond) + (x(f.atSecond) > w - 200 ? -3 : 3)}" y="${m.t + 12 + (i % 3) * 13}" font-size="11" fill="#c0392b" text-anchor="${x(f.atSecond) > w - 200 ? 'end' : 'start'}">kill ${i + 1} (${f.kind}, ${f.costSeconds} s)</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="DejaVu Sans">
<rect width="${w}" height="${h}" fill="white"/>
<text x="${m.l}" y="22" font-size="15" font-weight="bold">Redemptions acknowledged per second / Entregas confirmadas por segundo (5 s mean)</text>
${ticks.join('\n')}${xs.join('\n')}
<path d="${line.join('')}" fill="none" stroke="#1f6fb2" stroke-width="1.6"/>
${marks.join('\n')}
<line x1="${m.l}" x2="${w - m.r}" y1="${h - m.b}" y2="${h - m.b}" stroke="#333"/>
</svg>`;
}

function stageChart(): string {
  const w = 900;
  const rowH = 30;
  const m = { l: 110, r: 120, t: 40 };
  const rows = order.filter((s) => stages[s]);
  const h = m.t + rows.length * rowH + 20;
  const top = Math.max(1, ...rows.map((s) => stages[s]!.seconds));
  const bars = rows.map((s, i) => {
    const st = stages[s]!;
    const bw = (st.seconds / top) * (w - m.l - m.r);
    const yy = m.t + i * rowH;
    return `<text x="${m.l - 8}" y="${yy + 19}" text-anchor="end" font-size="13">${s}</text><rect x="${m.l}" y="${yy + 5}" width="${Math.max(1, bw).toFixed(1)}" height="${rowH - 10}" fill="#4a8c5c"/><text x="${m.l + bw + 6}" y="${yy + 19}" font-size="12">${st.seconds} s · ${Number(st.rate).toLocaleString('en')}/s</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="DejaVu Sans">
<rect width="${w}" height="${h}" fill="white"/>
<text x="${m.l}" y="24" font-size="15" font-weight="bold">Stage durations / Duración de cada etapa</text>
${bars.join('\n')}
</svg>`;
}

png(rateChart(), 'redemptions.png');
png(stageChart(), 'stages.png');

const totalSeconds = order.reduce((s, k) => s + (stages[k]?.seconds ?? 0), 0);
const fmt = (v: unknown) =>
  typeof v === 'number' ? v.toLocaleString('en') : v == null ? '—' : String(v);
const v = verifyStage.result;
const r = redeemStage;
const engine = onCluster ? 'PostgreSQL cluster (Patroni, 3 nodes, synchronous)' : 'SQLite (WAL)';
const md = `# National rehearsal / Ensayo nacional — ${people.toLocaleString('en')} people

${breaks.length === 0 ? '**GO: every invariant held. / Todas las invariantes se cumplieron.**' : `**NO GO / NO APTO: ${esc(breaks.join('; '))}**`}

Engine: ${engine}. Run on ${today}, ${Math.round(totalSeconds / 60)} min of stage time; the machine has 2 cores shared with other work (load at each stage below). Report in English with Spanish headings.

## Stages / Etapas

| Stage / Etapa | Done / Hecho | Time (s) | Rate (/s) | p99 (ms) | Peak RSS MB (bench / server or CLI) | Database MB | Load |
|---|---|---:|---:|---:|---:|---:|---:|
${order
  .filter((s) => stages[s])
  .map((s) => {
    const st = stages[s]!;
    const p = st.p99Ms ?? st.batchP99Ms ?? null;
    return `| ${s} | ${fmt(st.count)} ${esc(String(st.unit))} | ${st.seconds} | ${fmt(st.rate)} | ${fmt(p)}${st.batchP99Ms !== undefined ? ' (batch)' : ''} | ${fmt(st.peakRssMb)} / ${fmt(st.serverPeakRssMb)} | ${fmt(st.databaseMb)} | ${fmt(st.load)} |`;
  })
  .join('\n')}

Import: ${fmt(stages.import?.accepted)} accepted, ${fmt(stages.import?.rejected)} rejected, ${fmt(stages.import?.skippedAlreadyRegistered)} already registered. Dedup batch: ${fmt(stages.dedup?.pairsFound)} pairs found, ${fmt(stages.dedup?.pairsNew)} of them new to the review queue (${fmt(stages.dedup?.samePerson)} same person, ${fmt(stages.dedup?.possibleDuplicate)} possible); the others were flagged by the import's screening. Cycle: ${fmt(stages.cycle?.count)} entitlements (${fmt(stages.cycle?.shareOfRegistry)} of the registry), freeze ${fmt(stages.cycle?.freezeSeconds)} s, generation ${fmt(stages.cycle?.generatePerSecond)}/s.

![Stage durations](stages.png)

## Redemptions under faults / Entregas con fallos

${fmt(r.count)} redemptions acknowledged from ${fmt(r.connections)} counters: ${fmt(r.rate)}/s overall, ${fmt(r.ratePerSecondOutsideFaults)}/s with the time the faults cost taken out; latency p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms; ${fmt(r.requestsFailed)} of ${fmt(r.requestsSent)} requests failed and were retried with the same key (${esc(JSON.stringify(r.failedBy))}), ${fmt(r.abandoned)} abandoned. Early collections (window not open): ${fmt(r.earlyRefused)} refused, ${fmt(r.earlyAccepted)} accepted. ${fmt(r.transfersAcknowledged)} ledger transfers acknowledged alongside.

| Fault / Fallo | Kind | At (s) | Cost: kill → first write (s) | Of which restart (s) | Requests failed |
|---|---|---:|---:|---:|---:|
${faultLog.map((f, i) => `| ${i + 1} | SIGKILL ${f.kind} | ${f.atSecond} | ${f.costSeconds} | ${fmt(f.restartSeconds)} | ${f.requestsFailed} |`).join('\n')}

![Redemptions per second](redemptions.png)

## Invariants / Invariantes

| Check / Comprobación | Found / Resultado |
|---|---|
| Entitlements delivered twice / entregadas dos veces | ${fmt(v.deliveredTwice)} |
| Delivered before their window / antes de su día | ${fmt(v.deliveredEarly)} |
| Acknowledged redemptions missing / confirmadas perdidas | ${fmt(v.acknowledgedMissing)} of ${fmt(r.count)} (stored ${fmt(v.redemptionsStored)}; stored but unacknowledged ${fmt(v.storedUnacknowledged)}) |
| Acknowledged transfers missing / transferencias perdidas | ${fmt(v.transfersMissing)} |
| Ledger imbalance / descuadre del libro | ${fmt(v.ledgerImbalance)} |
| Audit log verifies / auditoría verificada | ${v.auditOk ? 'yes' : 'NO'} (${fmt(v.auditEntries)} entries, ${fmt(v.auditSeals)} seals, verify ${fmt(v.auditVerifySeconds)} s) |
| Statistics vs recount / estadísticas vs recuento | ${fmt(v.statisticsMismatches)} of ${fmt(v.statisticsCells)} cells disagree |
`;
writeFileSync(join(dir, 'report.md'), md);
log(`report: ${join(dir, 'report.md')}`);
if (!values['keep-db'] && !onCluster && breaks.length === 0) {
  // The CSV is the bulk of the disk the run holds after the import.
  rmSync(csvPath, { force: true });
}
process.exitCode = breaks.length === 0 ? 0 : 1;
console.log(
  JSON.stringify({
    bench: 'national',
    engine: onCluster ? 'postgres-cluster' : 'sqlite',
    people,
    cards: cardsWanted,
    redemptions: redemptionsWanted,
    faults: faultLog,
    totalStageSeconds: round(totalSeconds),
    wallSecondsThisRun: round((Date.now() - startedAt) / 1000),
    stages: Object.fromEntries(
      order
        .filter((s) => stages[s])
        .map((s) => {
          const { timeline: _t, faults: _f, ...rest } = stages[s]!;
          return [s, rest];
        }),
    ),
    invariantBreaks: breaks,
    load: round(loadavg()[0]!, 2),
  }),
);
