// What the point-of-service app keeps on the device, in IndexedDB (idb): the enrolled device
// (its id, token, the pack key and its non-extractable key pair — CryptoKeys are stored as
// they are, never exported), the current pack, the outbox of signed offline entries not yet
// accepted by the server, where the chain stands, what each lease has given offline, online
// redemptions awaiting an answer (with their Idempotency-Key, so a retry is the same
// request), and what the last syncs said. Recording an entry updates the outbox, the chain
// head, the lease's use and the day's total in one transaction.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ChainHead, SignedEntry } from './chain';
import type { Pack } from './pack';

/** The device as enrolment made it. */
export interface StoredDevice {
  deviceId: string;
  token: string;
  packKey: string;
  keyPair: CryptoKeyPair;
  pointId: string;
  pointName: string;
  pointCode: string;
  /** The deployment's time zone, from the session that enrolled the device. */
  timeZone: string;
  enrolledAt: string;
}

/** The pack on the device and when it came. */
export interface StoredPack {
  pack: Pack;
  signature: string;
  downloadedAt: string;
}

/** An online redemption sent but not answered (the network failed): retried with its key. */
export interface PendingRequest {
  key: string;
  body: unknown;
  label: string;
  createdAt: string;
}

/** What the server said of an uploaded entry. */
export interface SyncedEntry {
  counter: number;
  entitlementId: string;
  quantity: number;
  redeemedAt: string;
  outcome: 'redeemed' | 'conflict';
  receiptCode?: string;
  reason?: string;
  syncedAt: string;
}

/** The last sync's result. */
export interface LastSync {
  at: string;
  redeemed: number;
  conflicts: number;
  /** Set when the server refused the whole upload (a broken chain, say). */
  refused?: { code: string; reason?: string; counter?: number; message: string };
}

/** Units handed over offline on one (UTC) day, for the daily cap. */
export interface OfflineDay {
  day: string;
  units: number;
}

interface PosSchema extends DBSchema {
  device: { key: 'current'; value: StoredDevice };
  pack: { key: 'current'; value: StoredPack };
  outbox: { key: number; value: SignedEntry };
  synced: { key: number; value: SyncedEntry };
  leaseUse: { key: string; value: { leaseId: string; units: number } };
  pending: { key: string; value: PendingRequest };
  meta: {
    key: 'chain' | 'offlineDay' | 'lastSync';
    value: ChainHead | OfflineDay | LastSync;
  };
}

let opened: Promise<IDBPDatabase<PosSchema>> | undefined;

function db(): Promise<IDBPDatabase<PosSchema>> {
  opened ??= openDB<PosSchema>('tessera-pos', 1, {
    upgrade(d) {
      d.createObjectStore('device');
      d.createObjectStore('pack');
      d.createObjectStore('outbox');
      d.createObjectStore('synced');
      d.createObjectStore('leaseUse', { keyPath: 'leaseId' });
      d.createObjectStore('pending', { keyPath: 'key' });
      d.createObjectStore('meta');
    },
  });
  return opened;
}

/** The enrolled device, or null before enrolment. */
export async function loadDevice(): Promise<StoredDevice | null> {
  return (await (await db()).get('device', 'current')) ?? null;
}

/** Keeps the enrolled device and starts its chain where the server says it stands. */
export async function saveDevice(device: StoredDevice, chainCounter: number): Promise<void> {
  const tx = (await db()).transaction(['device', 'meta'], 'readwrite');
  await tx.objectStore('device').put(device, 'current');
  if (chainCounter === 0)
    await tx.objectStore('meta').put({ counter: 0, hash: '0'.repeat(64) }, 'chain');
  await tx.done;
}

/** The pack on the device, or null. */
export async function loadPack(): Promise<StoredPack | null> {
  return (await (await db()).get('pack', 'current')) ?? null;
}

/**
 * Keeps a new (verified) pack. Its leases already count what the server accepted, so what a
 * lease gave offline is recounted from the entries still in the outbox.
 */
export async function savePack(stored: StoredPack): Promise<void> {
  const tx = (await db()).transaction(['pack', 'outbox', 'leaseUse'], 'readwrite');
  const queued = await tx.objectStore('outbox').getAll();
  const use = new Map<string, number>();
  for (const { entry } of queued)
    use.set(entry.leaseId, (use.get(entry.leaseId) ?? 0) + entry.quantity);
  await tx.objectStore('leaseUse').clear();
  for (const [leaseId, units] of use) await tx.objectStore('leaseUse').put({ leaseId, units });
  await tx.objectStore('pack').put(stored, 'current');
  await tx.done;
}

/** Where the chain stands. */
export async function loadChain(): Promise<ChainHead> {
  const head = (await (await db()).get('meta', 'chain')) as ChainHead | undefined;
  return head ?? { counter: 0, hash: '0'.repeat(64) };
}

/** Units each lease gave offline since the pack. */
export async function loadLeaseUse(): Promise<Map<string, number>> {
  const rows = await (await db()).getAll('leaseUse');
  return new Map(rows.map((r) => [r.leaseId, r.units]));
}

/** Units handed over offline on `day`. */
export async function unitsOfflineOn(day: string): Promise<number> {
  const found = (await (await db()).get('meta', 'offlineDay')) as OfflineDay | undefined;
  return found?.day === day ? found.units : 0;
}

/**
 * Records a signed entry: outbox, chain head, the lease's use and the day's units, in one
 * transaction, only if the chain still stands where the entry was made from.
 */
export async function recordEntry(signed: SignedEntry, head: ChainHead): Promise<void> {
  const tx = (await db()).transaction(['outbox', 'meta', 'leaseUse'], 'readwrite');
  const meta = tx.objectStore('meta');
  const before = ((await meta.get('chain')) as ChainHead | undefined) ?? {
    counter: 0,
    hash: '0'.repeat(64),
  };
  if (before.counter !== signed.entry.counter - 1 || before.hash !== signed.entry.prev) {
    tx.done.catch(() => undefined);
    tx.abort();
    throw new Error('another entry was recorded meanwhile; try again');
  }
  await tx.objectStore('outbox').put(signed, signed.entry.counter);
  await meta.put(head, 'chain');
  const day = signed.entry.redeemedAt.slice(0, 10);
  const today = (await meta.get('offlineDay')) as OfflineDay | undefined;
  await meta.put(
    { day, units: (today?.day === day ? today.units : 0) + signed.entry.quantity },
    'offlineDay',
  );
  const use = await tx.objectStore('leaseUse').get(signed.entry.leaseId);
  await tx
    .objectStore('leaseUse')
    .put({ leaseId: signed.entry.leaseId, units: (use?.units ?? 0) + signed.entry.quantity });
  await tx.done;
}

/** The outbox, in counter order. */
export async function loadOutbox(): Promise<SignedEntry[]> {
  return (await db()).getAll('outbox');
}

/** Moves what the server accepted out of the outbox, with what it said; keeps the result. */
export async function settleSynced(done: SyncedEntry[], last: LastSync): Promise<void> {
  const tx = (await db()).transaction(['outbox', 'synced', 'meta'], 'readwrite');
  for (const s of done) {
    await tx.objectStore('outbox').delete(s.counter);
    await tx.objectStore('synced').put(s, s.counter);
  }
  await tx.objectStore('meta').put(last, 'lastSync');
  await tx.done;
}

/** Keeps a sync's result without settling anything (the upload was refused, say). */
export async function saveLastSync(last: LastSync): Promise<void> {
  await (await db()).put('meta', last, 'lastSync');
}

/** The last sync's result, or null. */
export async function loadLastSync(): Promise<LastSync | null> {
  return ((await (await db()).get('meta', 'lastSync')) as LastSync | undefined) ?? null;
}

/** Every entry the server has answered, newest first. */
export async function loadSynced(): Promise<SyncedEntry[]> {
  return (await (await db()).getAll('synced')).reverse();
}

/** Keeps an online redemption before it is sent. */
export async function savePending(request: PendingRequest): Promise<void> {
  await (await db()).put('pending', request);
}

/** Forgets an online redemption that got its answer. */
export async function dropPending(key: string): Promise<void> {
  await (await db()).delete('pending', key);
}

/** Online redemptions still waiting for an answer. */
export async function loadPending(): Promise<PendingRequest[]> {
  return (await db()).getAll('pending');
}
