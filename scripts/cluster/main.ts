// The loopback PostgreSQL cluster from the command line (see cluster.ts for what it is):
//
//   npx tsx scripts/cluster/main.ts start [--dir DIR]   start (or restart) it; prints the URLs
//   npx tsx scripts/cluster/main.ts status --dir DIR    the members, as Patroni sees them
//   npx tsx scripts/cluster/main.ts stop --dir DIR      end every process (again: nothing to do)
//
// Without --dir, start makes a temporary folder and prints it: stop needs it.
import { openCluster, startCluster, stopCluster } from './cluster';

const [command, ...rest] = process.argv.slice(2);
const dirAt = rest.indexOf('--dir');
const dir = dirAt >= 0 ? rest[dirAt + 1] : undefined;
const usage =
  'usage: scripts/cluster/main.ts start [--dir DIR] | status --dir DIR | stop --dir DIR';

async function main(): Promise<number> {
  if (dirAt >= 0 && !dir) {
    console.error(`--dir needs a folder\n${usage}`);
    return 2;
  }
  switch (command) {
    case 'start': {
      const cluster = await startCluster({
        ...(dir ? { dir } : {}),
        log: (line) => console.log(`cluster: ${line}`),
      });
      console.log(`folder: ${cluster.state.dir}`);
      console.log(`TESSERA_DATABASE_URL=${cluster.writeUrl}`);
      console.log(`TESSERA_DATABASE_READ_URL=${cluster.readUrl}`);
      console.log(`stop: npx tsx scripts/cluster/main.ts stop --dir ${cluster.state.dir}`);
      return 0;
    }
    case 'status': {
      const cluster = dir ? openCluster(dir) : null;
      if (!cluster) {
        console.error(`no cluster in ${dir ?? '(no --dir given)'}\n${usage}`);
        return 2;
      }
      for (const m of await cluster.members())
        console.log(`${m.name}\t${m.role}\t${m.state}\tlag ${m.lag ?? 0}\ttimeline ${m.timeline}`);
      return 0;
    }
    case 'stop':
      if (!dir) {
        console.error(`stop needs --dir\n${usage}`);
        return 2;
      }
      await stopCluster(dir);
      console.log(`cluster in ${dir}: stopped`);
      return 0;
    default:
      console.error(usage);
      return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  },
);
