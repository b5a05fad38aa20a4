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

/** Reads one person by id, with a purpose, inside the caller's regions; audited. */
export async function getPerson(app: AppContext, caller: Caller, id: string): Promise<Person> {
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
    return presentPerson(row, health);
  });
}

/** Search criteria: a registry number, or a name with an optional birth date. */
export interface PersonSearch {
  registryNumber?: string | undefined;
  name?: string | undefined;
  birthDate?: string | undefined;
  regionCode?: string | undefined;
  limit?: number | undefined;
  /** Opaque cursor from the previous page. */
  after?: string | undefined;
}

/** One page of search results. */
export interface PersonPage {
  items: Person[];
  next: string | null;
}

/**
 * Searches persons in the caller's regions. Matching is accent- and case-insensitive: every
 * word of `name` must appear in the person's names. Every person returned is audited.
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
  let query = app.db.kysely
    .selectFrom('persons')
    .selectAll()
    .orderBy('id')
    .limit(limit + 1);
  if (regions !== '*') query = query.where('region_code', 'in', regions);
  if (search.regionCode) {
    if (regions !== '*' && !regions.includes(search.regionCode))
      throw new DomainError(
        'FORBIDDEN',
        `You may not search region ${search.regionCode}.`,
        'regionCode',
      );
    query = query.where('region_code', '=', search.regionCode);
  }
  if (search.registryNumber !== undefined) {
    const number = parseRegistryNumber(search.registryNumber);
    if (!number)
      throw new DomainError(
        'VALIDATION_FAILED',
        'registryNumber: not a valid registry number (12 digits; the check digit does not match)',
        'registryNumber',
      );
    query = query.where('registry_number', '=', number);
  } else {
    const words = foldForSearch(search.name ?? '')
      .split(' ')
      .filter((w) => w.length > 0);
    if (words.length === 0 && !search.birthDate) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'give a registryNumber, or a name (and optionally a birthDate)',
        'name',
      );
    }
    for (const w of words)
      query = query.where(
        sql<boolean>`(' ' || search_name || ' ') like ${`% ${w.replace(/[%_]/g, '')}%`}`,
      );
    if (search.birthDate)
      query = query.where('birth_date', 'like', `${search.birthDate.replace(/[%_]/g, '')}%`);
  }
  if (search.after) query = query.where('id', '>', search.after);
  const compiled = query.compile();
  return app.db.transaction(async (trx) => {
    const rows = (await trx.executeQuery(compiled)).rows;
    const page = rows.slice(0, limit);
    await appendAudit(trx, app, caller, {
      operation: 'person.search',
      permission: 'person:search',
      subjectIds: page.map((r) => r.id),
      details: {
        criteria: Object.keys(search).filter(
          (k) => k !== 'after' && k !== 'limit' && search[k as keyof PersonSearch] !== undefined,
        ),
        returned: page.length,
      },
    });
    return {
      items: page.map((r) => presentPerson(r)),
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
