import { sql } from 'kysely';
import type { Queryable } from '../db';
import type { Permission } from '../shared/access';
import { regionsFor, requireRegion } from '../shared/access';
import { appendAudit } from '../privacy';
import { allowsHealthAttributes } from '../shared/purposes';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { pageSizeDefault, pageSizeMax } from '../shared/limits';
import { foldForSearch } from '../shared/text';
import { presentPerson, type Person, type PersonRow } from './person';
import { parseRegistryNumber } from './registry-number';
import type { DuplicateFlag } from './duplicate-screening';
import { nameIndexCondition } from './search-index';

/** Refuses a personal-data read without a declared purpose (principle 3). */
export function requirePurpose(caller: Caller): void {
  if (!caller.purpose) {
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'Reading personal data needs a declared purpose (header X-Purpose), such as enrolment or service_delivery.',
      'purpose',
    );
  }
}

function healthOption(app: AppContext, caller: Caller): { dataKey: Buffer } | undefined {
  return caller.purpose && allowsHealthAttributes(caller.purpose)
    ? { dataKey: app.config.dataKey }
    : undefined;
}

/**
 * Loads a person's row for a caller who needs `permission` in the person's region. A person
 * who does not exist and one outside the caller's regions are both "not found", so that
 * probing ids reveals nothing. The one gate every per-person operation passes.
 */
export async function loadPersonInRegion(
  db: Queryable,
  caller: Caller,
  id: string,
  permission: Permission,
): Promise<PersonRow> {
  const row = await db.selectFrom('persons').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Person not found.', 'id');
  requireRegion(caller.actor, permission, row.region_code, 'Person', 'id');
  return row;
}

/** A person as read one at a time: with whether their record awaits duplicate review. */
export type PersonRecord = Person & {
  /** Set while a review-queue entry naming this person awaits a decision. */
  duplicateReview: DuplicateFlag | null;
};

/** Reads one person by id, with a purpose, inside the caller's regions; audited. */
export async function getPerson(
  app: AppContext,
  caller: Caller,
  id: string,
): Promise<PersonRecord> {
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    const row = await loadPersonInRegion(trx, caller, id, 'person:read');
    const health = healthOption(app, caller);
    await appendAudit(trx, app, caller, {
      operation: 'person.read',
      permission: 'person:read',
      subjectIds: [row.id],
      details: health ? { health: true } : {},
    });
    const duplicateReview = (await app.duplicateScreening?.openReview?.(trx, row.id)) ?? null;
    return { ...presentPerson(row, health), duplicateReview };
  });
}

/** Search criteria: a registry number, or a name with an optional birth date. */
export interface PersonSearch {
  /** A registry number or a name, as typed in one search box: a number is searched as one. */
  q?: string | undefined;
  registryNumber?: string | undefined;
  name?: string | undefined;
  birthDate?: string | undefined;
  regionCode?: string | undefined;
  limit?: number | undefined;
  /** Opaque cursor from the previous page. */
  after?: string | undefined;
}

/** How a search result matched what was asked. */
export interface SearchMatch {
  /** The registry number, or the whole name, is exactly what was asked. */
  exact: boolean;
  /**
   * `partial` when a birth date was asked and the record holds only that year (or year and
   * month): the person may be the one sought, but a person should check.
   */
  birthDate: 'exact' | 'partial' | null;
}

/** A person found by a search, with how they matched. */
export type PersonSearchResult = Person & { match: SearchMatch };

/** One page of search results. */
export interface PersonPage {
  items: PersonSearchResult[];
  next: string | null;
}

/** True when `q` is meant as a registry number: digits with optional spaces or dashes. */
function looksLikeRegistryNumber(q: string): boolean {
  return /^[\d\s-]+$/.test(q) && /\d/.test(q);
}

/**
 * Searches persons in the caller's regions. Matching is accent- and case-insensitive: every
 * word of `name` must appear in the person's names. On the first page, people whose whole
 * name is exactly the one asked come first; the rest follow in a stable order that pages. A
 * full birth date also finds people whose record holds only that year or year and month,
 * marked as partial matches. Every person returned is audited.
 */
export async function searchPersons(
  app: AppContext,
  caller: Caller,
  search: PersonSearch,
): Promise<PersonPage> {
  requirePurpose(caller);
  const regions = regionsFor(caller.actor, 'person:search');
  if (regions !== '*' && regions.length === 0)
    throw new DomainError('FORBIDDEN', 'This action needs the permission person:search.');
  const limit = Math.min(Math.max(1, search.limit ?? pageSizeDefault), pageSizeMax);
  const q = search.q?.trim();
  const numberField =
    q !== undefined && search.registryNumber === undefined ? 'q' : 'registryNumber';
  const numberAsked =
    search.registryNumber ?? (q !== undefined && looksLikeRegistryNumber(q) ? q : undefined);
  const nameAsked = numberAsked === undefined ? (search.name ?? q ?? '') : '';
  let base = app.db.kysely.selectFrom('persons').selectAll();
  if (regions !== '*') base = base.where('region_code', 'in', regions);
  if (search.regionCode) {
    if (regions !== '*' && !regions.includes(search.regionCode))
      throw new DomainError(
        'FORBIDDEN',
        `You may not search region ${search.regionCode}.`,
        'regionCode',
      );
    base = base.where('region_code', '=', search.regionCode);
  }
  let exactName: string | null = null;
  if (numberAsked !== undefined) {
    const number = parseRegistryNumber(numberAsked);
    if (!number)
      throw new DomainError(
        'VALIDATION_FAILED',
        `${numberField}: not a valid registry number (12 digits; the check digit does not match)`,
        numberField,
      );
    base = base.where('registry_number', '=', number);
  } else {
    const folded = foldForSearch(nameAsked);
    const words = folded.split(' ').filter((w) => w.length > 0);
    if (words.length === 0 && !search.birthDate) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'give a registryNumber, or a name (and optionally a birthDate)',
        q !== undefined ? 'q' : 'name',
      );
    }
    for (const w of words)
      base = base.where(
        sql<boolean>`(' ' || search_name || ' ') like ${`% ${w.replace(/[%_]/g, '')}%`}`,
      );
    if (words.length > 0) exactName = words.join(' ');
    // The engine's name index finds the candidates; the conditions here decide (search-index.ts).
    const indexed = nameIndexCondition(app.db.engine, words, search.birthDate);
    if (indexed) base = base.where(indexed);
    if (search.birthDate) {
      const asked = search.birthDate.replace(/[%_]/g, '');
      // The same date or a more precise one inside it; and a record holding only the year
      // (or year and month) of a more precise date asked.
      const coarser = [asked.slice(0, 4), asked.slice(0, 7)].filter((d) => d.length < asked.length);
      base = base.where((eb) =>
        eb.or([
          eb('birth_date', 'like', `${asked}%`),
          ...(coarser.length > 0 ? [eb('birth_date', 'in', coarser)] : []),
        ]),
      );
    }
  }
  const rest = (exactName === null ? base : base.where('search_name', '<>', exactName))
    .orderBy('id')
    .limit(limit + 1);
  const restQuery = (search.after ? rest.where('id', '>', search.after) : rest).compile();
  // Exact names come first, on the first page only (they are left out of the later pages).
  const exactQuery =
    exactName !== null && !search.after
      ? base.where('search_name', '=', exactName).orderBy('id').limit(limit).compile()
      : null;
  return app.db.transaction(async (trx) => {
    const exactRows = exactQuery ? (await trx.executeQuery(exactQuery)).rows : [];
    const rows = (await trx.executeQuery(restQuery)).rows;
    const page = rows.slice(0, limit);
    const found = [...exactRows, ...page];
    await appendAudit(trx, app, caller, {
      operation: 'person.search',
      permission: 'person:search',
      subjectIds: found.map((r) => r.id),
      details: {
        criteria: Object.keys(search).filter(
          (k) => k !== 'after' && k !== 'limit' && search[k as keyof PersonSearch] !== undefined,
        ),
        returned: found.length,
      },
    });
    const birthMatch = (row: PersonRow): SearchMatch['birthDate'] =>
      search.birthDate && numberAsked === undefined
        ? row.birth_date.length < search.birthDate.length
          ? 'partial'
          : 'exact'
        : null;
    return {
      items: found.map((r) => ({
        ...presentPerson(r),
        match: {
          exact: numberAsked !== undefined || r.search_name === exactName,
          birthDate: birthMatch(r),
        },
      })),
      next: rows.length > limit ? page[page.length - 1]!.id : null,
    };
  });
}

/** One version of a person's record in their history. */
export interface PersonVersion {
  version: number;
  validFrom: string;
  validTo: string | null;
  /** Who wrote this version. */
  changedBy: string;
  /** Why this version was written. */
  reason: string;
  record: Person;
}

/** The whole history of a person: every earlier version and the current one. */
export async function getPersonHistory(
  app: AppContext,
  caller: Caller,
  id: string,
): Promise<PersonVersion[]> {
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    const row = await loadPersonInRegion(trx, caller, id, 'person:read');
    const versions = await trx
      .selectFrom('person_versions')
      .selectAll()
      .where('person_id', '=', id)
      .orderBy('version')
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'person.history',
      permission: 'person:read',
      subjectIds: [id],
    });
    // person_versions row N holds version N as it was, and who changed it into N+1 and why.
    const records = [...versions.map((v) => JSON.parse(v.snapshot) as PersonRow), row];
    return records.map((record, i) => ({
      version: Number(record.version),
      validFrom: record.updated_at,
      validTo: versions[i]?.valid_to ?? null,
      changedBy: i === 0 ? record.created_by : versions[i - 1]!.changed_by,
      reason: i === 0 ? 'enrolment' : versions[i - 1]!.change_reason,
      record: presentPerson(record),
    }));
  });
}
