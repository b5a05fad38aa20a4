import { randomBytes } from 'node:crypto';

// Random bytes come from a pool refilled 4 KiB at a time: one call into the CSPRNG per 256
// ids instead of one per id, which dominated bulk imports.
let pool = Buffer.alloc(0);
let poolAt = 0;
function randomPool(size: number): Buffer {
  if (poolAt + size > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += size;
  return pool.subarray(poolAt - size, poolAt);
}

/** Makes a new id. Passed in through the service context so that tests can be exact. */
export type IdGenerator = () => string;

/**
 * UUIDv7: time-ordered, so new rows append to the end of B-tree indexes instead of landing
 * at random pages — this matters for inserting millions of persons.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const bytes = Buffer.from(randomPool(16));
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An id generator over uuidv7. */
export const newUuid: IdGenerator = () => uuidv7();
