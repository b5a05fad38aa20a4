// Programmes and their versions. A programme's code, kind, target and schedule never change;
// everything else changes only by writing a new version, and a cycle names the version it was
// opened with, so that a change never alters a cycle already under way.
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { humanOf, regionsFor, requirePermission, requireRegion } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { readStoredJson } from '../shared/stored-json';
import {
  programmeVersionInput,
  type ProgrammeChangeInput,
  type ProgrammeInput,
  type ProgrammeKind,
  type ProgrammeVersionInput,
} from './programme-input';
import { checkedRule } from './rule-environment';

/** The stored definition of a version: the input without names and rule. */
const storedDefinition = programmeVersionInput.omit({ name: true, rule: true });
/** A version's definition as read back (money as bigint). */
export type ProgrammeDefinition = z.output<typeof storedDefinition>;

/** A programme version as the rest of the domain uses it. */
export interface ProgrammeVersion extends ProgrammeDefinition {
  programmeId: string;
  version: number;
  name: { es: string; en: string };
  rule: string;
  changeReason: string;
  createdAt: string;
  createdBy: string;
}

/** A programme with its current version. */
export interface Programme {
  id: string;
  code: string;
  kind: ProgrammeKind;
  target: 'person' | 'household';
  schedule: 'monthly' | 'weekly' | 'one_time';
  status: 'active' | 'retired';
  currentVersion: number;
  createdAt: string;
  current: ProgrammeVersion;
}

function definitionText(input: ProgrammeVersionInput): string {
  const definition: ProgrammeDefinition = {
    benefit: input.benefit,
    coPayment: input.coPayment,
    currency: input.currency,
    fundingAccountId: input.fundingAccountId,
    serviceAreas: input.serviceAreas,
    retentionDays: input.retentionDays,
    stagger: input.stagger,
  };
  return JSON.stringify(definition, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function versionFromRow(row: {
  programme_id: string;
  version: number;
  name_es: string;
  name_en: string;
  rule: string;
  definition: string;
  change_reason: string;
  created_at: string;
  created_by: string;
}): ProgrammeVersion {
  return {
    ...readStoredJson(
      storedDefinition,
      row.definition,
      `programme_versions ${row.programme_id} v${row.version} definition`,
    ),
    programmeId: row.programme_id,
    version: row.version,
    name: { es: row.name_es, en: row.name_en },
    rule: row.rule,
    changeReason: row.change_reason,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

// The benefit must be of the programme's kind; regions must be served and in the caller's scope.
function checkVersion(
  app: AppContext,
  caller: Caller,
  kind: ProgrammeKind,
  input: ProgrammeVersionInput,
): void {
  if (input.benefit.kind !== kind)
    throw new DomainError(
      'VALIDATION_FAILED',
      `benefit.kind must be "${kind}", the programme's kind`,
      'benefit.kind',
    );
  const scope = regionsFor(caller.actor, 'programme:write');
  input.serviceAreas.forEach((area, i) => {
    if (!Object.hasOwn(app.config.regions, area.regionCode))
      throw new DomainError(
        'VALIDATION_FAILED',
        `serviceAreas.${i}.regionCode: "${area.regionCode}" is not a region this deployment serves`,
        `serviceAreas.${i}.regionCode`,
      );
    if (scope !== '*' && !scope.includes(area.regionCode))
      throw new DomainError(
        'FORBIDDEN',
        `You may define programmes only in your regions; ${area.regionCode} is not one of them.`,
        `serviceAreas.${i}.regionCode`,
      );
  });
}

async function checkFundingAccount(
  db: Queryable,
  input: ProgrammeVersionInput,
  kind: ProgrammeKind,
): Promise<void> {
  const needsFund = kind === 'cash' || kind === 'one_time';
  if (!input.fundingAccountId) {
    if (needsFund)
      throw new DomainError(
        'VALIDATION_FAILED',
        'fundingAccountId: a cash or one-time programme needs the ledger account it pays from',
        'fundingAccountId',
      );
    return;
  }
  const account = await db
    .selectFrom('ledger_accounts')
    .select(['code', 'ledger'])
    .where('id', '=', input.fundingAccountId)
    .executeTakeFirst();
  if (!account)
    throw new DomainError(
      'VALIDATION_FAILED',
      'fundingAccountId: no such ledger account',
      'fundingAccountId',
    );
  if (account.code !== 'programme_fund')
    throw new DomainError(
      'VALIDATION_FAILED',
      `fundingAccountId: the account is a ${account.code} account, not a programme_fund`,
      'fundingAccountId',
    );
  if (account.ledger !== input.currency)
    throw new DomainError(
      'VALIDATION_FAILED',
      `fundingAccountId: the account keeps ${account.ledger}, the programme pays in ${input.currency}`,
      'fundingAccountId',
    );
}

/** Reads a programme with its current version (or the version asked for). */
export async function loadProgramme(db: Queryable, programmeId: string): Promise<Programme> {
  const row = await db
    .selectFrom('programmes')
    .selectAll()
    .where('id', '=', programmeId)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Programme not found.', 'programmeId');
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    target: row.target,
    schedule: row.schedule,
    status: row.status,
    currentVersion: row.current_version,
    createdAt: row.created_at,
    current: await loadVersion(db, row.id, row.current_version),
  };
}

/** Reads one version of a programme. */
export async function loadVersion(
  db: Queryable,
  programmeId: string,
  version: number,
): Promise<ProgrammeVersion> {
  const row = await db
    .selectFrom('programme_versions')
    .selectAll()
    .where('programme_id', '=', programmeId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row)
    throw new Error(`invariant violated: programme ${programmeId} has no version ${version}`);
  return versionFromRow(row);
}

/** Defines a programme and its first version; the rule is checked before anything is written. */
export async function createProgramme(
  app: AppContext,
  caller: Caller,
  input: ProgrammeInput,
): Promise<Programme> {
  requirePermission(caller.actor, 'programme:write');
  checkVersion(app, caller, input.kind, input);
  if (input.kind === 'one_time' && input.schedule !== 'one_time')
    throw new DomainError(
      'VALIDATION_FAILED',
      'schedule: a one-time payment has schedule "one_time"',
      'schedule',
    );
  return app.db.transaction(async (trx) => {
    await checkFundingAccount(trx, input, input.kind);
    await checkedRule(trx, app, input.kind, input.rule);
    const taken = await trx
      .selectFrom('programmes')
      .select('id')
      .where('code', '=', input.code)
      .executeTakeFirst();
    if (taken)
      throw new DomainError(
        'ALREADY_EXISTS',
        `A programme with code "${input.code}" exists.`,
        'code',
      );
    const at = app.now().toISOString();
    const id = app.newId();
    const by = humanOf(caller.actor);
    await trx
      .insertInto('programmes')
      .values({
        id,
        code: input.code,
        kind: input.kind,
        target: input.target,
        schedule: input.schedule,
        current_version: 1,
        status: 'active',
        created_at: at,
        created_by: by,
      })
      .execute();
    await trx
      .insertInto('programme_versions')
      .values({
        programme_id: id,
        version: 1,
        name_es: input.name.es,
        name_en: input.name.en,
        rule: input.rule,
        definition: definitionText(input),
        change_reason: 'First version',
        created_at: at,
        created_by: by,
      })
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'programme.create',
      permission: 'programme:write',
      details: { programmeId: id, code: input.code },
    });
    return loadProgramme(trx, id);
  });
}

/** Changes a programme by writing its next version; cycles already opened keep theirs. */
export async function changeProgramme(
  app: AppContext,
  caller: Caller,
  programmeId: string,
  input: ProgrammeChangeInput,
): Promise<Programme> {
  requirePermission(caller.actor, 'programme:write');
  return app.db.transaction(async (trx) => {
    const programme = await loadProgramme(trx, programmeId);
    if (programme.status === 'retired')
      throw new DomainError('INVALID_STATE', 'A retired programme cannot change.');
    checkVersion(app, caller, programme.kind, input);
    await checkFundingAccount(trx, input, programme.kind);
    await checkedRule(trx, app, programme.kind, input.rule);
    const version = programme.currentVersion + 1;
    const updated = await trx
      .updateTable('programmes')
      .set({ current_version: version })
      .where('id', '=', programmeId)
      .where('current_version', '=', programme.currentVersion)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new DomainError(
        'VERSION_CONFLICT',
        'Someone changed this programme meanwhile; reload it.',
      );
    await trx
      .insertInto('programme_versions')
      .values({
        programme_id: programmeId,
        version,
        name_es: input.name.es,
        name_en: input.name.en,
        rule: input.rule,
        definition: definitionText(input),
        change_reason: input.reason,
        created_at: app.now().toISOString(),
        created_by: humanOf(caller.actor),
      })
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'programme.change',
      permission: 'programme:write',
      details: { programmeId, version },
    });
    return loadProgramme(trx, programmeId);
  });
}

/** Retires a programme: no new cycles; open cycles run to their close. Never deleted. */
export async function retireProgramme(
  app: AppContext,
  caller: Caller,
  programmeId: string,
  reason: string,
): Promise<Programme> {
  requirePermission(caller.actor, 'programme:write');
  return app.db.transaction(async (trx) => {
    const programme = await loadProgramme(trx, programmeId);
    // A regional administrator may retire only what is served within their regions.
    for (const area of programme.current.serviceAreas)
      requireRegion(caller.actor, 'programme:write', area.regionCode, 'Programme', 'programmeId');
    await trx
      .updateTable('programmes')
      .set({ status: 'retired' })
      .where('id', '=', programmeId)
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'programme.retire',
      permission: 'programme:write',
      details: { programmeId, reason },
    });
    return loadProgramme(trx, programmeId);
  });
}

/** Every programme with its current version. */
export async function listProgrammes(app: AppContext, caller: Caller): Promise<Programme[]> {
  requirePermission(caller.actor, 'programme:read');
  const rows = await app.db.kysely.selectFrom('programmes').select('id').orderBy('code').execute();
  return Promise.all(rows.map((r) => loadProgramme(app.db.kysely, r.id)));
}

/** A programme and all its versions, newest first. */
export async function getProgramme(
  app: AppContext,
  caller: Caller,
  programmeId: string,
): Promise<Programme & { versions: ProgrammeVersion[] }> {
  requirePermission(caller.actor, 'programme:read');
  const programme = await loadProgramme(app.db.kysely, programmeId);
  const rows = await app.db.kysely
    .selectFrom('programme_versions')
    .selectAll()
    .where('programme_id', '=', programmeId)
    .orderBy('version', 'desc')
    .execute();
  return { ...programme, versions: rows.map(versionFromRow) };
}
