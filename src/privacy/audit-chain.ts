// The tamper-evident audit log, as pure functions (principle 6, invariant 4).
//
// Writers append entries without a hash, so concurrent requests never wait on one "last
// hash" row. A sealer later takes the unchained entries in a batch, gives them contiguous
// `chainIndex` values and chains them: hash = SHA-256(prevHash ‖ canonicalJson(entry
// without hash)), where prevHash is the 32 raw bytes of the previous entry's hash (the
// genesis hash for entry 0). After each batch it signs a seal over the chain head with an
// Ed25519 key of the system. Editing, deleting, inserting or moving a row then breaks a
// hash; recomputing every hash after an edit breaks the next seal, which needs the key.
// Chain format 2 (every entry sealed since the 2026-12-03 migration) also hashes the entry's
// rows in audit_subjects, the index behind each person's access report, so that deleting a
// person's index rows is detected like an edit. Entries sealed before keep format 1.
//
// Why canonical JSON: rows come back from SQLite text and PostgreSQL jsonb with keys
// reordered and whitespace changed, so hashing the stored text would fail on an intact
// log. Hashing a canonical encoding of the values (keys sorted by UTF-16 code unit, no
// whitespace, ECMAScript number and string formatting — RFC 8785 for JSON values) makes
// the hash depend only on what the entry says. Callers must store `at` as text exactly as
// given, keep numbers in `details` within safe integers, and avoid "\u0000" (jsonb refuses it).
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/** An audit entry as stored, after sealing. */
export interface AuditEntry {
  chainIndex: number;
  id: string;
  at: string;
  actorId: string | null;
  actorRole: string | null;
  operation: string;
  purpose: string | null;
  subjectIds: string[];
  details: Record<string, unknown>;
  origin: string | null;
  hash: string;
  /**
   * The chain format the entry was sealed in: absent for format 1 (entries sealed before the
   * 2026-12-03 migration), 2 when the hash also covers `indexedSubjectIds`.
   */
  format?: 2;
  /**
   * Format 2: the person ids of the entry's rows in `audit_subjects`, the index behind each
   * person's access report, as they stood when it was sealed. Covering them in the hash makes
   * a deleted (or added) index row as visible as an edited entry.
   */
  indexedSubjectIds?: readonly string[];
  /** Set by a reader whose index rows disagree with the entry otherwise (e.g. another time). */
  indexProblem?: string;
}

/** An entry as appended by a writer: no place in the chain yet. */
export type PendingAuditEntry = Omit<AuditEntry, 'chainIndex' | 'hash'>;

/**
 * A stored row in the chain that cannot be read as an entry (its JSON is damaged). It fits
 * nowhere, so verification reports it in its place in the stream instead of stopping.
 */
export interface UnreadableAuditEntry {
  chainIndex: number;
  id: string;
  hash: string;
  /** What is wrong with the row, e.g. "details is not JSON". */
  unreadable: string;
}

/** What verification reads, in chain order: entries, and rows that cannot be read as entries. */
export type ChainRow = AuditEntry | UnreadableAuditEntry;

/** A signed statement "the chain up to `chainIndex` has head `headHash`". */
export interface AuditSeal {
  chainIndex: number;
  headHash: string;
  /** ISO 8601 instant of sealing. */
  sealedAt: string;
  /** Which system key signed; verifiers look the public key up by it (keys rotate). */
  keyId: string;
  /** Ed25519 signature, base64url, over `sealSigningInput(seal)`. */
  signature: string;
}

/** The hash that entry 0 chains from: SHA-256 of a fixed label, so it is not all zeros. */
export const genesisHash = createHash('sha256').update('tessera.audit.v1.genesis').digest('hex');

const hashPattern = /^[0-9a-f]{64}$/;

/** RFC 8785-style canonical JSON: sorted keys, no whitespace; throws on non-JSON values. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v: unknown) => canonicalJson(v)).join(',')}]`;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new Error('canonicalJson: only plain objects can be encoded');
    }
    const record = value as Record<string, unknown>;
    // Undefined members are dropped, as JSON.stringify and a database round trip do.
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: cannot encode a ${typeof value}`);
}

/**
 * The hash of `entry` chained after `prevHash`; fields other than the entry's own are ignored.
 * Format 1 covers the entry's columns; format 2 adds its format and its index rows.
 */
export function chainHash(prevHash: string, entry: Omit<AuditEntry, 'hash'>): string {
  if (!hashPattern.test(prevHash)) throw new Error('chainHash: prevHash must be 64 hex digits');
  const fields = {
    chainIndex: entry.chainIndex,
    id: entry.id,
    at: entry.at,
    actorId: entry.actorId,
    actorRole: entry.actorRole,
    operation: entry.operation,
    purpose: entry.purpose,
    subjectIds: entry.subjectIds,
    details: entry.details,
    origin: entry.origin,
  };
  let body: string;
  if (entry.format === 2) {
    if (!entry.indexedSubjectIds) throw new Error('chainHash: format 2 needs indexedSubjectIds');
    // Sorted, not deduplicated: a second index row for the same person is a change too.
    const indexedSubjectIds = [...entry.indexedSubjectIds].sort();
    body = canonicalJson({ ...fields, format: 2, indexedSubjectIds });
  } else {
    body = canonicalJson(fields);
  }
  return createHash('sha256')
    .update(Buffer.from(prevHash, 'hex'))
    .update(body, 'utf8')
    .digest('hex');
}

/**
 * What the sealer does to one batch: gives `pending` entries (in the order it chose,
 * e.g. by append sequence) the indices from `firstIndex` on, and their chained hashes.
 */
export function chainBatch(
  prevHash: string,
  firstIndex: number,
  pending: readonly PendingAuditEntry[],
): AuditEntry[] {
  let prev = prevHash;
  return pending.map((entry, i) => {
    const unhashed = { ...entry, chainIndex: firstIndex + i };
    prev = chainHash(prev, unhashed);
    return { ...unhashed, hash: prev };
  });
}

/** The exact bytes a seal's signature covers (domain-separated from any other use of the key). */
export function sealSigningInput(seal: Omit<AuditSeal, 'signature'>): Buffer {
  const { chainIndex, headHash, sealedAt, keyId } = seal;
  const payload = { type: 'tessera.audit.seal.v1', chainIndex, headHash, sealedAt, keyId };
  return Buffer.from(canonicalJson(payload), 'utf8');
}

/** Signs a seal with an Ed25519 private key. */
export function signSeal(seal: Omit<AuditSeal, 'signature'>, privateKey: KeyObject): AuditSeal {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('seals are signed with Ed25519');
  if (!hashPattern.test(seal.headHash)) throw new Error('seal headHash must be 64 hex digits');
  const signature = sign(null, sealSigningInput(seal), privateKey).toString('base64url');
  const { chainIndex, headHash, sealedAt, keyId } = seal;
  return { chainIndex, headHash, sealedAt, keyId, signature };
}

/** True when the seal's signature is valid under `publicKey` (an Ed25519 key). */
export function verifySeal(seal: AuditSeal, publicKey: KeyObject): boolean {
  if (publicKey.asymmetricKeyType !== 'ed25519') return false;
  try {
    const signature = Buffer.from(seal.signature, 'base64url');
    return verify(null, sealSigningInput(seal), publicKey, signature);
  } catch {
    return false;
  }
}

/** What kind of tampering verification found. */
export type ChainProblem =
  | 'altered'
  | 'removed'
  | 'reordered'
  | 'inserted'
  | 'bad_seal'
  /** An entry's rows in audit_subjects (the access-report index) differ from those sealed. */
  | 'index_altered'
  /** Chained entries at the end that no seal covers: the sealer seals every batch it chains. */
  | 'unsealed'
  /** The anchor (a head kept outside the database) is not signed by a pinned key, or not reached. */
  | 'bad_anchor';

/** The verdict on a range of the log. */
export type ChainVerification =
  | {
      ok: true;
      entriesChecked: number;
      sealsChecked: number;
      /** Index and hash of the last entry checked: where the next page continues from. */
      lastIndex: number | null;
      headHash: string;
      /** The last index covered by a valid seal; entries after it are chained but unsealed. */
      lastSealedIndex: number | null;
    }
  | {
      ok: false;
      problem: ChainProblem;
      /** The first index where the log is wrong. */
      chainIndex: number;
      /** The entry found there; null when it is missing. */
      entryId: string | null;
      message: string;
    };

/** Range options: verify from `fromIndex` (chaining from `prevHash`) up to `toIndex`. */
export interface VerifyChainOptions {
  fromIndex?: number;
  /** Last index that must be present; entries after it are not read. */
  toIndex?: number;
  /** Hash of entry `fromIndex - 1`, best taken from a verified seal; required when fromIndex > 0. */
  prevHash?: string;
  /**
   * A seal kept outside the database (`tessera audit anchor`): it must be signed by a trusted
   * key, and the chain must still reach its head. Must lie in [fromIndex, toIndex].
   */
  anchor?: AuditSeal;
}

/** Entries held after the first problem, to tell a move or an insertion from an edit. */
export const tamperLookaheadMax = 256;

type Failure = { ok: false } & Omit<Extract<ChainVerification, { ok: false }>, 'ok'>;

function fitsAt(prev: string, entry: ChainRow, index: number, hashes: string[]): boolean {
  if ('unreadable' in entry) return false;
  try {
    return hashes.includes(chainHash(prev, { ...entry, chainIndex: index }));
  } catch {
    return false; // a corrupt row (e.g. details that are not JSON) fits nowhere
  }
}

function failure(
  problem: ChainProblem,
  chainIndex: number,
  entryId: string | null,
  message: string,
): Failure {
  return { ok: false, problem, chainIndex, entryId, message };
}

// The entry at the expected position carries a different index: a gap, a duplicate, or
// an index that goes backwards.
function classifyIndex(expected: number, window: readonly ChainRow[]): Failure {
  const x = window[0]!;
  if (x.chainIndex > expected) {
    const later = window
      .slice(1)
      .find((y) => y.chainIndex >= expected && y.chainIndex < x.chainIndex);
    if (later) {
      const at = `#${later.chainIndex} appears after #${x.chainIndex}`;
      return failure('reordered', x.chainIndex, x.id, `entries are out of order: ${at}`);
    }
    const missing = x.chainIndex - expected;
    const message = `${missing} entr${missing === 1 ? 'y is' : 'ies are'} missing from #${expected} (the next present is #${x.chainIndex}, ${x.id})`;
    return failure('removed', expected, null, message);
  }
  if (x.chainIndex === expected - 1) {
    return failure(
      'inserted',
      x.chainIndex,
      x.id,
      `a second entry claims #${x.chainIndex}: ${x.id}`,
    );
  }
  return failure(
    'reordered',
    x.chainIndex,
    x.id,
    `#${x.chainIndex} appears after #${expected - 1}`,
  );
}

// `a` less `b`, counting repeats: what `a` holds that `b` does not.
function without(a: readonly string[], b: readonly string[]): string[] {
  const rest = [...b];
  return a.filter((x) => {
    const i = rest.indexOf(x);
    if (i < 0) return true;
    rest.splice(i, 1);
    return false;
  });
}

// A format 2 entry that hashes once its index rows are put back as appendAudit writes them
// (one per subject, or none for a bulk entry) lost or gained index rows, nothing else.
function indexDiagnosis(prev: string, index: number, x: ChainRow): string | null {
  if ('unreadable' in x || x.format !== 2) return null;
  const actual = x.indexedSubjectIds ?? [];
  for (const sealed of [x.subjectIds, []]) {
    if (!fitsAt(prev, { ...x, indexedSubjectIds: sealed }, index, [x.hash])) continue;
    const missing = without(sealed, actual);
    const extra = without(actual, sealed);
    const parts = [
      ...(missing.length > 0 ? [`rows deleted for ${missing.join(', ')}`] : []),
      ...(extra.length > 0 ? [`rows added for ${extra.join(', ')}`] : []),
    ];
    return `the access-report index of entry #${index} (${x.id}) was altered: ${parts.join('; ')}`;
  }
  return null;
}

// The entry at index `expected` does not hash to its stored hash. Look ahead to tell an
// in-place edit from a move, an insertion, or a removal followed by renumbering.
function classifyMismatch(prev: string, expected: number, window: readonly ChainRow[]): Failure {
  const x = window[0]!;
  for (let j = 1; j < window.length; j++) {
    const y = window[j]!;
    if (!fitsAt(prev, y, expected, [y.hash, x.hash])) continue;
    // y's content belongs at `expected`: x is an extra entry, or y and x swapped places.
    if (y.chainIndex === expected) {
      return failure('inserted', expected, x.id, `${x.id} was inserted at #${expected}`);
    }
    const prevs = [window[j - 1]!.hash, y.hash];
    if (prevs.some((p) => fitsAt(p, x, y.chainIndex, [x.hash, y.hash]))) {
      const message = `${x.id} belongs at #${y.chainIndex} and ${y.id} at #${expected}`;
      return failure('reordered', expected, x.id, message);
    }
    const message = `${j} entr${j === 1 ? 'y was' : 'ies were'} inserted at #${expected} and the rest renumbered`;
    return failure('inserted', expected, x.id, message);
  }
  const z = window[1];
  for (let shift = 1; z && shift < tamperLookaheadMax; shift++) {
    if (!fitsAt(x.hash, z, z.chainIndex + shift, [z.hash])) continue;
    const message = `${shift} entr${shift === 1 ? 'y was' : 'ies were'} removed at #${expected} and the rest renumbered`;
    return failure('removed', expected, null, message);
  }
  const index = indexDiagnosis(prev, expected, x);
  if (index) return failure('index_altered', expected, x.id, index);
  const message =
    'unreadable' in x
      ? `entry #${expected} (${x.id}) cannot be read (${x.unreadable}): it was altered or damaged`
      : `entry #${expected} (${x.id}) does not match its hash: it was altered, or the entry before it was altered and rehashed`;
  return failure('altered', expected, x.id, message);
}

/**
 * Streaming verifier: constant memory over any number of entries. Feed seals and entries
 * in chainIndex order, each seal before the entry it covers (`verifyChain` does this merge),
 * then call `finish()`.
 */
export class ChainVerifier {
  readonly #publicKeys: ReadonlyMap<string, KeyObject>;
  readonly #fromIndex: number;
  readonly #toIndex: number | undefined;
  #expected: number;
  #prevHash: string;
  #entriesChecked = 0;
  #sealsChecked = 0;
  #lastSealedIndex: number | null = null;
  #pendingSeals: AuditSeal[] = [];
  #window: ChainRow[] | null = null;
  #failure: Failure | null = null;
  readonly #anchor: AuditSeal | undefined;

  constructor(publicKeys: ReadonlyMap<string, KeyObject>, options: VerifyChainOptions = {}) {
    const from = options.fromIndex ?? 0;
    if (!Number.isSafeInteger(from) || from < 0) throw new Error('fromIndex must be >= 0');
    if (from > 0 && options.prevHash === undefined) throw new Error('prevHash is required');
    if (options.prevHash !== undefined && !hashPattern.test(options.prevHash)) {
      throw new Error('prevHash must be 64 hex digits');
    }
    this.#publicKeys = publicKeys;
    this.#fromIndex = from;
    this.#toIndex = options.toIndex;
    this.#expected = from;
    this.#prevHash = options.prevHash ?? genesisHash;
    this.#anchor = options.anchor;
    if (options.anchor) this.#failure = this.#anchorSignatureProblem(options.anchor);
  }

  #anchorSignatureProblem(anchor: AuditSeal): Failure | null {
    if (anchor.chainIndex < this.#fromIndex || this.#beyondRange(anchor.chainIndex)) {
      throw new Error('the anchor must lie within the range verified');
    }
    const key = this.#publicKeys.get(anchor.keyId);
    const problem = !key
      ? `is signed by key ${anchor.keyId}, which is not pinned (not a trusted key)`
      : verifySeal(anchor, key)
        ? null
        : `has an invalid signature (key ${anchor.keyId})`;
    if (!problem) return null;
    return failure(
      'bad_anchor',
      anchor.chainIndex,
      null,
      `the anchor for #${anchor.chainIndex} ${problem}`,
    );
  }

  // The entry at the anchor's index passed its own hash; it must also be the anchored head.
  #anchorProblem(entry: ChainRow): Failure | null {
    const anchor = this.#anchor;
    if (!anchor || anchor.chainIndex !== entry.chainIndex || anchor.headHash === entry.hash) {
      return null;
    }
    const message = `entry #${entry.chainIndex} (${entry.id}) is not the head anchored at ${anchor.sealedAt} (key ${anchor.keyId}): the log up to #${entry.chainIndex} was rewritten since the anchor was taken`;
    return failure('bad_anchor', entry.chainIndex, entry.id, message);
  }

  get #stopped(): boolean {
    return this.#failure !== null || this.#window !== null;
  }

  #beyondRange(index: number): boolean {
    return this.#toIndex !== undefined && index > this.#toIndex;
  }

  /** Offers a seal; seals outside the range are ignored. */
  addSeal(seal: AuditSeal): void {
    if (this.#stopped || this.#beyondRange(seal.chainIndex)) return;
    if (seal.chainIndex < this.#fromIndex) return; // covers entries before this range
    if (seal.chainIndex < this.#expected) {
      const message = `seal for #${seal.chainIndex} arrived after that entry: seals out of order`;
      this.#failure = failure('bad_seal', seal.chainIndex, null, message);
      return;
    }
    this.#pendingSeals.push(seal);
  }

  /** Offers the next entry; returns false once more entries cannot change the verdict. */
  addEntry(entry: ChainRow): boolean {
    if (this.#failure) return false;
    if (this.#window) {
      this.#window.push(entry);
      return this.#window.length < tamperLookaheadMax;
    }
    if (this.#beyondRange(this.#expected)) return false;
    if (
      entry.chainIndex !== this.#expected ||
      !fitsAt(this.#prevHash, entry, entry.chainIndex, [entry.hash])
    ) {
      this.#window = [entry];
      return true;
    }
    if (!('unreadable' in entry) && entry.indexProblem !== undefined) {
      const message = `the access-report index of entry #${entry.chainIndex} (${entry.id}) was altered: ${entry.indexProblem}`;
      this.#failure = failure('index_altered', entry.chainIndex, entry.id, message);
      return false;
    }
    this.#prevHash = entry.hash;
    this.#expected++;
    this.#entriesChecked++;
    // Seals first: a seal by an unpinned key says more than the anchor no longer matching.
    this.#checkSeals(entry);
    this.#failure ??= this.#anchorProblem(entry);
    return this.#failure === null;
  }

  #checkSeals(entry: ChainRow): void {
    while (this.#pendingSeals[0] && this.#pendingSeals[0].chainIndex <= entry.chainIndex) {
      const seal = this.#pendingSeals.shift()!;
      const problem = this.#sealProblem(seal, entry);
      if (problem) {
        this.#failure = failure('bad_seal', seal.chainIndex, entry.id, problem);
        return;
      }
      this.#sealsChecked++;
      this.#lastSealedIndex = seal.chainIndex;
    }
  }

  #sealProblem(seal: AuditSeal, entry: ChainRow): string | null {
    const key = this.#publicKeys.get(seal.keyId);
    if (!key) {
      return `seal for #${seal.chainIndex} is signed by key ${seal.keyId}, which is not pinned (not a trusted key)`;
    }
    if (!verifySeal(seal, key)) return `seal for #${seal.chainIndex} has an invalid signature`;
    if (seal.headHash === entry.hash) return null;
    const from = this.#lastSealedIndex === null ? this.#fromIndex : this.#lastSealedIndex + 1;
    return `the chain does not reach the signed head of the seal for #${seal.chainIndex}: an entry from #${from} to #${seal.chainIndex} was altered and the chain rehashed`;
  }

  /** The verdict, once every entry (or enough after a problem) has been offered. */
  finish(): ChainVerification {
    if (this.#failure) return this.#failure;
    const window = this.#window;
    if (window) {
      const first = window[0]!;
      return first.chainIndex === this.#expected
        ? classifyMismatch(this.#prevHash, this.#expected, window)
        : classifyIndex(this.#expected, window);
    }
    const tail = this.#tailProblem();
    if (tail) return tail;
    return {
      ok: true,
      entriesChecked: this.#entriesChecked,
      sealsChecked: this.#sealsChecked,
      lastIndex: this.#entriesChecked === 0 ? null : this.#expected - 1,
      headHash: this.#prevHash,
      lastSealedIndex: this.#lastSealedIndex,
    };
  }

  // Entries cut from the end are visible only through a seal past the end, or `toIndex`.
  #tailProblem(): Failure | null {
    const anchor = this.#anchor;
    if (anchor && anchor.chainIndex >= this.#expected) {
      const message = `the log ends at #${this.#expected - 1} but the head anchored at ${anchor.sealedAt} (key ${anchor.keyId}) is #${anchor.chainIndex}: entries from #${this.#expected} were removed`;
      return failure('removed', this.#expected, null, message);
    }
    // Pending seals are all within the range, so toIndex (when given) is the further bound.
    const mustReach = this.#toIndex ?? this.#pendingSeals[0]?.chainIndex;
    if (mustReach === undefined || mustReach < this.#expected) return null;
    const message = `the log ends at #${this.#expected - 1} but must reach #${mustReach}: entries from #${this.#expected} were removed`;
    return failure('removed', this.#expected, null, message);
  }
}

/**
 * Verifies entries (in chainIndex order) against their hashes and the seals (in chainIndex
 * order), reading both lazily: pass generators over database pages for constant memory, or
 * arrays. Names the first entry altered, removed, reordered or inserted, or the first bad seal;
 * an unreadable row in the expected place is reported as altered.
 */
export async function verifyChain(
  entries: AsyncIterable<ChainRow> | Iterable<ChainRow>,
  seals: AsyncIterable<AuditSeal> | Iterable<AuditSeal>,
  publicKeys: ReadonlyMap<string, KeyObject>,
  options: VerifyChainOptions = {},
): Promise<ChainVerification> {
  const verifier = new ChainVerifier(publicKeys, options);
  const sealIterator = toAsyncIterator(seals);
  let next = await sealIterator.next();
  for await (const entry of entries) {
    while (!next.done && next.value.chainIndex <= entry.chainIndex) {
      verifier.addSeal(next.value);
      next = await sealIterator.next();
    }
    if (!verifier.addEntry(entry)) break;
  }
  if (!next.done) verifier.addSeal(next.value);
  await sealIterator.return?.();
  return verifier.finish();
}

function toAsyncIterator<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
  const iterator = source[Symbol.iterator]();
  return {
    next: () => Promise.resolve(iterator.next()),
    return: () => Promise.resolve(iterator.return?.() ?? { done: true, value: undefined }),
  };
}
