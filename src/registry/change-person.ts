import type { Updateable } from 'kysely';
import type { Queryable } from '../db';
import { requireRegion } from '../shared/access';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { seal, unseal } from '../shared/sealed';
import { checkAttributes, loadDefinitions } from './attributes';
import { assertKnownRegion, searchNameOf, storedPhone } from './enrol-person';
import { presentPerson, type Person, type PersonRow } from './person';
import { loadPersonInRegion } from './read-person';
import { assertSurnamesFit, birthDatePrecision, type PersonUpdateInput } from './person-input';
import type { PersonsTable } from './tables';
import type { AuditOperation } from '../shared/audit-operations';
import { readStoredJson, storedObject } from '../shared/stored-json';

/** Loads a person for change, refusing one outside the caller's regions. */
export async function loadPersonForChange(
  trx: Queryable,
  caller: Caller,
  id: string,
): Promise<PersonRow> {
  return loadPersonInRegion(trx, caller, id, 'person:write');
}

/**
 * Writes a change to a person: keeps the previous version whole in person_versions (nothing
 * is overwritten without a trace), bumps the version, audits the fields changed. Refuses when
 * someone else changed the record in between.
 */
export async function applyPersonChange(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  current: PersonRow,
  changes: Updateable<PersonsTable>,
  reason: string,
  operation: AuditOperation,
): Promise<PersonRow> {
  const changed = Object.keys(changes).filter(
    (k) => (changes as Record<string, unknown>)[k] !== (current as Record<string, unknown>)[k],
  );
  if (changed.length === 0) return current;
  const now = app.now().toISOString();
  await trx
    .insertInto('person_versions')
    .values({
      person_id: current.id,
      version: current.version,
      snapshot: JSON.stringify(current),
      valid_from: current.updated_at,
      valid_to: now,
      changed_by: caller.actor.id,
      change_reason: reason,
    })
    .execute();
  const result = await trx
    .updateTable('persons')
    .set({
      ...changes,
      version: Number(current.version) + 1,
      updated_at: now,
      updated_by: caller.actor.id,
    })
    .where('id', '=', current.id)
    .where('version', '=', current.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw new DomainError(
      'VERSION_CONFLICT',
      'The record was changed by someone else meanwhile; reload it and try again.',
      'version',
    );
  }
  await appendAudit(trx, app, caller, {
    operation,
    permission: 'person:write',
    subjectIds: [current.id],
    details: {
      fields: changed.filter((f) => !['search_name', 'birth_date_precision'].includes(f)),
      reason,
    },
  });
  return trx
    .selectFrom('persons')
    .selectAll()
    .where('id', '=', current.id)
    .executeTakeFirstOrThrow();
}

async function changesFor(
  trx: Queryable,
  app: AppContext,
  current: PersonRow,
  input: PersonUpdateInput,
): Promise<Updateable<PersonsTable>> {
  const changes: Updateable<PersonsTable> = {};
  if (input.givenNames !== undefined) changes.given_names = input.givenNames;
  if (input.surname1 !== undefined) changes.surname1 = input.surname1;
  if (input.surname2 !== undefined) changes.surname2 = input.surname2;
  if (input.birthDate !== undefined) {
    changes.birth_date = input.birthDate;
    changes.birth_date_precision = birthDatePrecision(input.birthDate);
  }
  if (input.sex !== undefined) changes.sex = input.sex;
  if (input.birthPlace !== undefined) changes.birth_place = input.birthPlace;
  if (input.phone !== undefined)
    changes.phone = input.phone === null ? null : storedPhone(app, input.phone);
  if (input.address) {
    assertKnownRegion(app, input.address.regionCode);
    changes.region_code = input.address.regionCode;
    changes.locality = input.address.locality ?? null;
    changes.address_line = input.address.line ?? null;
  }
  if (input.attributes) {
    const { plain, health } = checkAttributes(await loadDefinitions(trx), input.attributes);
    const nulls = Object.entries(input.attributes)
      .filter(([, v]) => v === null || v === '')
      .map(([k]) => k);
    const merged = {
      ...readStoredJson(storedObject, current.attributes, `persons ${current.id} attributes`),
      ...plain,
    };
    const mergedHealth = {
      ...(current.health_attributes
        ? readStoredJson(
            storedObject,
            unseal(app.config.dataKey, current.health_attributes),
            `persons ${current.id} health_attributes`,
          )
        : {}),
      ...health,
    };
    for (const k of nulls) {
      delete merged[k];
      delete mergedHealth[k];
    }
    changes.attributes = JSON.stringify(merged);
    if (Object.keys(health).length > 0 || nulls.length > 0) {
      changes.health_attributes =
        Object.keys(mergedHealth).length > 0
          ? seal(app.config.dataKey, JSON.stringify(mergedHealth))
          : null;
    }
  }
  const names = {
    givenNames: changes.given_names ?? current.given_names,
    surname1: changes.surname1 !== undefined ? changes.surname1 : current.surname1,
    surname2: changes.surname2 !== undefined ? changes.surname2 : current.surname2,
  };
  if (changes.surname1 !== undefined || changes.surname2 !== undefined)
    assertSurnamesFit(names.surname1, names.surname2);
  if (
    changes.given_names !== undefined ||
    changes.surname1 !== undefined ||
    changes.surname2 !== undefined
  )
    changes.search_name = searchNameOf(names);
  return changes;
}

/** Corrects a person's record; the previous version is kept with who, when and why. */
export async function correctPerson(
  app: AppContext,
  caller: Caller,
  id: string,
  input: PersonUpdateInput,
): Promise<Person> {
  return app.db.transaction(async (trx) => {
    const current = await loadPersonForChange(trx, caller, id);
    if (input.expectedVersion !== undefined && input.expectedVersion !== Number(current.version)) {
      throw new DomainError(
        'VERSION_CONFLICT',
        `The record is at version ${current.version}, not ${input.expectedVersion}; reload it.`,
        'expectedVersion',
      );
    }
    if (current.status !== 'active')
      throw new DomainError(
        'INVALID_STATE',
        `The person is ${current.status}; their record can no longer be corrected here.`,
      );
    if (input.address && input.address.regionCode !== current.region_code) {
      requireRegion(caller.actor, 'person:write', input.address.regionCode, 'Region');
    }
    const changes = await changesFor(trx, app, current, input);
    const row = await applyPersonChange(
      trx,
      app,
      caller,
      current,
      changes,
      input.reason,
      'person.correct',
    );
    return presentPerson(row);
  });
}
