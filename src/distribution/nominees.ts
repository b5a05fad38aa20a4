// Nominees: a person a beneficiary designated in advance to collect for them — for the elderly
// or the sick, who cannot come to the counter — recorded by a registrar with the beneficiary's
// consent, and how it was given. The nominee then collects with their own card or proof
// (proofs.ts: collectorRole). A beneficiary has at most three live nominees; nobody nominates
// themselves, and a dead or inactive person neither nominates nor is nominated. A nominee is
// revoked with a reason, never deleted, so that a person's record shows whom they had
// authorised and when that ended.
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { loadPersonInRegion, requirePurpose, type PersonRow } from '../registry';
import { requirePermission, requireRegion } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { id, reason } from '../shared/schemas';

/** How the beneficiary's consent was given. */
export const consentKinds = [
  'in_person_signed',
  'in_person_witnessed',
  'notarised_document',
  // Given by the beneficiary themselves, signed in to their portal with a one-time code.
  'portal_self',
] as const;
/** Consent a registrar may record at an office (the portal records its own). */
const officeConsentKinds = [
  'in_person_signed',
  'in_person_witnessed',
  'notarised_document',
] as const;
/** Live nominees a beneficiary may have at once. */
export const liveNomineesMax = 3;

/** Recording a nominee: named by person id or by registry number, and the consent. */
export const nomineeInput = z
  .object({
    nomineePersonId: id.optional(),
    nomineeRegistryNumber: z.string().trim().min(4).max(32).optional(),
    consent: z.enum(officeConsentKinds),
  })
  .strict();
/** Recording a nominee, validated. */
export type NomineeInput = z.output<typeof nomineeInput>;

/** Revoking a nominee. */
export const nomineeRevokeInput = z.object({ reason }).strict();

/** A nominee as the API shows it. */
export interface Nominee {
  id: string;
  beneficiaryId: string;
  nominee: { id: string; registryNumber: string; displayName: string; status: string };
  consent: string;
  live: boolean;
  recordedAt: string;
  recordedBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
}

function requireEnrolmentPurpose(caller: Caller): void {
  if (!caller.purpose)
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'Recording a nominee needs the purpose enrolment (header X-Purpose).',
      'purpose',
    );
  if (caller.purpose !== 'enrolment')
    throw new DomainError(
      'PURPOSE_NOT_ALLOWED',
      `A nominee is recorded or revoked for enrolment, not for ${caller.purpose}.`,
      'purpose',
    );
}

/** A person's nominees, live and revoked, with no policy (the staff routes and the portal check first). */
export async function nomineesOf(db: Queryable, beneficiaryId: string, nomineeId?: string) {
  const rows = await db
    .selectFrom('nominees as n')
    .innerJoin('persons as p', 'p.id', 'n.nominee_id')
    .select([
      'n.id',
      'n.beneficiary_id',
      'n.nominee_id',
      'n.consent',
      'n.recorded_at',
      'n.recorded_by',
      'n.revoked_at',
      'n.revoked_by',
      'n.revoke_reason',
      'p.registry_number',
      'p.given_names',
      'p.surname1',
      'p.status',
    ])
    .where('n.beneficiary_id', '=', beneficiaryId)
    .$if(nomineeId !== undefined, (q) => q.where('n.id', '=', nomineeId!))
    .orderBy('n.recorded_at', 'desc')
    .orderBy('n.id')
    .limit(100)
    .execute();
  return rows.map((r): Nominee => ({
    id: r.id,
    beneficiaryId: r.beneficiary_id,
    nominee: {
      id: r.nominee_id,
      registryNumber: r.registry_number,
      displayName: [r.given_names, r.surname1].filter(Boolean).join(' '),
      status: r.status,
    },
    consent: r.consent,
    live: r.revoked_at === null,
    recordedAt: r.recorded_at,
    recordedBy: r.recorded_by,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    revokeReason: r.revoke_reason,
  }));
}

async function findNominee(
  trx: Queryable,
  caller: Caller,
  input: NomineeInput,
): Promise<PersonRow> {
  const byId = input.nomineePersonId;
  const byNumber = input.nomineeRegistryNumber;
  if ((byId === undefined) === (byNumber === undefined))
    throw new DomainError(
      'VALIDATION_FAILED',
      'nomineeRegistryNumber: name the nominee by registry number or by person id (one of them).',
      'nomineeRegistryNumber',
    );
  const field = byId ? 'nomineePersonId' : 'nomineeRegistryNumber';
  const row = await trx
    .selectFrom('persons')
    .selectAll()
    .$if(byId !== undefined, (q) => q.where('id', '=', byId!))
    .$if(byNumber !== undefined, (q) => q.where('registry_number', '=', byNumber!))
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Nominee not found.', field);
  // A nominee outside the registrar's regions is not found either: naming a registry number
  // must not tell who holds it elsewhere.
  requireRegion(caller.actor, 'nominee:write', row.region_code, 'Nominee', field);
  return row;
}

/** Records a nominee of a person, with their consent; returns the person's nominees. */
export async function recordNominee(
  app: AppContext,
  caller: Caller,
  beneficiaryId: string,
  input: NomineeInput,
): Promise<{ nominee: Nominee; nominees: Nominee[] }> {
  requirePermission(caller.actor, 'nominee:write');
  requireEnrolmentPurpose(caller);
  const nomineeRowId = app.newId();
  return app.db.transaction(async (trx) => {
    const beneficiary = await loadPersonInRegion(trx, caller, beneficiaryId, 'nominee:write');
    // One writer per beneficiary at a time, so that two registrars cannot pass the cap together.
    if (app.db.engine === 'postgres')
      await trx
        .selectFrom('persons')
        .select('id')
        .where('id', '=', beneficiaryId)
        .forUpdate()
        .execute();
    const nominee = await findNominee(trx, caller, input);
    const field = input.nomineePersonId ? 'nomineePersonId' : 'nomineeRegistryNumber';
    return insertNominee(
      trx,
      app,
      caller,
      beneficiary,
      nominee,
      field,
      input.consent,
      nomineeRowId,
    );
  });
}

/**
 * Records a nominee inside `trx` once both people are loaded (and the caller's right to name
 * them checked): the rules every path shares — both active, not oneself, not twice, at most
 * three live. Returns the beneficiary's nominees.
 */
export async function insertNominee(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  beneficiary: PersonRow,
  nominee: PersonRow,
  field: string,
  consent: (typeof consentKinds)[number],
  nomineeRowId: string = app.newId(),
): Promise<{ nominee: Nominee; nominees: Nominee[] }> {
  if (beneficiary.status !== 'active')
    throw new DomainError(
      'INVALID_STATE',
      `This person's record is ${beneficiary.status}: they cannot name a nominee.`,
      'id',
    );
  if (nominee.id === beneficiary.id)
    throw new DomainError(
      'VALIDATION_FAILED',
      `${field}: a person cannot be their own nominee.`,
      field,
    );
  if (nominee.status !== 'active')
    throw new DomainError(
      'INVALID_STATE',
      `The nominee's record is ${nominee.status}: only a living, active person can collect.`,
      field,
    );
  const live = await trx
    .selectFrom('nominees')
    .select(['id', 'nominee_id'])
    .where('beneficiary_id', '=', beneficiary.id)
    .where('revoked_at', 'is', null)
    .execute();
  if (live.some((n) => n.nominee_id === nominee.id))
    throw new DomainError(
      'ALREADY_EXISTS',
      'That person is already a nominee of this beneficiary.',
      field,
    );
  if (live.length >= liveNomineesMax)
    throw new DomainError(
      'INVALID_STATE',
      `A person has at most ${liveNomineesMax} nominees: revoke one first.`,
      field,
    );
  await trx
    .insertInto('nominees')
    .values({
      id: nomineeRowId,
      beneficiary_id: beneficiary.id,
      nominee_id: nominee.id,
      consent,
      recorded_at: app.now().toISOString(),
      recorded_by: caller.actor.id,
      revoked_at: null,
      revoked_by: null,
      revoke_reason: null,
    })
    .execute();
  await appendAudit(trx, app, caller, {
    operation: 'nominee.record',
    permission: 'nominee:write',
    subjectIds: [beneficiary.id, nominee.id],
    details: { nomineeRecordId: nomineeRowId, consent },
  });
  const nominees = await nomineesOf(trx, beneficiary.id);
  return { nominee: nominees.find((n) => n.id === nomineeRowId)!, nominees };
}

/** A person's nominees, live and revoked, with a purpose; audited. */
export async function listNominees(
  app: AppContext,
  caller: Caller,
  beneficiaryId: string,
): Promise<{ items: Nominee[] }> {
  requirePermission(caller.actor, 'person:read');
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    await loadPersonInRegion(trx, caller, beneficiaryId, 'person:read');
    const items = await nomineesOf(trx, beneficiaryId);
    await appendAudit(trx, app, caller, {
      operation: 'nominee.read',
      permission: 'person:read',
      subjectIds: [beneficiaryId, ...items.map((n) => n.nominee.id)],
      details: { nominees: items.length },
    });
    return { items };
  });
}

/** Revokes a nominee with a reason (the record is kept). */
export async function revokeNominee(
  app: AppContext,
  caller: Caller,
  beneficiaryId: string,
  nomineeRecordId: string,
  why: string,
): Promise<Nominee> {
  requirePermission(caller.actor, 'nominee:write');
  requireEnrolmentPurpose(caller);
  return app.db.transaction(async (trx) => {
    await loadPersonInRegion(trx, caller, beneficiaryId, 'nominee:write');
    return endNominee(trx, app, caller, beneficiaryId, nomineeRecordId, why);
  });
}

/** Revokes a nominee inside `trx` once the caller's right is checked (the record is kept). */
export async function endNominee(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  beneficiaryId: string,
  nomineeRecordId: string,
  why: string,
): Promise<Nominee> {
  {
    const [found] = await nomineesOf(trx, beneficiaryId, nomineeRecordId);
    if (!found) throw new DomainError('NOT_FOUND', 'Nominee not found.', 'nomineeId');
    if (!found.live)
      throw new DomainError('INVALID_STATE', 'That nominee was already revoked.', 'nomineeId');
    const done = await trx
      .updateTable('nominees')
      .set({ revoked_at: app.now().toISOString(), revoked_by: caller.actor.id, revoke_reason: why })
      .where('id', '=', nomineeRecordId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1)
      throw new DomainError('INVALID_STATE', 'That nominee was already revoked.', 'nomineeId');
    await appendAudit(trx, app, caller, {
      operation: 'nominee.revoke',
      permission: 'nominee:write',
      subjectIds: [beneficiaryId, found.nominee.id],
      details: { nomineeRecordId },
    });
    const [after] = await nomineesOf(trx, beneficiaryId, nomineeRecordId);
    return after!;
  }
}
