// A PostgreSQL 15 cluster that survives losing its primary, on loopback, from Debian's own
// packages: a single-node etcd holds the leader key; three Patroni agents each run one
// PostgreSQL (one primary, two streaming replicas, `synchronous_mode: true`, so a commit is
// acknowledged only once a replica has it, and only that replica may be promoted); HAProxy
// sends its write port to whichever node answers Patroni's REST `/primary` with 200, and its
// read port to the nodes answering `/replica`.
//
// Everything listens on 127.0.0.1 only, on free ports, in one folder (a temporary one unless
// given); the folder's `cluster.json` names the ports, the password and every process, so
// that `stopCluster(dir)` can end them from another process, as many times as it is called.
// The processes are detached from whoever started them: the command line (scripts/cluster/
// main.ts) leaves a cluster running for a developer; a test stops its own in an `after` hook.
//
// When we run as root (CI, containers) every process runs as the `postgres` user, because
// PostgreSQL refuses root and Patroni starts PostgreSQL itself. Nothing is installed as a
// system service: Debian's packages only provide the binaries.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findPostgresBin, freePort } from '../../test/support/local-pg';

/** The programs the cluster needs, by the names Debian installs them under. */
export const clusterPrograms = ['etcd', 'patroni', 'haproxy'] as const;

/** The programs (and PostgreSQL's server binaries) missing from this machine; empty when none. */
export function missingClusterPrograms(): string[] {
  const missing: string[] = clusterPrograms.filter((name) => !commandPath(name));
  if (!findPostgresBin()) missing.push('postgresql-15');
  return missing;
}

function commandPath(name: string): string | null {
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found ? found : null;
}

/** One Patroni-managed PostgreSQL. */
export interface ClusterNode {
  name: string;
  pgPort: number;
  apiPort: number;
  dataDir: string;
}

/** What `cluster.json` holds: enough for another process to find and stop everything. */
export interface ClusterState {
  dir: string;
  /** True when startCluster made the folder itself: stop removes it. */
  temporary: boolean;
  password: string;
  database: string;
  etcdPort: number;
  etcdPeerPort: number;
  writePort: number;
  readPort: number;
  nodes: ClusterNode[];
  /** Process ids of etcd, each Patroni, and HAProxy. */
  pids: Record<string, number>;
}

/** A member as Patroni's REST `/cluster` reports it. */
export interface ClusterMember {
  name: string;
  role: string;
  state: string;
  lag?: number | string;
  timeline?: number;
}

/** A running cluster. */
export interface Cluster {
  state: ClusterState;
  /** `postgres://…` through HAProxy's write port: always the current primary. */
  writeUrl: string;
  /** `postgres://…` through HAProxy's read port: the replicas, round robin. */
  readUrl: string;
  /** The members as the first Patroni that answers reports them. */
  members(): Promise<ClusterMember[]>;
  /** The leader's name, or null while there is none. */
  leader(): Promise<string | null>;
  /** The process id of a node's postmaster, from its `postmaster.pid`, or null. */
  postmasterPid(name: string): number | null;
  /** Waits until there is a leader, a synchronous standby and every member is running. */
  waitHealthy(timeoutMs?: number): Promise<ClusterMember[]>;
  /** Ends every process (idempotent); removes the folder when it was a temporary one. */
  stop(): Promise<void>;
}

/** Where to start, and how to say what happens. */
export interface ClusterOptions {
  /** The folder; a new temporary one unless given. An existing cluster's folder restarts it. */
  dir?: string;
  /** The database created for Tessera on the primary (`tessera` unless given). */
  database?: string;
  /** How long to wait for the cluster to be healthy (default 120 s). */
  startTimeoutMs?: number;
  /** Progress lines; silent unless given. */
  log?: (line: string) => void;
  /**
   * Kill the cluster when this process ends, even by a crash or a signal (tests): a test
   * file that dies must not leave three PostgreSQL servers running on a shared machine.
   */
  stopOnExit?: boolean;
}

const host = '127.0.0.1';
const stateFile = 'cluster.json';

/** The user every process runs as: `postgres` when we are root, else ourselves. */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0)
    throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** A set of distinct free loopback ports. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  // Bounded: a port handed out twice in a row is retried, at most 20 times over.
  for (let tries = 0; ports.size < count && tries < count + 20; tries++)
    ports.add(await freePort());
  if (ports.size < count) throw new Error(`could not find ${count} free loopback ports`);
  return [...ports];
}

function patroniConfig(state: ClusterState, node: ClusterNode, binDir: string): string {
  // JSON is YAML: no YAML writer needed, and every value is quoted exactly.
  const config = {
    scope: 'tessera',
    namespace: '/tessera/',
    name: node.name,
    log: { level: 'INFO', dir: join(state.dir, node.name) },
    restapi: {
      listen: `${host}:${node.apiPort}`,
      connect_address: `${host}:${node.apiPort}`,
    },
    etcd3: { host: `${host}:${state.etcdPort}` },
    bootstrap: {
      dcs: {
        // Short timings for loopback: a lost leader key is noticed within seconds.
        ttl: 10,
        loop_wait: 1,
        retry_timeout: 4,
        maximum_lag_on_failover: 1048576,
        // A crashed primary is not restarted in place: its synchronous standby takes over at
        // once (safe, because synchronous mode promotes only a standby that has every commit).
        primary_start_timeout: 0,
        synchronous_mode: true,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: {
            max_connections: 200,
            max_wal_senders: 10,
            max_replication_slots: 10,
            wal_level: 'replica',
            wal_log_hints: 'on',
            hot_standby: 'on',
            wal_keep_size: '128MB',
            synchronous_commit: 'on',
          },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }, { 'auth-host': 'scram-sha-256' }],
    },
    postgresql: {
      listen: `${host}:${node.pgPort}`,
      connect_address: `${host}:${node.pgPort}`,
      data_dir: node.dataDir,
      bin_dir: binDir,
      pgpass: join(state.dir, node.name, 'pgpass'),
      authentication: {
        superuser: { username: 'postgres', password: state.password },
        replication: { username: 'replicator', password: state.password },
        rewind: { username: 'rewinder', password: state.password },
      },
      parameters: {
        unix_socket_directories: join(state.dir, node.name),
        shared_buffers: '64MB',
      },
      pg_hba: [
        'local all all trust',
        `host replication replicator ${host}/32 scram-sha-256`,
        `host all all ${host}/32 scram-sha-256`,
      ],
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
  return JSON.stringify(config, null, 2);
}

function haproxyConfig(state: ClusterState): string {
  // A node is in the write pool only while its Patroni says it is the primary; sessions to a
  // node marked down are cut at once, so that a pool's connections to a dead primary fail now
  // and are replaced, instead of hanging until a TCP timeout.
  const pool = (name: string, port: number, check: string, balance: string) => [
    `listen ${name}`,
    `  bind ${host}:${port}`,
    `  balance ${balance}`,
    `  option httpchk OPTIONS ${check}`,
    '  http-check expect status 200',
    ...state.nodes.map((n) => `  server ${n.name} ${host}:${n.pgPort} check port ${n.apiPort}`),
  ];
  return [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 30m',
    '  timeout server 30m',
    '  timeout check 1s',
    '  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions',
    ...pool('primary', state.writePort, '/primary', 'first'),
    ...pool('replicas', state.readPort, '/replica', 'roundrobin'),
    '',
  ].join('\n');
}

/** Whether a process runs; a zombie (exited, not yet reaped by its parent) does not. */
function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  // The state letter follows the command name in parentheses.
  const text = readFileSync(stat, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z';
}

function launch(
  state: ClusterState,
  name: string,
  command: string,
  args: string[],
  user: { uid: number; gid: number } | null,
): number {
  const log = openSync(join(state.dir, `${name}.log`), 'a');
  const child = spawn(command, args, {
    cwd: state.dir,
    detached: true,
    stdio: ['ignore', log, log],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: state.dir, LANG: 'C.UTF-8' },
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  child.unref();
  if (!child.pid) throw new Error(`could not start ${command}`);
  return child.pid;
}

function readState(dir: string): ClusterState | null {
  const path = join(dir, stateFile);
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as ClusterState;
}

function writeState(state: ClusterState): void {
  writeFileSync(join(state.dir, stateFile), JSON.stringify(state, null, 2), { mode: 0o600 });
}

function urlOf(state: ClusterState, port: number): string {
  return `postgres://postgres:${state.password}@${host}:${port}/${state.database}`;
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  return response.json();
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Starts (or restarts, from its folder) a cluster and waits until it is healthy. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const missing = missingClusterPrograms();
  if (missing.length > 0)
    throw new Error(
      `missing ${missing.join(', ')}: apt-get install patroni etcd-server haproxy postgresql-15`,
    );
  const log = options.log ?? (() => {});
  const binDir = findPostgresBin()!;
  const user = serverUser();
  const temporary = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tessera-cluster-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let state = readState(dir);
  if (state && Object.values(state.pids).some(alive)) {
    log(`a cluster is already running in ${dir}`);
  } else {
    if (!state) {
      const [etcdPort, etcdPeerPort, writePort, readPort, ...rest] = await freePorts(10);
      state = {
        dir,
        temporary,
        password: randomBytes(18).toString('base64url'),
        database: options.database ?? 'tessera',
        etcdPort: etcdPort!,
        etcdPeerPort: etcdPeerPort!,
        writePort: writePort!,
        readPort: readPort!,
        nodes: [0, 1, 2].map((i) => ({
          name: `node${i + 1}`,
          pgPort: rest[i * 2]!,
          apiPort: rest[i * 2 + 1]!,
          dataDir: join(dir, `node${i + 1}`, 'data'),
        })),
        pids: {},
      };
    }
    for (const node of state.nodes) mkdirSync(join(dir, node.name), { recursive: true });
    mkdirSync(join(dir, 'etcd'), { recursive: true, mode: 0o700 });
    for (const node of state.nodes)
      writeFileSync(join(dir, `${node.name}.yml`), patroniConfig(state, node, binDir));
    writeFileSync(join(dir, 'haproxy.cfg'), haproxyConfig(state));
    if (user) chownTree(dir, user);
    writeState(state);
    log(`etcd on ${host}:${state.etcdPort}`);
    const peer = `http://${host}:${state.etcdPeerPort}`;
    const client = `http://${host}:${state.etcdPort}`;
    state.pids.etcd = launch(
      state,
      'etcd',
      'etcd',
      [
        '--name=tessera-etcd',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=tessera-etcd=${peer}`,
        '--initial-cluster-state=new',
      ],
      user,
    );
    writeState(state);
    await waitFor(
      async () => {
        const health = (await fetchJson(`${client}/health`)) as { health?: string };
        return health.health === 'true';
      },
      30_000,
      'etcd to answer /health',
      () => tail(join(dir, 'etcd.log')),
    );
    // On a fresh start the first node bootstraps the cluster (initdb) before the others clone
    // it: node1 leads, which is easier to read in the logs, and there is no race over initdb.
    // On a restart every node comes back with its own data, and Patroni elects among them.
    const fresh = !existsSync(state.nodes[0]!.dataDir);
    for (const node of state.nodes) {
      log(`Patroni ${node.name}: PostgreSQL on ${host}:${node.pgPort}, REST on ${node.apiPort}`);
      state.pids[node.name] = launch(
        state,
        node.name,
        'patroni',
        [join(dir, `${node.name}.yml`)],
        user,
      );
      writeState(state);
      if (fresh && node === state.nodes[0]) {
        await waitFor(
          async () => {
            const s = (await fetchJson(`http://${host}:${node.apiPort}/patroni`)) as {
              role?: string;
              state?: string;
            };
            return s.role === 'master' && s.state === 'running';
          },
          options.startTimeoutMs ?? 120_000,
          `${node.name} to bootstrap as primary`,
          () => tail(join(dir, `${node.name}.log`)),
        );
      }
    }
    state.pids.haproxy = launch(
      state,
      'haproxy',
      'haproxy',
      ['-f', join(dir, 'haproxy.cfg'), '-db'],
      user,
    );
    writeState(state);
  }
  const cluster = clusterOf(state);
  if (options.stopOnExit) killOnExit(state);
  log('waiting for both replicas to stream and one to be synchronous');
  await cluster.waitHealthy(options.startTimeoutMs ?? 120_000);
  await createDatabase(state);
  log(`write (primary): ${cluster.writeUrl}`);
  log(`read (replicas): ${cluster.readUrl}`);
  return cluster;
}

function chownTree(dir: string, user: { uid: number; gid: number }): void {
  const result = spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`chown ${dir}: ${result.stderr}`);
}

function tail(path: string): string {
  if (!existsSync(path)) return `(no ${path})`;
  return readFileSync(path, 'utf8').split('\n').slice(-30).join('\n');
}

/** Polls `check` every 250 ms until it is true; the deadline bounds the loop. */
async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await sleep(250);
  }
  throw new Error(`cluster: waited ${timeoutMs} ms for ${what} (${last})\n${detail()}`);
}

async function createDatabase(state: ClusterState): Promise<void> {
  const client = new pg.Client({
    connectionString: urlOf(state, state.writePort).replace(/\/[^/]*$/, '/postgres'),
  });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [
      state.database,
    ]);
    if (found.rowCount === 0) await client.query(`create database "${state.database}"`);
  } finally {
    await client.end();
  }
}

/** The cluster whose folder this is (it may be stopped). */
export function openCluster(dir: string): Cluster | null {
  const state = readState(dir);
  return state ? clusterOf(state) : null;
}

function clusterOf(state: ClusterState): Cluster {
  const members = async (): Promise<ClusterMember[]> => {
    let last: unknown = null;
    for (const node of state.nodes) {
      try {
        const body = (await fetchJson(`http://${host}:${node.apiPort}/cluster`)) as {
          members?: ClusterMember[];
        };
        if (body.members) return body.members;
      } catch (e) {
        last = e;
      }
    }
    throw new Error(`no Patroni answered /cluster: ${String(last)}`);
  };
  return {
    state,
    writeUrl: urlOf(state, state.writePort),
    readUrl: urlOf(state, state.readPort),
    members,
    async leader() {
      const leader = (await members()).find((m) => m.role === 'leader' && m.state === 'running');
      return leader?.name ?? null;
    },
    postmasterPid(name) {
      const node = state.nodes.find((n) => n.name === name);
      if (!node) throw new Error(`no node named ${name}`);
      const path = join(node.dataDir, 'postmaster.pid');
      if (!existsSync(path)) return null;
      const pid = Number(readFileSync(path, 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    },
    async waitHealthy(timeoutMs = 120_000) {
      let seen: ClusterMember[] = [];
      await waitFor(
        async () => {
          seen = await members();
          const running = (m: ClusterMember) => m.state === 'running' || m.state === 'streaming';
          return (
            seen.length === state.nodes.length &&
            seen.every(running) &&
            seen.some((m) => m.role === 'leader') &&
            seen.some((m) => m.role === 'sync_standby')
          );
        },
        timeoutMs,
        'a leader, a synchronous standby and three running members',
        () => JSON.stringify(seen),
      );
      return seen;
    },
    stop: () => stopCluster(state.dir),
  };
}

/**
 * SIGKILLs every process of the cluster at once, synchronously (an exit hook cannot wait).
 * The process ids are read again from the folder: after stop() there are none (or no folder),
 * and a number kept from before could by now belong to another process.
 */
function killNow(started: ClusterState): void {
  const state = readState(started.dir);
  if (!state) return;
  const cluster = clusterOf(state);
  const pids = [
    ...Object.values(state.pids),
    ...state.nodes.map((n) => cluster.postmasterPid(n.name) ?? 0),
  ];
  for (const pid of pids)
    if (alive(pid))
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
  if (state.temporary) rmSync(state.dir, { recursive: true, force: true });
}

function killOnExit(state: ClusterState): void {
  process.on('exit', () => killNow(state));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      killNow(state);
      // Then end as the signal would have ended this process without the hook.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * Ends a cluster's processes: HAProxy, the Patroni agents (SIGKILL, so that none promotes
 * anything on the way out), every PostgreSQL (immediate shutdown, as after a crash: the next
 * start recovers from the WAL), then etcd. Doing nothing for what is already gone, it can be
 * called again, or on a folder whose cluster never started. A temporary folder is removed.
 */
export async function stopCluster(dir: string): Promise<void> {
  const state = readState(dir);
  if (!state) return;
  const kill = (pid: number | undefined, signal: NodeJS.Signals) => {
    if (!alive(pid)) return;
    try {
      process.kill(pid!, signal);
    } catch {
      // Gone between the check and the signal.
    }
  };
  kill(state.pids.haproxy, 'SIGKILL');
  for (const node of state.nodes) kill(state.pids[node.name], 'SIGKILL');
  const cluster = clusterOf(state);
  // SIGQUIT is PostgreSQL's immediate shutdown: the postmaster ends every backend and exits.
  for (const node of state.nodes) kill(cluster.postmasterPid(node.name) ?? undefined, 'SIGQUIT');
  // Bounded: 10 s for the postmasters to exit, then they are killed.
  const deadline = Date.now() + 10_000;
  const postmasters = () =>
    state.nodes.map((n) => cluster.postmasterPid(n.name)).filter((pid) => alive(pid ?? 0));
  while (postmasters().length > 0 && Date.now() < deadline) await sleep(100);
  for (const pid of postmasters()) kill(pid ?? undefined, 'SIGKILL');
  kill(state.pids.etcd, 'SIGKILL');
  const pids = Object.values(state.pids);
  while (pids.some(alive) && Date.now() < deadline + 5_000) await sleep(50);
  state.pids = {};
  if (state.temporary) rmSync(dir, { recursive: true, force: true });
  else writeState(state);
}
