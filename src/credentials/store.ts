// Queries of the credentials domain, and the presenters that whitelist what leaves it. The
// private key column never leaves this file except towards `load-signing-key.ts`.
import type { Selectable, Transaction } from 'kysely';
import { isUniqueViolation, type Queryable } from '../db';
import type { Schema } from '../db';
import type { AppContext } from '../shared/context';
import type { CardsTable, IssuerKeysTable } from './tables';

/** A stored card row. */
export type CardRow = Selectable<CardsTable>;

/** A stored issuer key row (holds the encrypted private key: never present it whole). */
export type IssuerKeyRow = Selectable<IssuerKeysTable>;

/** Transactions a unique-index race may abort (serial taken, second active key) before one wins. */
export const uniqueRetriesMax = 5;

/**
 * Runs fn in a transaction, again when a unique index refused a concurrent twin (two cards
 * given the same serial, two first keys created at once); the loser retries and sees the winner.
 */
export async function transactionWithRetry<T>(
  app: AppContext,
  fn: (trx: Transaction<Schema>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await app.db.transaction(fn);
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= uniqueRetriesMax) throw error;
    }
  }
}

/**
 * The active key row. On PostgreSQL, `lock: 'share'` lets many issuers sign at once while a
 * rotation (which takes `'update'`) waits for them, so a retired key's last-card expiry counts
 * every card it signed. SQLite runs one writer at a time and needs no lock.
 */
export async function activeKeyRow(
  trx: Queryable,
  app: AppContext,
  lock: 'none' | 'share' | 'update' = 'none',
): Promise<IssuerKeyRow | undefined> {
  let query = trx.selectFrom('issuer_keys').selectAll().where('status', '=', 'active');
  if (app.db.engine === 'postgres' && lock === 'share') query = query.forShare();
  if (app.db.engine === 'postgres' && lock === 'update') query = query.forUpdate();
  return query.executeTakeFirst();
}

/** A card with its person's region and status, by serial. */
export async function cardWithPerson(trx: Queryable, serial: number) {
  return trx
    .selectFrom('cards')
    .innerJoin('persons', 'persons.id', 'cards.person_id')
    .selectAll('cards')
    .select(['persons.region_code', 'persons.status as person_status'])
    .where('cards.serial', '=', serial)
    .executeTakeFirst();
}

/** The next card serial. Serials start at 1; a race for one is settled by the primary key. */
export async function nextSerial(trx: Queryable): Promise<number> {
  const row = await trx
    .selectFrom('cards')
    .select((eb) => eb.fn.max('serial').as('last'))
    .executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}

/** A card as staff see it: no QR text and no face, only its life cycle. */
export interface CardSummary {
  serial: number;
  personId: string;
  kid: string;
  /** `expired` is shown as soon as the expiry passes, before any job records it. */
  status: CardsTable['status'];
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
  replacedBy: number | null;
}

/** The summary of a card row at `now`. */
export function presentCard(row: CardRow, now: Date): CardSummary {
  const isLapsed = row.status === 'active' && row.expires_at <= now.toISOString();
  return {
    serial: Number(row.serial),
    personId: row.person_id,
    kid: row.kid,
    status: isLapsed ? 'expired' : row.status,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revocationReason: row.revocation_reason,
    replacedBy: row.replaced_by === null ? null : Number(row.replaced_by),
  };
}

/** An issuer key as anyone may see it: public half and life cycle only. */
export interface IssuerKeyInfo {
  kid: string;
  alg: IssuerKeysTable['alg'];
  status: IssuerKeysTable['status'];
  publicJwk: JsonWebKey;
  createdAt: string;
  retiredAt: string | null;
  notAfter: string | null;
}

/** The public view of a key row; the encrypted private key is left behind. */
export function presentKey(row: IssuerKeyRow): IssuerKeyInfo {
  return {
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    publicJwk: JSON.parse(row.public_jwk) as JsonWebKey,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
    notAfter: row.not_after,
  };
}
