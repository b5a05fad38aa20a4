// A bank workload in the style of Jepsen's, on both engines, against the real server in its
// own process: clients move money between wallets over HTTP, concurrently, each transfer with
// an id of its own choosing that it sends again, unchanged, until it gets a definite answer;
// a reader reads every balance in one request, again and again. Every read must sum to the
// total and show no wallet below zero; at the end every acknowledged transfer exists once,
// every refused one does not, and every balance is the sum of the transfers recorded on it.
// Then the same while the server is killed with SIGKILL at random moments and restarted:
// nothing it acknowledged before a kill may be missing afterwards, nothing may count twice.
//
// The random choices (transfers, amounts, when to kill) come from one seed, printed as a
// diagnostic line; TESSERA_BANK_SEED=N replays them (the interleaving is the machine's).
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, it, type TestContext } from 'node:test';
import { createTestApiToken } from '../../test/support/api-token';
import { forEachEngine } from '../../test/support/engines';
import { startServerProcess, type ServerProcess } from '../../test/support/server-process';
import type { Database } from '../db';
import { ledgerTotals } from './ledger-totals';
import type { AccountView, TransferView } from './present';

const walletsCount = 6;
const clientsCount = 8;
const opsPerClient = 20;
/** The money in the system: funded into the fund account, shared out to the wallets. */
const total = 1_200_000n;
/** Most balance reads by the reader in one run. */
const readsMax = 60;
/** Most tries of the reader in one run, answered or not. */
const readTriesMax = 1_000;
const requestTimeoutMs = 10_000;
/** Most tries of one request, and the longest it may go without a definite answer. */
const attemptsMax = 400;
const definiteAnswerWithinMs = 90_000;
/** Most 5xx answers to one request before the run fails (a 5xx is a bug, not a fault). */
const serverErrorTriesMax = 3;
/** SIGKILLs in the fault run: from killsMin to killsMin + killsSpread − 1. */
const killsMin = 3;
const killsSpread = 3;

const seed = seedFrom(process.env.TESSERA_BANK_SEED);

function seedFrom(text: string | undefined): number {
  if (text === undefined || text === '') return randomInt(1, 2 ** 31 - 1);
  if (!/^\d{1,10}$/.test(text)) throw new Error(`TESSERA_BANK_SEED: "${text}" is not a seed`);
  return Number(text);
}

/** A small seeded generator (mulberry32), so that a failing run can be replayed. */
function generator(start: number): { int(n: number): number } {
  let state = start >>> 0;
  return {
    int(n: number): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let x = state;
      x = Math.imul(x ^ (x >>> 15), x | 1);
      x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
      const unit = ((x ^ (x >>> 14)) >>> 0) / 4294967296;
      return Math.floor(unit * n);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Leg {
  id: string;
  from: string;
  to: string;
  amount: bigint;
}

/** One request of a client: one transfer, or a linked pair that succeeds or fails as one. */
interface Operation {
  client: number;
  legs: Leg[];
  /** Asks for more than any wallet can hold: must be refused by the limit. */
  deliberate: boolean;
  /** The first try times out after this many milliseconds, on purpose. */
  impatientMs: number | undefined;
  attempts: number;
  /**
   * `refused` after a try that timed out on a running server is not the end of it: that try
   * may still be applied after the refusal (a refusal is not stored, see the last check).
   */
  outcome?: 'applied' | 'refused';
  /** A try that got no answer may still be running on the server. */
  maybeAlive: boolean;
  /** The server's answers, for failure messages. */
  answers: string[];
}

type Answer =
  | { definite: true; status: number; body: unknown }
  | {
      definite: false;
      why: string;
      status?: number;
      /** The server that may hold the request is still running: it may yet apply it. */
      stillAlive: boolean;
    };

interface Counters {
  attempts: number;
  indefinite: number;
  serverErrors: number;
  inFlight: number;
}

/** Where the clients send their requests, and what they count. */
interface Wire {
  server: ServerProcess;
  token: string;
  counters: Counters;
}

/** One request as a client sends it (the same body on every try). */
interface Request {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** A first try that gives up after this many milliseconds: a timeout, on purpose. */
  impatientMs?: number;
  /** Stops retrying when this returns an error (the run failed elsewhere). */
  abort?: () => Error | undefined;
}

/** One HTTP request; a lost connection, a timeout, a 5xx or a 429 is not an answer. */
async function send(wire: Wire, request: Request, timeoutMs: number): Promise<Answer> {
  const { counters } = wire;
  counters.attempts += 1;
  counters.inFlight += 1;
  const startedOn = wire.server.starts();
  try {
    const response = await fetch(`${wire.server.baseUrl()}${request.path}`, {
      method: request.method,
      headers: {
        authorization: `Bearer ${wire.token}`,
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (response.status >= 500 || response.status === 429) {
      if (response.status >= 500) counters.serverErrors += 1;
      return {
        definite: false,
        status: response.status,
        why: `${response.status} ${text.slice(0, 300)}`,
        stillAlive: false,
      };
    }
    return { definite: true, status: response.status, body: JSON.parse(text) };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    // Refused connections never reached a server; a request whose server was killed died with
    // it. One that timed out on a server still running may be applied after the retry's answer.
    const killed = !wire.server.running() || wire.server.starts() !== startedOn;
    return {
      definite: false,
      why: cause ?? String(e),
      stillAlive: cause !== 'ECONNREFUSED' && !killed,
    };
  } finally {
    counters.inFlight -= 1;
  }
}

/** Sends the same request until a definite answer, within bounds; throws past them. */
async function untilDefinite(
  wire: Wire,
  request: Request,
): Promise<{ status: number; body: unknown; attempts: number; maybeAlive: boolean }> {
  let maybeAlive = false;
  const deadline = Date.now() + definiteAnswerWithinMs;
  let last = '';
  let serverErrors = 0;
  for (let attempt = 1; attempt <= attemptsMax && Date.now() < deadline; attempt += 1) {
    const fatal = request.abort?.();
    if (fatal) throw fatal;
    const timeoutMs = attempt === 1 ? (request.impatientMs ?? requestTimeoutMs) : requestTimeoutMs;
    const answer = await send(wire, request, timeoutMs);
    if (answer.definite)
      return { status: answer.status, body: answer.body, attempts: attempt, maybeAlive };
    maybeAlive ||= answer.stillAlive;
    wire.counters.indefinite += 1;
    last = answer.why;
    // A 5xx or a 429 is no answer either, but it will not go away by waiting: stop soon, so
    // that a failing run ends in seconds with what the server said.
    if (answer.status === 429)
      throw new Error(`${request.path}: rate limited; the workload's counts are too high`);
    if (answer.status !== undefined && (serverErrors += 1) >= serverErrorTriesMax) break;
    await sleep(Math.min(20 * attempt, 250));
  }
  throw new Error(
    `${request.method} ${request.path}: no definite answer (last: ${last})\n${serverLog(wire.server)}`,
  );
}

/** What the server said that was not a routine request line, and its last few lines. */
function serverLog(server: ServerProcess): string {
  const lines = server.output().split('\n');
  const routine = /"msg":"(incoming request|request completed)"/;
  const notable = lines.filter((line) => line.trim() !== '' && !routine.test(line));
  return [...notable.slice(-30), '… last lines:', ...lines.slice(-6)].join('\n');
}

function okBody<T>(answer: { status: number; body: unknown }, what: string): T {
  assert.equal(answer.status, 200, `${what}: ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}

/** Progress of the clients, which the killer waits on. */
class Progress {
  done = 0;
  finished = false;
  private waiters: { n: number; resolve: () => void }[] = [];
  step(): void {
    this.done += 1;
    this.wake();
  }
  finish(): void {
    this.finished = true;
    this.wake();
  }
  reach(n: number): Promise<void> {
    if (this.done >= n || this.finished) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.done < w.n && !this.finished) return true;
      w.resolve();
      return false;
    });
  }
}

/** A wallet's (or the fund's) spendable balance: posted credits less posted and reserved debits. */
function available(a: AccountView): bigint {
  return BigInt(a.creditsPosted) - BigInt(a.debitsPosted) - BigInt(a.debitsPending);
}

/** Every transfer on the account, over HTTP, a page at a time. */
async function transfersOf(wire: Wire, accountId: string): Promise<TransferView[]> {
  const all: TransferView[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const query: string = after ? `&after=${encodeURIComponent(after)}` : '';
    const answer = await untilDefinite(wire, {
      method: 'GET',
      path: `/api/v1/ledger/accounts/${encodeURIComponent(accountId)}/transfers?limit=200${query}`,
    });
    const body = okBody<{ items: TransferView[]; next: string | null }>(answer, accountId);
    all.push(...body.items);
    after = body.next;
    if (after === null) return all;
  }
  throw new Error(`${accountId}: more than 100 pages of transfers`);
}

interface RunOptions {
  engine: string;
  db: Database;
  server: ServerProcess;
  token: string;
  /** Prefix of every account and transfer id of this run. */
  run: string;
  runSeed: number;
  /** Kill the server with SIGKILL at random moments, and restart it. */
  faults: boolean;
}

async function bankWorkload(t: TestContext, o: RunOptions): Promise<void> {
  const { server, run } = o;
  const replay = `seed ${seed} (replay with TESSERA_BANK_SEED=${seed})`;
  t.diagnostic(`${run} [${o.engine}]: ${replay}`);
  const random = generator(o.runSeed);
  const counters: Counters = { attempts: 0, indefinite: 0, serverErrors: 0, inFlight: 0 };
  const wire: Wire = { server, token: o.token, counters };
  const equity = `${run}-equity`;
  const fund = `${run}-fund`;
  const wallets = Array.from({ length: walletsCount }, (_, i) => `${run}-w${i}`);
  const accountIds = [equity, fund, ...wallets];
  const expected = new Map<string, bigint>(accountIds.map((id) => [id, 0n]));
  const move = (from: string, to: string, amount: bigint) => {
    expected.set(from, expected.get(from)! - amount);
    expected.set(to, expected.get(to)! + amount);
  };

  // Accounts and the money, over HTTP like everything else (retried the same way).
  const opened = okBody<{ results: { result: string }[] }>(
    await untilDefinite(wire, {
      method: 'POST',
      path: '/api/v1/ledger/accounts',
      body: {
        accounts: [
          { id: equity, ledger: 'VES', code: 'operator_equity' },
          {
            id: fund,
            ledger: 'VES',
            code: 'programme_fund',
            flags: { debitsMustNotExceedCredits: true },
          },
          ...wallets.map((id) => ({
            id,
            ledger: 'VES',
            code: 'wallet',
            flags: { debitsMustNotExceedCredits: true },
          })),
        ],
      },
    }),
    'open accounts',
  );
  assert.ok(
    opened.results.every((r) => r.result === 'created' || r.result === 'exists'),
    JSON.stringify(opened.results),
  );
  const share = total / BigInt(walletsCount);
  const funding: Leg[] = [
    { id: `${run}-funding`, from: equity, to: fund, amount: total },
    ...wallets.map((w, i) => ({ id: `${run}-share-${i}`, from: fund, to: w, amount: share })),
  ];
  const funded = okBody<{ results: { result: string }[] }>(
    await untilDefinite(wire, {
      method: 'POST',
      path: '/api/v1/ledger/transfers',
      body: { transfers: funding.map((l) => transferBody(l, false)) },
    }),
    'funding',
  );
  assert.ok(
    funded.results.every((r) => r.result === 'created' || r.result === 'exists'),
    JSON.stringify(funded.results),
  );
  for (const l of funding) move(l.from, l.to, l.amount);

  // Every operation chosen before anything runs, from the seed alone.
  const operations: Operation[][] = [];
  for (let c = 0; c < clientsCount; c += 1) {
    const mine: Operation[] = [];
    for (let n = 0; n < opsPerClient; n += 1) {
      const id = `${run}-c${c}-${n}`;
      const a = random.int(walletsCount);
      const b = (a + 1 + random.int(walletsCount - 1)) % walletsCount;
      const roll = random.int(100);
      const normal = BigInt(1 + random.int(Number(share / 2n)));
      const excessive = total + 1n + BigInt(random.int(1000));
      // One request in ten first times out after a few milliseconds, on purpose: the server
      // may or may not have applied it, and the retry must find out which without a double.
      const impatientMs = random.int(10) === 0 ? 1 + random.int(8) : undefined;
      const base = { client: c, attempts: 0, answers: [], impatientMs, maybeAlive: false };
      if (roll < 15) {
        mine.push({
          ...base,
          deliberate: true,
          legs: [{ id, from: wallets[a]!, to: wallets[b]!, amount: excessive }],
        });
      } else if (roll < 35) {
        // A linked pair a → b → c: the second leg spends what the first brought, or (one in
        // three) far more than there is, so that the whole pair must fail.
        const third = (b + 1 + random.int(walletsCount - 1)) % walletsCount;
        const spoil = random.int(3) === 0;
        const second = spoil ? excessive : BigInt(1 + random.int(Number(normal)));
        mine.push({
          ...base,
          deliberate: spoil,
          legs: [
            { id: `${id}-a`, from: wallets[a]!, to: wallets[b]!, amount: normal },
            { id: `${id}-b`, from: wallets[b]!, to: wallets[third]!, amount: second },
          ],
        });
      } else {
        mine.push({
          ...base,
          deliberate: false,
          legs: [{ id, from: wallets[a]!, to: wallets[b]!, amount: normal }],
        });
      }
    }
    operations.push(mine);
  }
  const all = operations.flat();
  const killsPlanned = o.faults ? killsMin + random.int(killsSpread) : 0;
  // Kill after so many operations have been answered (spread over the middle of the run),
  // a few milliseconds later, while other requests are on the wire.
  const killAt = Array.from(
    { length: killsPlanned },
    () => Math.floor(all.length * 0.1) + random.int(Math.floor(all.length * 0.75)),
  ).sort((x, y) => x - y);
  const killJitterMs = killAt.map(() => random.int(30));
  const downMs = killAt.map(() => random.int(200));

  const progress = new Progress();
  const problems: string[] = [];
  let fatal: Error | undefined;
  let kills = 0;
  const inFlightAtKill: number[] = [];
  let acknowledgedBeforeLastKill: Operation[] = [];

  const client = async (mine: Operation[]) => {
    for (const op of mine) {
      const answer = await untilDefinite(wire, {
        method: 'POST',
        path: '/api/v1/ledger/transfers',
        body: { transfers: op.legs.map((l, i) => transferBody(l, i < op.legs.length - 1)) },
        ...(op.impatientMs !== undefined ? { impatientMs: op.impatientMs } : {}),
        abort: () => fatal,
      });
      op.attempts = answer.attempts;
      op.maybeAlive = answer.maybeAlive;
      const results = okBody<{ results: { result: string }[] }>(answer, op.legs[0]!.id).results.map(
        (r) => r.result,
      );
      op.answers.push(results.join(','));
      op.outcome = classify(op, results, problems);
      if (op.outcome === 'applied') for (const l of op.legs) move(l.from, l.to, l.amount);
      progress.step();
    }
  };

  let reads = 0;
  let readsUnanswered = 0;
  const reader = async () => {
    // Bounded: at most readsMax answered reads, and one try every 50 ms while the server is down.
    for (
      let tries = 0;
      tries < readTriesMax && reads < readsMax && !progress.finished;
      tries += 1
    ) {
      const answer = await send(
        wire,
        { method: 'POST', path: '/api/v1/ledger/accounts/lookup', body: { ids: accountIds } },
        requestTimeoutMs,
      );
      if (!answer.definite) {
        readsUnanswered += 1;
        await sleep(50);
        continue;
      }
      reads += 1;
      const items = okBody<{ items: AccountView[] }>(answer, 'read balances').items;
      const balances = items.map(available);
      const inWallets = balances.slice(1).reduce((x, y) => x + y, 0n);
      if (inWallets !== total)
        problems.push(`read ${reads}: wallets and fund hold ${inWallets}, not ${total}`);
      if (balances[0] !== -total)
        problems.push(`read ${reads}: equity is ${balances[0]}, not ${-total}`);
      items.forEach((a, i) => {
        if (i > 0 && balances[i]! < 0n)
          problems.push(`read ${reads}: ${a.id} is at ${balances[i]}`);
        if (a.debitsPending !== '0' || a.creditsPending !== '0')
          problems.push(`read ${reads}: ${a.id} has a reservation nobody made`);
      });
      await sleep(5 + random.int(20));
    }
  };

  const killer = async () => {
    for (let k = 0; k < killAt.length; k += 1) {
      await progress.reach(killAt[k]!);
      if (progress.finished || fatal) break;
      await sleep(killJitterMs[k]!);
      acknowledgedBeforeLastKill = all.filter((op) => op.outcome === 'applied');
      inFlightAtKill.push(counters.inFlight);
      await server.kill();
      kills += 1;
      await sleep(downMs[k]!);
      await server.restart();
    }
  };

  const killing = killer().catch((e: unknown) => {
    fatal ??= e instanceof Error ? e : new Error(String(e));
  });
  const reading = reader();
  // The first client to fail stops the others and the killer, so that the run ends soon.
  const clients = await Promise.allSettled(
    operations.map((mine) =>
      client(mine).catch((e: unknown) => {
        fatal ??= e instanceof Error ? e : new Error(String(e));
        throw e;
      }),
    ),
  );
  progress.finish();
  await killing;
  await reading;
  if (fatal) throw fatal;
  for (const c of clients) if (c.status === 'rejected') throw c.reason;
  assert.deepEqual(problems, [], `violations seen during the run (${replay})`);

  // A try that timed out on purpose may still be on its way through the server; give it
  // time to finish before the end state is read (its request took milliseconds).
  if (all.some((op) => op.maybeAlive)) await sleep(1_000);

  // The end state, over HTTP: every balance, and every transfer recorded on each account.
  const final = okBody<{ items: AccountView[] }>(
    await untilDefinite(wire, {
      method: 'POST',
      path: '/api/v1/ledger/accounts/lookup',
      body: { ids: accountIds },
    }),
    'final balances',
  ).items;
  const recorded = new Map<string, TransferView>();
  const listedOn = new Map<string, TransferView[]>();
  for (const account of final) {
    const listed = await transfersOf(wire, account.id);
    const ids = listed.map((x) => x.id);
    assert.equal(new Set(ids).size, ids.length, `${account.id} lists a transfer twice`);
    for (const x of listed) recorded.set(x.id, x);
    listedOn.set(account.id, listed);
  }

  // A refusal is stored by id, as TigerBeetle stores it: the first try of a request that timed
  // out while the server ran is never applied after its retry was refused (it gets
  // id_already_failed). So nothing the client was told was refused is recorded.
  const lateApplied = all.filter(
    (op) => op.outcome === 'refused' && op.maybeAlive && op.legs.some((l) => recorded.has(l.id)),
  );
  assert.deepEqual(
    lateApplied.map((op) => op.legs[0]!.id),
    [],
    `refused requests applied later (${replay})`,
  );
  const applied = all.filter((op) => op.outcome === 'applied' || lateApplied.includes(op));
  const refusedOps = all.filter((op) => !applied.includes(op));
  const wanted = new Map<string, Leg>();
  for (const l of funding) wanted.set(l.id, l);
  for (const op of applied) for (const l of op.legs) wanted.set(l.id, l);
  const lost = [...wanted.keys()].filter((id) => !recorded.has(id));
  assert.deepEqual(lost, [], `acknowledged transfers missing (${replay})`);
  const ghosts = [...recorded.keys()].filter((id) => !wanted.has(id));
  assert.deepEqual(ghosts, [], `transfers recorded that were refused or never sent (${replay})`);
  for (const [id, leg] of wanted) {
    const x = recorded.get(id)!;
    assert.deepEqual(
      { from: x.debitAccountId, to: x.creditAccountId, amount: x.amount },
      { from: leg.from, to: leg.to, amount: leg.amount.toString() },
      `${id} was recorded with other fields`,
    );
  }
  for (const account of final) {
    let credits = 0n;
    let debits = 0n;
    for (const x of listedOn.get(account.id)!) {
      if (x.creditAccountId === account.id) credits += BigInt(x.amount);
      if (x.debitAccountId === account.id) debits += BigInt(x.amount);
    }
    assert.equal(
      BigInt(account.creditsPosted),
      credits,
      `${account.id}: posted credits are not the sum of its transfers (${replay})`,
    );
    assert.equal(
      BigInt(account.debitsPosted),
      debits,
      `${account.id}: posted debits are not the sum of its transfers (${replay})`,
    );
    assert.equal(account.debitsPending, '0');
    assert.equal(account.creditsPending, '0');
    assert.equal(
      available(account),
      expected.get(account.id),
      `${account.id}: balance differs from the acknowledged transfers (${replay})`,
    );
  }
  const survivors = acknowledgedBeforeLastKill.filter((op) =>
    op.legs.every((l) => recorded.has(l.id)),
  );
  assert.equal(survivors.length, acknowledgedBeforeLastKill.length, 'lost across a kill');
  // The same, straight from the database: no row hidden from the routes, books balanced.
  const rows = await o.db.kysely
    .selectFrom('ledger_transfers')
    .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
    .where('id', 'like', `${run}-%`)
    .executeTakeFirstOrThrow();
  assert.equal(BigInt(rows.n), BigInt(wanted.size), 'transfer rows in the database');
  for (const ledger of await ledgerTotals(o.db.kysely)) assert.ok(ledger.isBalanced, ledger.ledger);

  assert.equal(counters.serverErrors, 0, `the server answered 5xx:\n${serverLog(server)}`);
  assert.equal(kills, killsPlanned, 'every planned kill happened');
  assert.ok(reads > 0, 'the reader read at least once');

  const retried = all.filter((op) => op.attempts > 1);
  const legs = all.reduce((n, op) => n + op.legs.length, 0);
  t.diagnostic(
    `${run} [${o.engine}]: ${all.length} requests (${legs} transfers, ` +
      `${all.filter((op) => op.legs.length === 2).length} linked pairs, ` +
      `${all.filter((op) => op.deliberate).length} deliberately over the limit); ` +
      `${applied.length} applied, ${refusedOps.length} refused by the limit ` +
      `(${lateApplied.length} refused to a retry but applied by a first try that timed out)`,
  );
  t.diagnostic(
    `${run} [${o.engine}]: ${retried.length} requests retried (${counters.indefinite} unanswered ` +
      `tries in all; ${all.filter((op) => op.impatientMs !== undefined).length} first tries timed ` +
      `out on purpose), ` +
      `${retried.filter((op) => op.answers.at(-1)!.startsWith('exists')).length} ` +
      `found already applied on retry; ${reads} consistent reads, ${readsUnanswered} unanswered`,
  );
  if (o.faults)
    t.diagnostic(
      `${run} [${o.engine}]: ${kills} SIGKILLs (requests in flight at each: ` +
        `${inFlightAtKill.join(', ')}), ${server.starts()} server starts so far; ` +
        `${acknowledgedBeforeLastKill.length} requests acknowledged before the last kill, all present`,
    );
}

function transferBody(l: Leg, linked: boolean): Record<string, unknown> {
  return {
    id: l.id,
    debitAccountId: l.from,
    creditAccountId: l.to,
    amount: l.amount.toString(),
    ledger: 'VES',
    code: 'bank',
    ...(linked ? { flags: { linked: true } } : {}),
  };
}

/**
 * What the answer says happened. `exists` is an honest answer only to a retry (the first try
 * was applied, its answer lost); in a linked pair it comes as `exists, linked_event_failed`,
 * because TigerBeetle fails a chain on any result but `created`, and the pair was applied
 * whole or not at all.
 */
function classify(op: Operation, results: string[], problems: string[]): 'applied' | 'refused' {
  const id = op.legs[0]!.id;
  const said = results.join(',');
  const retry = op.attempts > 1;
  if (op.legs.length === 1) {
    const [r] = results;
    if (r === 'created' && !op.deliberate) return 'applied';
    if (r === 'exists' && retry && !op.deliberate) return 'applied';
    if (r === 'exceeds_credits') return 'refused';
    // The first try was refused and its answer lost: the refusal is stored, and final.
    if (r === 'id_already_failed' && retry) return 'refused';
  } else {
    if (said === 'created,created' && !op.deliberate) return 'applied';
    if (said === 'exists,linked_event_failed' && retry && !op.deliberate) return 'applied';
    if (
      said === 'linked_event_failed,exceeds_credits' ||
      said === 'exceeds_credits,linked_event_failed'
    )
      return 'refused';
    if (
      retry &&
      (said === 'linked_event_failed,id_already_failed' ||
        said === 'id_already_failed,linked_event_failed')
    )
      return 'refused';
  }
  problems.push(
    `${id}: answered ${said} after ${op.attempts} tries${op.deliberate ? ' (over the limit)' : ''}`,
  );
  return 'refused';
}

forEachEngine('bank workload over HTTP', ({ db, url, engine }) => {
  let server: ServerProcess | undefined;
  let token = '';
  before(async () => {
    ({ token } = await createTestApiToken(db(), {
      grants: [{ role: 'programme_admin', regions: '*' }],
      permissions: ['ledger:write', 'ledger:read'],
      name: 'bank workload clients',
    }));
    // Request logs on: when a run fails, the tail of the server's log is in the message.
    server = await startServerProcess({ databaseUrl: url(), env: { TESSERA_LOG: 'on' } });
  });
  after(async () => {
    await server?.stop();
  });

  it('every read sums to the total, no wallet goes negative, each transfer counts once', async (t) => {
    await bankWorkload(t, {
      engine,
      db: db(),
      server: server!,
      token,
      run: 'calm',
      runSeed: seed,
      faults: false,
    });
  });

  it('the same while the server is killed with SIGKILL at random moments and restarted', async (t) => {
    await bankWorkload(t, {
      engine,
      db: db(),
      server: server!,
      token,
      run: 'kill',
      runSeed: seed ^ 0x5bd1e995,
      faults: true,
    });
  });

  // Found by the workload's reasoning about timeouts, shown here without luck: a second server
  // process stands for a stalled first try (SIGSTOP holds it with the request in its socket).
  // The retry is refused (exceeds_credits), money then arrives, the stalled try goes on — and
  // must not apply the transfer the client was told was refused. As TigerBeetle does, the API
  // stores such a refusal by id and answers id_already_failed to every later try of it. The
  // domains' own callers are not affected (cycle payments pay a payment skipped for an
  // exhausted fund by a later run with the same id): only the API route stores refusals.
  it('a refusal stays final when a stalled first try of the same id arrives after it', async () => {
    const stalled = await startServerProcess({ databaseUrl: url() });
    const counters: Counters = { attempts: 0, indefinite: 0, serverErrors: 0, inFlight: 0 };
    const live: Wire = { server: server!, token, counters };
    const post = async (wire: Wire, path: string, body: unknown, timeoutMs = requestTimeoutMs) =>
      send(wire, { method: 'POST', path, body }, timeoutMs);
    const spend = {
      id: 'stall-spend',
      debitAccountId: 'stall-w1',
      creditAccountId: 'stall-w2',
      amount: '100',
      ledger: 'VES',
      code: 'bank',
    };
    try {
      const opened = await post(live, '/api/v1/ledger/accounts', {
        accounts: [
          { id: 'stall-equity', ledger: 'VES', code: 'operator_equity' },
          ...['stall-w1', 'stall-w2'].map((id) => ({
            id,
            ledger: 'VES',
            code: 'wallet',
            flags: { debitsMustNotExceedCredits: true },
          })),
        ],
      });
      assert.ok(opened.definite && opened.status === 200, JSON.stringify(opened));
      stalled.pause();
      const first = await post(
        { server: stalled, token, counters },
        '/api/v1/ledger/transfers',
        { transfers: [spend] },
        300,
      );
      assert.equal(first.definite, false, 'the stalled server gave no answer');
      const retry = await post(live, '/api/v1/ledger/transfers', { transfers: [spend] });
      assert.ok(retry.definite, JSON.stringify(retry));
      assert.deepEqual(
        (retry.body as { results: { result: string }[] }).results.map((r) => r.result),
        ['exceeds_credits'],
      );
      const funding = await post(live, '/api/v1/ledger/transfers', {
        transfers: [
          {
            id: 'stall-funding',
            debitAccountId: 'stall-equity',
            creditAccountId: 'stall-w1',
            amount: '100',
            ledger: 'VES',
            code: 'bank',
          },
        ],
      });
      assert.ok(funding.definite && funding.status === 200, JSON.stringify(funding));
      stalled.resume();
      // Bounded: up to 2 s for the stalled try to be applied, if it is going to be.
      let applied = false;
      for (let i = 0; i < 40 && !applied; i += 1) {
        await sleep(50);
        applied =
          (await db()
            .kysely.selectFrom('ledger_transfers')
            .select('id')
            .where('id', '=', spend.id)
            .executeTakeFirst()) !== undefined;
      }
      assert.equal(applied, false, 'the transfer the client was told was refused was applied');
    } finally {
      // SIGKILL ends it stopped or not; a graceful stop after SIGSTOP takes seconds.
      await stalled.kill();
      await stalled.stop();
    }
  });
});
