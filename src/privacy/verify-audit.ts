// Verifies the audit log as stored: entries and seals are read in pages of chain indices and
// streamed through the chain verifier, so memory stays constant however long the log is.
//
// The range is fixed when verification starts (the highest chained index and the highest
// seal, read in one statement), so a sealer working meanwhile cannot make a seal appear
// past the entries read. A range that starts after 0 starts at the last seal before it
// instead, chaining from that seal's signed head: the first hash checked is then anchored
// in a signature rather than in a row anyone with database access could rewrite.
//
// Seals count only when signed by a pinned key (pinned-seal-keys.ts), never by a key the
// database names. What this cannot see alone: entries not yet chained (they can be deleted
// unnoticed until the sealer runs), and the newest entries removed together with their
// seals, which only an anchor kept outside the database shows (`anchor`, audit-head.ts).
import { sql, type Selectable } from 'kysely';
import type { KeyObject } from 'node:crypto';
import { requirePermission } from '../shared/access';
import type { Queryable, Schema } from '../db';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { appendAudit } from './append-audit';
import {
  verifyChain,
  verifySeal,
  type AuditSeal,
  type ChainRow,
  type ChainVerification,
} from './audit-chain';
import { readAuditRow } from './audit-entry';
import { indexRowsOf, type IndexRow } from './audit-index';
import { auditKeySettings } from './audit-key-settings';
import type { AuditLogTable, AuditSealsTable } from './tables';

/** Entries or seals read per query. */
export const verifyPageRowsDefault = 1000;
/** Largest page a caller may ask for. */
export const verifyPageRowsMax = 10_000;

/** Options for `verifyAuditLog`. */
export interface VerifyAuditOptions {
  /** First chain index to verify (default 0). */
  fromIndex?: number | undefined;
  /** Last chain index to verify (default: the newest entry or seal, or the anchor if later). */
  toIndex?: number | undefined;
  pageSize?: number;
  /** Trusted seal keys by id; by default the app's pinned keys (never the database's). */
  publicKeys?: ReadonlyMap<string, KeyObject>;
  /** A head kept outside the database (see audit-head.ts): the log must still reach it. */
  anchor?: AuditSeal | undefined;
}

/** The verdict, with what was covered. */
export type AuditVerification = ChainVerification & {
  /** Chain indices covered: `from` may be earlier than asked (the anchoring seal). */
  range: { from: number; to: number } | null;
  /** Entries appended but not chained yet (not covered by any verification). */
  unsealedEntries: number;
  /** Key ids trusted to sign seals (the pinned keys). */
  keyIds: string[];
};

// A row as read back, with its index rows. One whose JSON is damaged is passed on as
// unreadable, so that the verdict names it in its place (as altered) instead of verification
// crashing on it. A format 2 entry carries the person ids of its index rows (which its hash
// covers), and a problem when a row files it under another time than its own.
function toChainRow(row: AuditLogTable, index: readonly IndexRow[]): ChainRow {
  // Rows are read by chain index, so it is set; a missing hash matches nothing.
  const place = { chainIndex: row.chain_index!, hash: row.hash ?? '' };
  const reading = readAuditRow(row);
  if (!reading.ok) return { id: row.id, ...place, unreadable: reading.problem };
  const entry: ChainRow = { ...reading.entry, ...place };
  if (entry.format !== 2) return entry;
  entry.indexedSubjectIds = index.map((r) => r.personId);
  const moved = index.find((r) => r.at !== entry.at);
  if (moved) {
    entry.indexProblem = `the row for ${moved.personId} files it at ${moved.at}, not at ${entry.at}`;
  }
  return entry;
}

function toSeal(row: AuditSealsTable): AuditSeal {
  return {
    chainIndex: row.chain_index,
    headHash: row.head_hash,
    sealedAt: row.sealed_at,
    keyId: row.key_id,
    signature: row.signature,
  };
}

/** Rows of an audit table with chain index in [from, to], in order, a page at a time. */
async function* byChainIndex<T extends 'audit_log' | 'audit_seals'>(
  db: Queryable,
  table: T,
  from: number,
  to: number,
  pageSize: number,
): AsyncGenerator<Selectable<Schema[T]>> {
  for (let next = from; next <= to;) {
    const rows = (await db
      .selectFrom(table as 'audit_seals')
      .selectAll()
      .where('chain_index', '>=', next)
      .where('chain_index', '<=', to)
      .orderBy('chain_index')
      .limit(pageSize)
      .execute()) as Selectable<Schema[T]>[];
    yield* rows;
    if (rows.length < pageSize) return;
    next = Number((rows.at(-1) as { chain_index: number }).chain_index) + 1;
  }
}

async function* entryPages(
  db: Queryable,
  from: number,
  to: number,
  pageSize: number,
): AsyncGenerator<ChainRow> {
  let page: AuditLogTable[] = [];
  const flush = async function* (): AsyncGenerator<ChainRow> {
    const index = await indexRowsOf(
      db,
      page.filter((r) => r.chain_format !== null).map((r) => r.id),
    );
    for (const row of page) yield toChainRow(row, index.get(row.id) ?? []);
    page = [];
  };
  for await (const row of byChainIndex(db, 'audit_log', from, to, pageSize)) {
    page.push(row);
    if (page.length >= pageSize) yield* flush();
  }
  yield* flush();
}

async function* sealPages(
  db: Queryable,
  from: number,
  to: number,
  pageSize: number,
): AsyncGenerator<AuditSeal> {
  for await (const row of byChainIndex(db, 'audit_seals', from, to, pageSize)) yield toSeal(row);
}

async function bounds(db: Queryable): Promise<{ last: number | null; unsealed: number }> {
  const { rows } = await sql<{
    entries: number | null;
    seals: number | null;
    unsealed: number | string;
  }>`
    select (select max(chain_index) from audit_log) as entries,
           (select max(chain_index) from audit_seals) as seals,
           (select count(*) from audit_log where chain_index is null) as unsealed`.execute(db);
  const row = rows[0];
  const marks = [row?.entries, row?.seals]
    .filter((v): v is number => v !== null && v !== undefined)
    .map(Number);
  return {
    last: marks.length > 0 ? Math.max(...marks) : null,
    unsealed: Number(row?.unsealed ?? 0),
  };
}

function checkIndex(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw new DomainError('VALIDATION_FAILED', `${name}: must be a whole number, 0 or more`, name);
  }
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, field);
}

// The range [from, to] to verify: to the end of the log (or to the anchor, when the log was
// cut short of it) unless told otherwise; an anchor must lie inside the range.
function verifyRange(options: VerifyAuditOptions, last: number): { from: number; to: number } {
  const from = options.fromIndex ?? 0;
  const anchorIndex = options.anchor?.chainIndex;
  const to = options.toIndex ?? Math.max(last, anchorIndex ?? last);
  if (options.toIndex !== undefined && to > last) {
    throw invalid('toIndex', `toIndex: the chained log ends at #${last}`);
  }
  if (from > to) throw invalid('fromIndex', 'fromIndex: must not be after toIndex');
  if (anchorIndex !== undefined && (anchorIndex < from || anchorIndex > to)) {
    throw invalid('anchor', `the anchor is at #${anchorIndex}, outside the range #${from}–#${to}`);
  }
  return { from, to };
}

// The sealer writes a seal in the transaction that chains each batch, so chained entries
// at the end of the log that no seal covers had their seal deleted: typically after being
// altered and rehashed, since the seal would have shown it.
function unsealedTail(verdict: ChainVerification, from: number): ChainVerification {
  if (!verdict.ok || verdict.lastIndex === null) return verdict;
  if (verdict.lastSealedIndex === verdict.lastIndex) return verdict;
  const first = (verdict.lastSealedIndex ?? from - 1) + 1;
  return {
    ok: false,
    problem: 'unsealed',
    chainIndex: first,
    entryId: null,
    message: `entries #${first} to #${verdict.lastIndex} are chained but no seal covers them: every batch is sealed as it is chained, so their seal was deleted (they may have been altered and rehashed)`,
  };
}

/** Verifies the chained audit log (or a range of it) and its seals; writes nothing. */
export async function verifyAuditLog(
  app: AppContext,
  options: VerifyAuditOptions = {},
): Promise<AuditVerification> {
  checkIndex(options.fromIndex, 'fromIndex');
  checkIndex(options.toIndex, 'toIndex');
  const pageSize = options.pageSize ?? verifyPageRowsDefault;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > verifyPageRowsMax) {
    throw new Error(`pageSize must be from 1 to ${verifyPageRowsMax}`);
  }
  const db = app.db.kysely;
  const keys = options.publicKeys ?? auditKeySettings(app).pinnedKeys().keys;
  const keyIds = [...keys.keys()].sort();
  const { last, unsealed } = await bounds(db);
  const extra = { unsealedEntries: unsealed, keyIds };
  const withAnchor = options.anchor ? { anchor: options.anchor } : {};
  if (last === null) {
    if (options.fromIndex !== undefined || options.toIndex !== undefined) {
      throw invalid('fromIndex', 'The audit log has no chained entries yet.');
    }
    const empty = await verifyChain([], [], keys, withAnchor);
    return { ...empty, range: null, ...extra };
  }
  const { from, to } = verifyRange(options, last);
  const anchor =
    from === 0
      ? undefined
      : await db
          .selectFrom('audit_seals')
          .selectAll()
          .where('chain_index', '<', from)
          .orderBy('chain_index', 'desc')
          .limit(1)
          .executeTakeFirst();
  if (anchor) {
    const seal = toSeal(anchor);
    const key = keys.get(seal.keyId);
    if (!key || !verifySeal(seal, key)) {
      const message = `the seal for #${seal.chainIndex}, where this range starts, ${key ? 'has an invalid signature' : `is signed by key ${seal.keyId}, which is not pinned`}`;
      return {
        ok: false,
        problem: 'bad_seal',
        chainIndex: seal.chainIndex,
        entryId: null,
        message,
        range: { from: seal.chainIndex, to },
        ...extra,
      };
    }
  }
  const start = anchor ? anchor.chain_index + 1 : 0;
  const chainOptions = anchor
    ? { fromIndex: start, toIndex: to, prevHash: anchor.head_hash, ...withAnchor }
    : { toIndex: to, ...withAnchor };
  const verdict = await verifyChain(
    entryPages(db, start, to, pageSize),
    sealPages(db, start, to, pageSize),
    keys,
    chainOptions,
  );
  const checked = to >= last ? unsealedTail(verdict, start) : verdict;
  return { ...checked, range: { from: start, to }, ...extra };
}

/** The HTTP-facing verification: needs audit:read, and is itself audited. */
export async function verifyAuditLogAs(
  app: AppContext,
  caller: Caller,
  options: Pick<VerifyAuditOptions, 'fromIndex' | 'toIndex'>,
): Promise<AuditVerification> {
  requirePermission(caller.actor, 'audit:read');
  const verdict = await verifyAuditLog(app, options);
  const details = verdict.ok
    ? { ok: true, entriesChecked: verdict.entriesChecked, sealsChecked: verdict.sealsChecked }
    : { ok: false, problem: verdict.problem, chainIndex: verdict.chainIndex };
  await app.db.transaction((trx) =>
    appendAudit(
      trx,
      app,
      { ...caller, purpose: 'audit' },
      { operation: 'audit.verify', permission: 'audit:read', details },
    ),
  );
  return verdict;
}
