// Ledger traffic for backup tests: clients that move money over HTTP at a server in its own
// process (test/support/server-process.ts) while a backup is taken, and the checks of what a
// restored database must hold.
import assert from 'node:assert/strict';
import type { Database } from '../../src/db';
import type { CliRun } from './cli';
import type { ServerProcess } from './server-process';

export const walletsCount = 4;
const clientsCount = 4;
/** Most transfers one client sends in a run (each run stops earlier, when the backup ends). */
const transfersPerClientMax = 400;
/** Transfers acknowledged before the backup is started. */
const acknowledgedBeforeBackup = 40;
/** Each client's pause between transfers. */
const clientPauseMs = 5;
const requestTimeoutMs = 10_000;
/** The clients share one address: lift the per-address limit, as for points behind one uplink. */
export const serverEnv = { TESSERA_RATE_LIMIT_PER_MINUTE: '1000000' };

export interface Wire {
  server: ServerProcess;
  token: string;
}

export async function post(wire: Wire, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${wire.server.baseUrl()}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${wire.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
}

export const accountIds = (run: string) => ({
  equity: `${run}-equity`,
  wallets: Array.from({ length: walletsCount }, (_, i) => `${run}-w${i}`),
});

export async function openAccounts(wire: Wire, run: string): Promise<void> {
  const { equity, wallets } = accountIds(run);
  const opened = (await post(wire, '/api/v1/ledger/accounts', {
    accounts: [
      { id: equity, ledger: 'VES', code: 'operator_equity' },
      ...wallets.map((id) => ({ id, ledger: 'VES', code: 'wallet' })),
    ],
  })) as { results: { result: string }[] };
  assert.ok(
    opened.results.every((r) => r.result === 'created'),
    JSON.stringify(opened.results),
  );
}

/** What the clients did: every transfer sent, and those acknowledged, in order. */
export interface Traffic {
  sent: Set<string>;
  acknowledged: string[];
  stop: boolean;
  done: Promise<void>;
}

/** Clients sending one transfer at a time each, until told to stop (or their bound). */
export function startTraffic(wire: Wire, run: string): Traffic {
  const { equity, wallets } = accountIds(run);
  const traffic: Traffic = {
    sent: new Set(),
    acknowledged: [],
    stop: false,
    done: Promise.resolve(),
  };
  const client = async (c: number) => {
    for (let n = 0; n < transfersPerClientMax && !traffic.stop; n += 1) {
      const id = `${run}-c${c}-${n}`;
      traffic.sent.add(id);
      const answer = (await post(wire, '/api/v1/ledger/transfers', {
        transfers: [
          {
            id,
            debitAccountId: equity,
            creditAccountId: wallets[(c + n) % walletsCount],
            amount: String(1 + ((c * 7 + n * 13) % 500)),
            ledger: 'VES',
            code: 'bank',
          },
        ],
      })) as { results: { result: string }[] };
      assert.equal(answer.results[0]?.result, 'created', `${id}: ${JSON.stringify(answer)}`);
      traffic.acknowledged.push(id);
      // A counter's pace, not a flood: the backup shares the machine's two cores with them.
      await new Promise((resolve) => setTimeout(resolve, clientPauseMs));
    }
  };
  traffic.done = Promise.all(Array.from({ length: clientsCount }, (_, c) => client(c))).then(
    () => undefined,
  );
  return traffic;
}

export async function until(what: string, check: () => boolean, traffic: Traffic): Promise<void> {
  // Bounded: 600 looks, 50 ms apart; the clients' own failure ends the wait at once.
  let failed: unknown;
  traffic.done.catch((e: unknown) => (failed = e));
  for (let i = 0; i < 600; i += 1) {
    if (failed) throw failed;
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: not reached`);
}

/**
 * Runs `tessera backup` while the clients write; returns what was acknowledged before it
 * was started and how many acknowledgements came while it ran.
 */
export async function backupUnderWrites(
  wire: Wire,
  run: string,
  backup: () => Promise<CliRun>,
): Promise<{ before: string[]; during: number; traffic: Traffic; result: CliRun }> {
  await openAccounts(wire, run);
  const traffic = startTraffic(wire, run);
  await until(
    `${acknowledgedBeforeBackup} transfers acknowledged`,
    () => traffic.acknowledged.length >= acknowledgedBeforeBackup,
    traffic,
  );
  const before = [...traffic.acknowledged];
  let result: CliRun;
  try {
    result = await backup();
  } finally {
    traffic.stop = true;
  }
  const during = traffic.acknowledged.length - before.length;
  await traffic.done;
  return { before, during, traffic, result };
}

/** Checks the restored database: every early write there, nothing invented, books that add up. */
export async function checkRestored(
  restored: Database,
  run: string,
  before: string[],
  traffic: Traffic,
): Promise<Map<string, bigint>> {
  const rows = await restored.kysely
    .selectFrom('ledger_transfers')
    .select(['id', 'credit_account_id', 'amount'])
    .where('id', 'like', `${run}-c%`)
    .execute();
  const found = new Set(rows.map((r) => r.id));
  const missing = before.filter((id) => !found.has(id));
  assert.deepEqual(
    missing,
    [],
    'transfers acknowledged before the backup began, missing after restore',
  );
  const invented = [...found].filter((id) => !traffic.sent.has(id));
  assert.deepEqual(invented, [], 'transfers in the restored database that nobody sent');
  // One snapshot: each wallet's balance is the sum of the transfers restored onto it.
  const sums = new Map<string, bigint>();
  for (const r of rows)
    sums.set(r.credit_account_id, (sums.get(r.credit_account_id) ?? 0n) + BigInt(r.amount));
  const { equity, wallets } = accountIds(run);
  const accounts = await restored.kysely
    .selectFrom('ledger_accounts')
    .select(['id', 'credits_posted', 'debits_posted'])
    .where('id', 'in', [equity, ...wallets])
    .execute();
  const balances = new Map(accounts.map((a) => [a.id, BigInt(a.credits_posted)]));
  for (const w of wallets) assert.equal(balances.get(w), sums.get(w) ?? 0n, `${w} after restore`);
  const total = [...sums.values()].reduce((x, y) => x + y, 0n);
  const equityRow = accounts.find((a) => a.id === equity);
  assert.equal(BigInt(equityRow!.debits_posted), total, 'equity debits after restore');
  return balances;
}
