// bench/failover: the long version of test/cluster/failover.test.ts (issue 15). Starts the
// loopback Patroni cluster (scripts/cluster: etcd, three PostgreSQL 15 nodes in synchronous
// mode, HAProxy), runs `tessera serve` on its write address, and loads it with counters
// redeeming food boxes and payment clients moving money, each retrying one operation with the
// same key until it is answered; after --before seconds the primary's postmaster is killed
// with SIGKILL, and the load goes on for --after seconds past the first write the new primary
// acknowledged. Then, on the new primary: every acknowledged redemption and transfer is there,
// none twice, the ledger sums to zero.
// Prints seconds without writes, requests failed, writes per second before the kill and after
// recovery, and their ratio (the limit: after recovery at least half the rate before, measured
// in the same run); the invariants must all be 0. The last line is one JSON object.
// Usage: npx tsx bench/failover.ts [--people N] [--counters C] [--payers P] [--before S]
//        [--after S] [--rounds R] (R kills in a row, each of the leader of the moment)
// Needs Debian's patroni, etcd-server and haproxy (and postgresql-15); it stops, naming what is
// missing, when one is not installed.
import { uptime, loadavg } from 'node:os';
import { missingClusterPrograms, startCluster } from '../scripts/cluster/cluster';
import { runFailover, type FailoverReport } from '../test/support/failover';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const people = arg('--people', 3000);
const counters = arg('--counters', 8);
const payers = arg('--payers', 4);
const beforeSeconds = arg('--before', 10);
const afterSeconds = arg('--after', 15);
const rounds = arg('--rounds', 3);
const ratioLimit = 0.5;
const secondsWithoutWritesTarget = 15;

const missing = missingClusterPrograms();
if (missing.length > 0) {
  console.error(
    `bench/failover needs ${missing.join(', ')}: apt-get install patroni etcd-server haproxy postgresql-15`,
  );
  process.exit(1);
}

console.log(
  `cluster: 3 nodes; ${rounds} round(s) of ${people} people, ${counters} counters, ${payers} payers, ` +
    `kill after ${beforeSeconds} s, ${afterSeconds} s after recovery; load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (up ${Math.round(uptime() / 60)} min)`,
);
const cluster = await startCluster({ log: (line) => console.log(`  ${line}`), stopOnExit: true });
const reports: Omit<FailoverReport, 'serverOutput' | 'unexpected'>[] = [];
let failed = false;
try {
  for (let round = 1; round <= rounds; round++) {
    // Each round starts from a healthy cluster: the old primary has rejoined as a replica.
    await cluster.waitHealthy(120_000);
    const report = await runFailover(cluster, {
      people,
      redeemClients: counters,
      payClients: payers,
      beforeKillMs: beforeSeconds * 1000,
      afterRecoveryMs: afterSeconds * 1000,
      retryForMs: 120_000,
      log: (line) => console.log(`  round ${round}: ${line}`),
    });
    const { serverOutput, unexpected, ...figures } = report;
    reports.push(figures);
    const ratio =
      figures.writesPerSecondBeforeKill > 0
        ? figures.writesPerSecondAfterRecovery / figures.writesPerSecondBeforeKill
        : 0;
    const broken =
      figures.abandoned +
      figures.redemptionsMissing +
      figures.redemptionsDoubled +
      figures.redemptionsUnacknowledged +
      figures.transfersMissing +
      (figures.walletCreditDifference === '0' ? 0 : 1) +
      (figures.ledgerImbalance === '0' ? 0 : 1) +
      unexpected.length;
    console.log(
      `round ${round}: ${figures.oldLeader} → ${figures.newLeader}; ` +
        `${figures.secondsWithoutWrites} s without writes (target ≤ ${secondsWithoutWritesTarget}), ` +
        `first write ${figures.secondsToFirstWriteAfterKill} s after the kill; ` +
        `${figures.requestsFailed} of ${figures.requestsSent} requests failed (retried); ` +
        `${figures.redemptionsAcknowledged} redemptions and ${figures.transfersAcknowledged} transfers acknowledged; ` +
        `${figures.writesPerSecondBeforeKill} writes/s before, ${figures.writesPerSecondAfterRecovery} after ` +
        `(ratio ${ratio.toFixed(2)}, limit ≥ ${ratioLimit}); invariant breaks ${broken}`,
    );
    if (unexpected.length > 0) console.log(`  unexpected answers:\n  ${unexpected.join('\n  ')}`);
    if (broken > 0) {
      console.log(serverOutput.slice(-4000));
      failed = true;
    }
  }
} finally {
  await cluster.stop();
}
const worst = Math.max(...reports.map((r) => r.secondsWithoutWrites));
console.log(
  `worst: ${worst} s without writes over ${reports.length} failover(s); ${failed ? 'INVARIANT BROKEN' : 'every invariant held'}`,
);
process.exitCode = failed ? 1 : 0;
console.log(
  JSON.stringify({
    people,
    counters,
    payers,
    rounds: reports,
    worstSecondsWithoutWrites: worst,
    secondsWithoutWritesTarget,
    ratioLimit,
    invariantsHeld: !failed,
    loadAverage: loadavg()[0],
  }),
);
