import type { Insertable } from 'kysely';
import type { Queryable } from '../db';
import { requireRegion } from '../shared/access';
import type { DuplicateReview, OnDuplicate } from './duplicate-screening';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { seal } from '../shared/sealed';
import { foldForSearch } from '../shared/text';
import { checkAttributes, loadDefinitions, type AttributeDefinition } from './attributes';
import { presentPerson, type Person } from './person';
import {
  birthDatePrecision,
  defaultPhoneCountryCode,
  normalisePhone,
  type PersonInput,
} from './person-input';
import { generateRegistryNumber } from './registry-number';
import type { PersonsTable } from './tables';
import type { AuditOperation } from '../shared/audit-operations';

/** The folded search key for a person's names. */
export function searchNameOf(p: {
  givenNames: string;
  surname1?: string | null | undefined;
  surname2?: string | null | undefined;
}): string {
  return foldForSearch([p.givenNames, p.surname1 ?? '', p.surname2 ?? ''].join(' '));
}

/** Refuses a region this deployment does not serve. */
export function assertKnownRegion(
  app: AppContext,
  regionCode: string,
  field = 'address.regionCode',
): void {
  if (!(regionCode in app.config.regions)) {
    throw new DomainError('VALIDATION_FAILED', `${field}: unknown region ${regionCode}`, field);
  }
}

/** A phone number as stored: E.164, national forms taking the deployment's calling code. */
export function storedPhone(app: AppContext, written: string): string {
  const checked = normalisePhone(written, app.config.phoneCountryCode ?? defaultPhoneCountryCode);
  if ('problem' in checked)
    throw new DomainError('VALIDATION_FAILED', `phone: ${checked.problem}`, 'phone');
  return checked.e164;
}

/** Builds the row for a new person from validated input; pure but for ids and the clock. */
export function buildPersonRow(
  app: AppContext,
  input: PersonInput,
  definitions: Map<string, AttributeDefinition>,
  actorId: string,
  registryNumber: string,
): Insertable<PersonsTable> {
  const { plain, health } = checkAttributes(definitions, input.attributes ?? {});
  const now = app.now().toISOString();
  return {
    id: app.newId(),
    registry_number: registryNumber,
    external_id: input.externalId ?? null,
    given_names: input.givenNames,
    surname1: input.surname1 ?? null,
    surname2: input.surname2 ?? null,
    birth_date: input.birthDate,
    birth_date_precision: birthDatePrecision(input.birthDate),
    sex: input.sex ?? null,
    birth_place: input.birthPlace ?? null,
    region_code: input.address.regionCode,
    locality: input.address.locality ?? null,
    address_line: input.address.line ?? null,
    phone: input.phone ? storedPhone(app, input.phone) : null,
    status: 'active',
    merged_into: null,
    household_id: null,
    attributes: JSON.stringify(plain),
    health_attributes:
      Object.keys(health).length > 0 ? seal(app.config.dataKey, JSON.stringify(health)) : null,
    search_name: searchNameOf(input),
    version: 1,
    created_at: now,
    created_by: actorId,
    updated_at: now,
    updated_by: actorId,
  };
}

/** A registry number that no one holds yet. */
export async function freshRegistryNumber(db: Queryable): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const candidate = generateRegistryNumber();
    const taken = await db
      .selectFrom('persons')
      .select('id')
      .where('registry_number', '=', candidate)
      .executeTakeFirst();
    if (!taken) return candidate;
  }
  throw new Error('invariant violated: ten registry number collisions in a row');
}

/** A person just enrolled; `duplicateReview` is set when the record waits for a duplicate review. */
export type EnrolledPerson = Person & { duplicateReview?: DuplicateReview };

/** Options of an enrolment. */
export interface EnrolOptions {
  /** What to do with a likely duplicate; the deployment's setting (default 'flag') otherwise. */
  onDuplicate?: OnDuplicate;
}

/**
 * Inserts one validated person inside a transaction, with its audit entry. When duplicate
 * detection is wired (app.duplicateScreening), the person is first checked against the whole registry: a
 * likely duplicate is refused (POSSIBLE_DUPLICATE) or written with a review-queue entry.
 */
export async function insertPerson(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  input: PersonInput,
  operation: AuditOperation = 'person.enrol',
  options: EnrolOptions = {},
): Promise<EnrolledPerson> {
  assertKnownRegion(app, input.address.regionCode);
  requireRegion(caller.actor, 'person:write', input.address.regionCode, 'Region');
  if (input.externalId) {
    const existing = await trx
      .selectFrom('persons')
      .select('id')
      .where('external_id', '=', input.externalId)
      .executeTakeFirst();
    if (existing) {
      throw new DomainError(
        'ALREADY_EXISTS',
        `A person with external id ${input.externalId} is already registered.`,
        'externalId',
        { personId: existing.id },
      );
    }
  }
  const definitions = await loadDefinitions(trx);
  const row = buildPersonRow(
    app,
    input,
    definitions,
    caller.actor.id,
    await freshRegistryNumber(trx),
  );
  const review = app.duplicateScreening
    ? await app.duplicateScreening.screenPerson(trx, caller, row, {
        onDuplicate: options.onDuplicate,
      })
    : null;
  await trx.insertInto('persons').values(row).execute();
  await appendAudit(trx, app, caller, {
    operation,
    permission: 'person:write',
    subjectIds: [row.id],
    details: {
      fields: Object.keys(input).filter((k) => k !== 'attributes'),
      attributes: Object.keys(input.attributes ?? {}),
    },
  });
  const stored = await trx
    .selectFrom('persons')
    .selectAll()
    .where('id', '=', row.id)
    .executeTakeFirstOrThrow();
  return review ? { ...presentPerson(stored), duplicateReview: review } : presentPerson(stored);
}

/** Enrols a new person (input validated at the edge): checks region and attributes, writes, audits. */
export async function enrolPerson(
  app: AppContext,
  caller: Caller,
  input: PersonInput,
  options: EnrolOptions = {},
): Promise<EnrolledPerson> {
  return app.db.transaction((trx) =>
    insertPerson(trx, app, caller, input, 'person.enrol', options),
  );
}
