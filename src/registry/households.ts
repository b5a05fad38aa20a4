import { z } from 'zod';
import { regionsFor, requireRegion } from '../shared/access';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { id, reason, type ReasonBody } from '../shared/schemas';
import { applyPersonChange, loadPersonForChange } from './change-person';
import { assertKnownRegion, insertPerson } from './enrol-person';
import { insertLifeEvent } from './life-events';
import { presentPerson, type Person } from './person';
import { addressInput, personInput } from './person-input';
import { requirePurpose } from './read-person';
import { relationships } from './relationships';

export { relationships };

const relationship = z.enum(relationships);

/** A new household, with its head. */
export const householdInput = z.object({ address: addressInput, headPersonId: id }).strict();
/** A new household, validated. */
export type HouseholdInput = z.output<typeof householdInput>;
/** Adding someone to a household; `move` takes them out of their current one. */
export const memberInput = z
  .object({
    personId: id,
    relationship,
    reason,
    move: z.boolean().optional(),
  })
  .strict();
/** Adding someone to a household, validated. */
export type MemberInput = z.output<typeof memberInput>;
/** Making a member the head; the former head keeps their membership with another relationship. */
export const headInput = z
  .object({
    personId: id,
    formerHeadRelationship: relationship.exclude(['head']),
    reason,
  })
  .strict();
/** A change of head, validated. */
export type HeadInput = z.output<typeof headInput>;
/** Registering a birth into a household. */
export const birthInput = z
  .object({ child: personInput, relationship: relationship.optional() })
  .strict();
/** Registering a birth, validated. */
export type BirthInput = z.output<typeof birthInput>;

/** A household with its current members. */
export interface Household {
  id: string;
  address: { regionCode: string; locality: string | null; line: string | null };
  createdAt: string;
  members: { person: Person; relationship: string; joinedAt: string }[];
}

async function loadHousehold(
  trx: Queryable,
  caller: Caller,
  id: string,
  permission: 'household:read' | 'household:write',
) {
  const row = await trx
    .selectFrom('households')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Household not found.', 'id');
  requireRegion(caller.actor, permission, row.region_code, 'Household', 'id');
  return row;
}

async function joinHousehold(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  householdId: string,
  personId: string,
  rel: string,
  why: string,
  move: boolean,
): Promise<void> {
  const person = await loadPersonForChange(trx, caller, personId);
  if (person.status !== 'active')
    throw new DomainError('INVALID_STATE', `The person is ${person.status}.`, 'personId');
  const current = await trx
    .selectFrom('household_members')
    .selectAll()
    .where('person_id', '=', personId)
    .where('left_at', 'is', null)
    .executeTakeFirst();
  const now = app.now().toISOString();
  if (current) {
    if (current.household_id === householdId)
      throw new DomainError(
        'CONFLICT',
        'The person is already a member of this household.',
        'personId',
      );
    if (!move)
      throw new DomainError(
        'CONFLICT',
        'The person belongs to another household. Set "move": true to record a move.',
        'personId',
        { householdId: current.household_id },
      );
    await trx
      .updateTable('household_members')
      .set({ left_at: now, left_reason: `moved: ${why}` })
      .where('id', '=', current.id)
      .execute();
    await insertLifeEvent(trx, app, caller, personId, 'household_move', now.slice(0, 10), {
      from: current.household_id,
      to: householdId,
    });
  }
  await trx
    .insertInto('household_members')
    .values({
      id: app.newId(),
      household_id: householdId,
      person_id: personId,
      relationship: rel,
      joined_at: now,
      joined_reason: why,
      left_at: null,
      left_reason: null,
      recorded_by: caller.actor.id,
    })
    .execute();
  await applyPersonChange(
    trx,
    app,
    caller,
    person,
    { household_id: householdId },
    why,
    current ? 'household.move' : 'household.join',
  );
}

/** Creates a household with its head as first member. */
export async function createHousehold(
  app: AppContext,
  caller: Caller,
  input: HouseholdInput,
): Promise<{ id: string }> {
  assertKnownRegion(app, input.address.regionCode);
  requireRegion(caller.actor, 'household:write', input.address.regionCode, 'Region');
  return app.db.transaction(async (trx) => {
    const id = app.newId();
    await trx
      .insertInto('households')
      .values({
        id,
        region_code: input.address.regionCode,
        locality: input.address.locality ?? null,
        address_line: input.address.line ?? null,
        created_at: app.now().toISOString(),
        created_by: caller.actor.id,
      })
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'household.create',
      permission: 'household:write',
      subjectIds: [input.headPersonId],
      details: { householdId: id },
    });
    await joinHousehold(
      trx,
      app,
      caller,
      id,
      input.headPersonId,
      'head',
      'household created',
      false,
    );
    return { id };
  });
}

/** Adds a person to a household (or moves them from their current one). */
export async function addHouseholdMember(
  app: AppContext,
  caller: Caller,
  householdId: string,
  input: MemberInput,
): Promise<void> {
  await app.db.transaction(async (trx) => {
    await loadHousehold(trx, caller, householdId, 'household:write');
    await joinHousehold(
      trx,
      app,
      caller,
      householdId,
      input.personId,
      input.relationship,
      input.reason,
      input.move ?? false,
    );
  });
}

/** Records that a person left a household. */
export async function removeHouseholdMember(
  app: AppContext,
  caller: Caller,
  householdId: string,
  personId: string,
  input: ReasonBody,
): Promise<void> {
  await app.db.transaction(async (trx) => {
    await loadHousehold(trx, caller, householdId, 'household:write');
    const person = await loadPersonForChange(trx, caller, personId);
    const membership = await trx
      .selectFrom('household_members')
      .selectAll()
      .where('person_id', '=', personId)
      .where('household_id', '=', householdId)
      .where('left_at', 'is', null)
      .executeTakeFirst();
    if (!membership)
      throw new DomainError(
        'NOT_FOUND',
        'The person is not a current member of this household.',
        'personId',
      );
    await trx
      .updateTable('household_members')
      .set({ left_at: app.now().toISOString(), left_reason: input.reason })
      .where('id', '=', membership.id)
      .execute();
    await applyPersonChange(
      trx,
      app,
      caller,
      person,
      { household_id: null },
      input.reason,
      'household.leave',
    );
  });
}

/** Makes a current member the head of the household; the former head gets another relationship. */
export async function setHouseholdHead(
  app: AppContext,
  caller: Caller,
  householdId: string,
  input: HeadInput,
): Promise<void> {
  await app.db.transaction(async (trx) => {
    await loadHousehold(trx, caller, householdId, 'household:write');
    await loadPersonForChange(trx, caller, input.personId);
    const current = await trx
      .selectFrom('household_members')
      .selectAll()
      .where('household_id', '=', householdId)
      .where('left_at', 'is', null)
      .execute();
    const member = current.find((m) => m.person_id === input.personId);
    if (!member)
      throw new DomainError(
        'NOT_FOUND',
        'The person is not a current member of this household.',
        'personId',
      );
    if (member.relationship === 'head')
      throw new DomainError('CONFLICT', 'The person already heads this household.', 'personId');
    const former = current.filter((m) => m.relationship === 'head');
    for (const m of former)
      await trx
        .updateTable('household_members')
        .set({ relationship: input.formerHeadRelationship })
        .where('id', '=', m.id)
        .execute();
    await trx
      .updateTable('household_members')
      .set({ relationship: 'head' })
      .where('id', '=', member.id)
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'household.head',
      permission: 'household:write',
      subjectIds: [input.personId, ...former.map((m) => m.person_id)],
      details: { householdId, reason: input.reason },
    });
  });
}

/** Registers a birth: enrols the child and adds them to the household, as one transaction. */
export async function registerBirth(
  app: AppContext,
  caller: Caller,
  householdId: string,
  input: BirthInput,
): Promise<Person> {
  return app.db.transaction(async (trx) => {
    await loadHousehold(trx, caller, householdId, 'household:write');
    const child = await insertPerson(trx, app, caller, input.child, 'person.birth');
    await joinHousehold(
      trx,
      app,
      caller,
      householdId,
      child.id,
      input.relationship ?? 'child',
      'birth',
      false,
    );
    await insertLifeEvent(trx, app, caller, child.id, 'birth', input.child.birthDate, {
      householdId,
    });
    const row = await trx
      .selectFrom('persons')
      .selectAll()
      .where('id', '=', child.id)
      .executeTakeFirstOrThrow();
    return presentPerson(row);
  });
}

/**
 * Reads a household and its current members, with a purpose; every member read is audited.
 * A member registered in a region where the caller may not read persons is left out, as
 * reading that person directly answers "not found": the household does not tell who they are,
 * nor that they exist.
 */
export async function getHousehold(
  app: AppContext,
  caller: Caller,
  id: string,
): Promise<Household> {
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    const row = await loadHousehold(trx, caller, id, 'household:read');
    const readable = regionsFor(caller.actor, 'person:read');
    const all = await trx
      .selectFrom('household_members')
      .innerJoin('persons', 'persons.id', 'household_members.person_id')
      .selectAll('persons')
      .select([
        'household_members.relationship as relationship',
        'household_members.joined_at as joined_at',
      ])
      .where('household_members.household_id', '=', id)
      .where('household_members.left_at', 'is', null)
      .orderBy('household_members.joined_at')
      .execute();
    const members = all.filter((m) => readable === '*' || readable.includes(m.region_code));
    await appendAudit(trx, app, caller, {
      operation: 'household.read',
      permission: 'household:read',
      subjectIds: members.map((m) => m.id),
      details: { householdId: id },
    });
    return {
      id: row.id,
      address: { regionCode: row.region_code, locality: row.locality, line: row.address_line },
      createdAt: row.created_at,
      members: members.map((m) => ({
        person: presentPerson(m),
        relationship: m.relationship,
        joinedAt: m.joined_at,
      })),
    };
  });
}
