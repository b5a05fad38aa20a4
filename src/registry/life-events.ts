import { z } from 'zod';
import type { Updateable } from 'kysely';
import type { Queryable } from '../db';
import { requireRegion } from '../shared/access';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { reason } from '../shared/schemas';
import { applyPersonChange, loadPersonForChange } from './change-person';
import { assertKnownRegion, searchNameOf } from './enrol-person';
import { presentPerson, type Person, type PersonRow } from './person';
import { addressInput, assertSurnamesFit, checkBirthDate, namePart } from './person-input';
import { loadPersonInRegion, requirePurpose } from './read-person';
import type { PersonsTable } from './tables';
import { readStoredJson, storedObject } from '../shared/stored-json';

const eventDate = z.string().superRefine((v, ctx) => {
  const problem = /^\d{4}-\d{2}-\d{2}$/.test(v) ? checkBirthDate(v) : 'must be YYYY-MM-DD';
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
// A new name is checked as enrolment checks one, so that it still fits a card.
const name = namePart;

/** A life event as callers report it. Births are recorded through the household. */
export const lifeEventInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('death'), occurredOn: eventDate, reason: reason.optional() }).strict(),
  z
    .object({
      kind: z.literal('name_change'),
      occurredOn: eventDate,
      givenNames: name.optional(),
      surname1: name.nullable().optional(),
      surname2: name.nullable().optional(),
      reason,
    })
    .strict(),
  z
    .object({
      kind: z.literal('address_change'),
      occurredOn: eventDate,
      address: addressInput,
      reason: reason.optional(),
    })
    .strict(),
]);
/** A life event, validated. */
export type LifeEventInput = z.output<typeof lifeEventInput>;

/** A recorded life event. */
export interface LifeEvent {
  id: string;
  personId: string;
  kind: string;
  occurredOn: string;
  recordedAt: string;
  details: Record<string, unknown>;
}

/** Writes a life_events row; the audit entry comes with the change it caused. */
export async function insertLifeEvent(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  personId: string,
  kind: LifeEvent['kind'],
  occurredOn: string,
  details: Record<string, unknown>,
): Promise<string> {
  const id = app.newId();
  await trx
    .insertInto('life_events')
    .values({
      id,
      person_id: personId,
      kind: kind as never,
      occurred_on: occurredOn,
      recorded_at: app.now().toISOString(),
      recorded_by: caller.actor.id,
      details: JSON.stringify(details),
    })
    .execute();
  return id;
}

/** Runs the hooks other domains registered (card revocation on death, …) in the same transaction. */
export async function announceLifeEvent(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  event: { kind: string; personId: string; occurredOn: string },
): Promise<void> {
  for (const hook of app.lifeEventHooks) await hook(trx, event, app, caller);
}

/**
 * Records a death, a change of name or a change of address. The person's record changes with
 * its previous version kept; a death makes them `deceased` and tells the other domains.
 */
export async function recordLifeEvent(
  app: AppContext,
  caller: Caller,
  personId: string,
  input: LifeEventInput,
): Promise<Person> {
  return app.db.transaction(async (trx) => {
    const current = await loadPersonForChange(trx, caller, personId);
    if (current.status !== 'active')
      throw new DomainError('INVALID_STATE', `The person is already ${current.status}.`);
    let changes: Updateable<PersonsTable>;
    let why: string;
    let details: Record<string, unknown>;
    if (input.kind === 'death') {
      changes = { status: 'deceased' };
      why = input.reason ?? 'death registered';
      details = {};
    } else if (input.kind === 'name_change') {
      const next = {
        givenNames: input.givenNames ?? current.given_names,
        surname1: input.surname1 !== undefined ? input.surname1 : current.surname1,
        surname2: input.surname2 !== undefined ? input.surname2 : current.surname2,
      };
      if (input.surname1 !== undefined || input.surname2 !== undefined)
        assertSurnamesFit(next.surname1, next.surname2);
      changes = {
        given_names: next.givenNames,
        surname1: next.surname1,
        surname2: next.surname2,
        search_name: searchNameOf(next),
      };
      why = input.reason;
      details = { fields: ['givenNames', 'surname1', 'surname2'].filter((f) => f in input) };
    } else {
      assertKnownRegion(app, input.address.regionCode);
      requireRegion(caller.actor, 'person:write', input.address.regionCode, 'Region');
      changes = {
        region_code: input.address.regionCode,
        locality: input.address.locality ?? null,
        address_line: input.address.line ?? null,
      };
      why = input.reason ?? 'address changed';
      details = { fromRegion: current.region_code, toRegion: input.address.regionCode };
    }
    const row: PersonRow = await applyPersonChange(
      trx,
      app,
      caller,
      current,
      changes,
      why,
      `person.${input.kind}`,
    );
    await insertLifeEvent(trx, app, caller, personId, input.kind, input.occurredOn, details);
    await announceLifeEvent(trx, app, caller, {
      kind: input.kind,
      personId,
      occurredOn: input.occurredOn,
    });
    return presentPerson(row);
  });
}

/** A person's life events, oldest first. */
export async function listLifeEvents(
  app: AppContext,
  caller: Caller,
  personId: string,
): Promise<LifeEvent[]> {
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    await loadPersonInRegion(trx, caller, personId, 'person:read');
    const rows = await trx
      .selectFrom('life_events')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('recorded_at')
      .orderBy('id')
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'person.events.read',
      permission: 'person:read',
      subjectIds: [personId],
    });
    return rows.map((r) => ({
      id: r.id,
      personId: r.person_id,
      kind: r.kind,
      occurredOn: r.occurred_on,
      recordedAt: r.recorded_at,
      details: readStoredJson(storedObject, r.details, `life_events ${r.id} details`),
    }));
  });
}
