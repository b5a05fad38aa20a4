// Losing the primary under load, on the loopback Patroni cluster (scripts/cluster): the real
// server (`tessera serve`, its own process) runs on HAProxy's write address while counters
// redeem food boxes and a payments client moves money between ledger accounts; the primary's
// postmaster is killed with SIGKILL; Patroni promotes the synchronous standby; the server's
// pool reconnects by itself through the same address. Every client retries one operation with
// the same key (redemptions: the Idempotency-Key; transfers: the transfer's own id) until it
// gets a definite answer, as a counter's phone does.
//
// Then, read from the new primary over a fresh connection: every acknowledged redemption and
// transfer is there, none is applied twice, and the ledger sums to zero. Shared by the short
// test (test/cluster/failover.test.ts) and the long bench (bench/failover.ts), which differ
// only in sizes and durations.
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../../src/db';
import { ledgerTotals } from '../../src/ledger';
import { migrations } from '../../src/modules';
import type { Cluster } from '../../scripts/cluster/cluster';
import { createTestApiToken } from './api-token';
import { validPerson } from './app';
import { benefitFixture, deviceTokenFor } from './benefit-fixture';
import { signedInAgent, startTestServer } from './http';
import { startServerProcess, type ServerProcess } from './server-process';

/** Sizes and durations of one run. */
export interface FailoverOptions {
  /** People with a food box to collect: the most redemptions the counters can make. */
  people: number;
  /** Counters redeeming at once, and payment clients transferring at once. */
  redeemClients: number;
  payClients: number;
  /** Load before the kill, and after the first write the new primary acknowledged. */
  beforeKillMs: number;
  afterRecoveryMs: number;
  /** The longest a client keeps retrying one operation before the run is a failure. */
  retryForMs: number;
  log?: (line: string) => void;
}

/** What a run measured and found. */
export interface FailoverReport {
  oldLeader: string;
  newLeader: string | null;
  /** The longest stretch with no acknowledged write, around the kill. */
  secondsWithoutWrites: number;
  /** From the kill to the first acknowledged write that was sent after it. */
  secondsToFirstWriteAfterKill: number;
  /** Acknowledged writes per second before the kill, and after the first write after it. */
  writesPerSecondBeforeKill: number;
  writesPerSecondAfterRecovery: number;
  /** Whether a write sent after the kill was acknowledged at all. */
  writesResumed: boolean;
  /** Times the server process was started again: 0, it reconnects by itself. */
  serverRestarts: number;
  serverRunning: boolean;
  /** Requests that got no definite answer (no reply, or a 5xx), each retried. */
  requestsFailed: number;
  requestsSent: number;
  /** The failed requests by answer: `no reply`, or the status (503 when the database was lost). */
  failedBy: Record<string, number>;
  redemptionsAcknowledged: number;
  transfersAcknowledged: number;
  /** Active people in VE-A as statistics read them from a replica after the failover. */
  replicaStatistic: number | null;
  /** Whether HAProxy's read address led to a server in recovery (a replica). */
  readAddressIsReplica: boolean;
  /** Operations whose client gave up (retryForMs passed): must be 0. */
  abandoned: number;
  /** Acknowledged redemptions not found on the new primary, or found more than once. */
  redemptionsMissing: number;
  redemptionsDoubled: number;
  /** Redemptions stored that no client had acknowledged (a client gave up on it). */
  redemptionsUnacknowledged: number;
  /** Acknowledged transfers not found on the new primary. */
  transfersMissing: number;
  /** Money the wallets received minus what the acknowledged transfers sent them: must be 0. */
  walletCreditDifference: string;
  /** Debits minus credits over the whole ledger, posted and pending: must be 0. */
  ledgerImbalance: string;
  /** Unexpected answers (neither success nor retryable), with their bodies, for the message. */
  unexpected: string[];
  /** The server's last output, for a failure message. */
  serverOutput: string;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const surnames = ['Acosta', 'Bello', 'Castillo', 'Fuentes', 'Ibarra', 'Méndez', 'Ortega'];

/** A given name made of letters only, distinct for each i (the registry refuses digits). */
function letters(i: number): string {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return `${a[Math.floor(i / 26) % 26]}${a[i % 26]!.toLowerCase()}`;
}

/** Acknowledged writes per second within [from, to]. */
function rate(times: number[], from: number, to: number): number {
  const n = times.filter((w) => w >= from && w <= to).length;
  return to > from ? Math.round((n / ((to - from) / 1000)) * 10) / 10 : 0;
}

/** Sets up, runs the load across a kill of the primary's postmaster, and checks. */
export async function runFailover(
  cluster: Cluster,
  options: FailoverOptions,
): Promise<FailoverReport> {
  const log = options.log ?? (() => {});
  const db = await openDatabase({ url: cluster.writeUrl, poolSizeMax: 4 });
  let server: ServerProcess | undefined;
  let t: Awaited<ReturnType<typeof startTestServer>> | undefined;
  try {
    await migrateToLatest(db, migrations);
    // The fixture is made in this process through the domains' own operations, on the cluster.
    t = await startTestServer(db);
    t.app.now = () => new Date();
    const people = Array.from({ length: options.people }, (_, i) => ({
      ...validPerson({
        givenNames: `Falla ${letters(i)}`,
        surname1: surnames[i % surnames.length],
        surname2: surnames[(i * 5 + 3) % surnames.length],
        birthDate: `${1950 + (i % 50)}-0${(i % 9) + 1}-1${i % 10}`,
      }),
      regionCode: 'VE-A',
    }));
    const f = await benefitFixture(t.app, people, new Date().toISOString().slice(0, 10));
    const operator = await signedInAgent(t, [{ role: 'operator', regions: ['VE-A'] }]);
    const deviceToken = await deviceTokenFor(t, operator, f.pointId);
    const { token: ledgerToken } = await createTestApiToken(db, {
      grants: [{ role: 'programme_admin', regions: '*' }],
      permissions: ['ledger:write', 'ledger:read'],
    });
    const { token: analystToken } = await createTestApiToken(db, {
      grants: [{ role: 'analyst', regions: '*' }],
      permissions: ['stats:read'],
    });
    await t.server.close();
    t = undefined;
    log(`fixture: ${options.people} people with a food box, a device, a ledger token`);

    server = await startServerProcess({
      databaseUrl: cluster.writeUrl,
      // Statistics are read from the replicas, through HAProxy's read address.
      env: { TESSERA_RATE_LIMIT_PER_MINUTE: '1000000', TESSERA_DATABASE_READ_URL: cluster.readUrl },
    });
    const base = server.baseUrl();
    const run = `f${Date.now().toString(36)}`;
    const equity = `${run}-equity`;
    const wallets = Array.from({ length: 4 }, (_, i) => `${run}-wallet-${i}`);
    const opened = await fetch(`${base}/api/v1/ledger/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ledgerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        accounts: [
          { id: equity, ledger: 'VES', code: 'operator_equity' },
          ...wallets.map((id) => ({
            id,
            ledger: 'VES',
            code: 'wallet',
            flags: { debitsMustNotExceedCredits: true },
          })),
        ],
      }),
    });
    if (opened.status !== 200) throw new Error(`opening accounts: ${await opened.text()}`);

    let requestsSent = 0;
    let requestsFailed = 0;
    const failedBy: Record<string, number> = {};
    let abandoned = 0;
    const unexpected: string[] = [];
    // When each acknowledged write's successful try was sent, and when its answer came.
    const writes: { sentAt: number; ackAt: number }[] = [];
    const redeemed = new Map<number, string>();
    const transferred = new Map<string, { wallet: string; amount: bigint }>();
    let stopping = false;

    // One operation, retried with the same key until a definite answer or retryForMs.
    const untilDefinite = async (
      send: () => Promise<{ status: number; body: string }>,
      accept: (status: number, body: string) => boolean,
    ): Promise<boolean> => {
      const giveUpAt = Date.now() + options.retryForMs;
      // Bounded by giveUpAt: one try every 50-150 ms at most.
      while (Date.now() < giveUpAt) {
        requestsSent++;
        const sentAt = Date.now();
        const r = await send().catch(() => null);
        if (r && accept(r.status, r.body)) {
          writes.push({ sentAt, ackAt: Date.now() });
          return true;
        }
        // 409 IDEMPOTENCY_IN_PROGRESS: the first try still holds the key; wait and retry.
        const retryable = !r || r.status >= 500 || (r.status === 409 && /IN_PROGRESS/.test(r.body));
        if (!retryable) {
          unexpected.push(`${r.status} ${r.body.slice(0, 300)}`);
          return false;
        }
        requestsFailed++;
        const answer = r ? String(r.status) : 'no reply';
        failedBy[answer] = (failedBy[answer] ?? 0) + 1;
        await sleep(50 + Math.random() * 100);
      }
      abandoned++;
      return false;
    };
    const post = async (path: string, token: string, body: unknown, extra = {}) => {
      const r = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
      return { status: r.status, body: await r.text() };
    };

    let next = 0;
    const counter = async (c: number) => {
      // Bounded: stops at `stopping`, or when every person has collected.
      while (!stopping && next < options.people) {
        const i = next++;
        const key = `${run}-redeem-${i}`;
        const body = {
          entitlementId: f.food(i),
          quantity: 1,
          proof: {
            kind: 'document',
            registryNumber: f.people[i]!.registryNumber,
            birthDate: f.people[i]!.birthDate,
            documentType: 'national_id',
            documentNumber: `V-${21000000 + i}`,
            reason: 'Cédula vista en el mostrador',
          },
        };
        const ok = await untilDefinite(
          () =>
            post('/api/v1/redemptions', deviceToken, body, {
              'x-purpose': 'service_delivery',
              'idempotency-key': key,
            }),
          (status) => status === 201,
        );
        if (ok) redeemed.set(i, key);
        await sleep(20 + c * 5);
      }
    };
    const payer = async (c: number) => {
      // Bounded: stops at `stopping`.
      for (let n = 0; !stopping; n++) {
        const id = `${run}-t${c}-${n}`;
        const wallet = wallets[n % wallets.length]!;
        const amount = BigInt(100 + ((n * 37 + c) % 900));
        const body = {
          transfers: [
            {
              id,
              debitAccountId: equity,
              creditAccountId: wallet,
              amount: amount.toString(),
              ledger: 'VES',
              code: 'funding',
            },
          ],
        };
        const ok = await untilDefinite(
          () => post('/api/v1/ledger/transfers', ledgerToken, body),
          (status, text) => {
            if (status !== 200) return false;
            const result = (JSON.parse(text) as { results: { result: string }[] }).results[0];
            // `exists`: an earlier try committed and its reply was lost; the same transfer.
            return result?.result === 'created' || result?.result === 'exists';
          },
        );
        if (ok) transferred.set(id, { wallet, amount });
        await sleep(20 + c * 5);
      }
    };

    const oldLeader = await cluster.leader();
    if (!oldLeader) throw new Error('the cluster has no leader before the kill');
    const clients = [
      ...Array.from({ length: options.redeemClients }, (_, c) => counter(c)),
      ...Array.from({ length: options.payClients }, (_, c) => payer(c)),
    ];
    const loadStartedAt = Date.now();
    let killedAt = 0;
    const chaos = (async () => {
      await sleep(options.beforeKillMs);
      const pid = cluster.postmasterPid(oldLeader);
      if (!pid) throw new Error(`no postmaster.pid for ${oldLeader}`);
      killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      log(`SIGKILL to ${oldLeader}'s postmaster (pid ${pid})`);
      // Bounded: the load goes on until a write sent after the kill is acknowledged (or
      // retryForMs), and then for afterRecoveryMs more.
      const deadline = killedAt + options.retryForMs;
      while (!writes.some((w) => w.sentAt > killedAt) && Date.now() < deadline) await sleep(50);
      await sleep(options.afterRecoveryMs);
    })();
    await chaos.finally(() => {
      stopping = true;
    });
    await Promise.all(clients);
    const loadEndedAt = Date.now();
    const newLeader = await cluster.leader().catch(() => null);
    log(`leader: ${oldLeader} before, ${newLeader ?? 'none'} after`);

    // A stale-tolerant read after the failover, answered from a replica: the people counted.
    // Bounded: 5 tries a second apart, while HAProxy's read side settles.
    let replicaStatistic: number | null = null;
    for (let k = 0; k < 5 && replicaStatistic === null; k++) {
      const r = await fetch(`${base}/api/v1/statistics/registry?by=region`, {
        headers: { authorization: `Bearer ${analystToken}` },
        signal: AbortSignal.timeout(5_000),
      }).catch(() => null);
      if (r?.status === 200) {
        const table = (await r.json()) as { cells: { labels: string[]; value: number | null }[] };
        replicaStatistic = table.cells.find((c) => c.labels[0] === 'VE-A')?.value ?? null;
      } else await sleep(1_000);
    }
    const replicaCheck = new pg.Client({ connectionString: cluster.readUrl });
    await replicaCheck.connect();
    const readAddressIsReplica = (
      await replicaCheck.query<{ r: boolean }>('select pg_is_in_recovery() as r')
    ).rows[0]!.r;
    await replicaCheck.end();

    // Seconds without writes: the longest gap between acknowledged writes from a second before
    // the kill until the end, counting from the kill when no write came in that second. A
    // write acknowledged just after the kill may have committed just before it: the first
    // write of the new primary is the first one sent after the kill.
    const times = writes.map((w) => w.ackAt).sort((a, b) => a - b);
    const firstAfter = Math.min(
      ...writes.filter((w) => w.sentAt > killedAt).map((w) => w.ackAt),
      Date.now(),
    );
    let gap = 0;
    let previous = Math.max(killedAt - 1_000, times.findLast((w) => w <= killedAt) ?? killedAt);
    for (const w of times.filter((x) => x > previous)) {
      gap = Math.max(gap, w - previous);
      previous = w;
    }

    // The check, on the new primary, over a connection opened now.
    const after = await openDatabase({ url: cluster.writeUrl, poolSizeMax: 2 });
    try {
      const rows = await after.kysely
        .selectFrom('redemptions')
        .select(['person_id'])
        .where('cycle_id', '=', f.foodCycleId)
        .execute();
      const perPerson = new Map<string, number>();
      for (const r of rows) perPerson.set(r.person_id, (perPerson.get(r.person_id) ?? 0) + 1);
      let missing = 0;
      for (const i of redeemed.keys()) if (!perPerson.has(f.people[i]!.id)) missing++;
      const doubled = [...perPerson.values()].filter((n) => n > 1).length;
      const acknowledgedIds = new Set([...redeemed.keys()].map((i) => f.people[i]!.id));
      const unacknowledged = [...perPerson.keys()].filter((id) => !acknowledgedIds.has(id)).length;

      const ids = [...transferred.keys()];
      const found = new Set<string>();
      // In slices: a long run acknowledges thousands of transfers.
      for (let k = 0; k < ids.length; k += 500) {
        const slice = ids.slice(k, k + 500);
        const got = await after.kysely
          .selectFrom('ledger_transfers')
          .select('id')
          .where('id', 'in', slice)
          .execute();
        for (const g of got) found.add(g.id);
      }
      const credited = await after.kysely
        .selectFrom('ledger_accounts')
        .select(['id', 'credits_posted'])
        .where('id', 'in', wallets)
        .execute();
      const received = credited.reduce((s, a) => s + BigInt(a.credits_posted), 0n);
      const sent = [...transferred.values()].reduce((s, x) => s + x.amount, 0n);
      const totals = await ledgerTotals(after.kysely);
      const imbalance = totals.reduce(
        (s, x) => s + (x.debitsPosted - x.creditsPosted) + (x.debitsPending - x.creditsPending),
        0n,
      );
      return {
        oldLeader,
        newLeader,
        secondsWithoutWrites: Math.round(gap) / 1000,
        secondsToFirstWriteAfterKill: Math.round(firstAfter - killedAt) / 1000,
        writesPerSecondBeforeKill: rate(times, loadStartedAt, killedAt),
        writesPerSecondAfterRecovery: rate(times, firstAfter, loadEndedAt),
        writesResumed: writes.some((w) => w.sentAt > killedAt),
        serverRestarts: server.starts() - 1,
        serverRunning: server.running() && (await fetch(`${base}/healthz`)).status === 200,
        requestsFailed,
        requestsSent,
        failedBy,
        replicaStatistic,
        readAddressIsReplica,
        redemptionsAcknowledged: redeemed.size,
        transfersAcknowledged: transferred.size,
        abandoned,
        redemptionsMissing: missing,
        redemptionsDoubled: doubled,
        redemptionsUnacknowledged: unacknowledged,
        transfersMissing: ids.length - found.size,
        walletCreditDifference: (received - sent).toString(),
        ledgerImbalance: imbalance.toString(),
        unexpected,
        serverOutput: server.output(),
      };
    } finally {
      await after.close();
    }
  } finally {
    await t?.server.close();
    await server?.stop();
    await db.close().catch(() => {});
  }
}
