// The review queue of conflicting redemptions: offline records that could not be a valid
// delivery (the entitlement was already collected elsewhere, the device held no lease, its day's
// cap was spent, …). Sync creates them; a programme administrator of the point's region reviews
// each and resolves it — the goods were lost (`confirmed_loss`), got back (`recovered`), or the
// record was a mistake (`error`) — with a note. Resolving never makes a second delivery: it
// writes the decision, and nothing about the entitlement or its redemptions changes. The queue
// names no one; one conflict's detail names its person and is read with a purpose, audited.
import { z } from 'zod';
import { appendAudit } from '../privacy';
import { humanOf, regionsFor, requirePermission, requireRegion } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { pageSizeDefault } from '../shared/limits';
import type { Purpose } from '../shared/purposes';
import { id, pageLimit, reason } from '../shared/schemas';
import type { ConflictsTable } from './tables';
import { decodeCursor, encodeCursor } from './page-cursor';

/** How a conflict is resolved. */
export const resolutions = ['confirmed_loss', 'recovered', 'error'] as const;

/** The purposes one conflict's detail (which names its person) may be read for. */
export const conflictPurposes: readonly Purpose[] = ['audit', 'grievance', 'service_delivery'];

/** A page of the queue. */
export const conflictsQuery = z
  .object({
    status: z.enum(['open', 'resolved']).default('open'),
    pointId: id.optional(),
    cursor: z.string().max(200).optional(),
    limit: pageLimit,
  })
  .strict();

/** Resolving a conflict. */
export const resolveInput = z.object({ resolution: z.enum(resolutions), note: reason }).strict();

/** A conflict in the queue (no one named). */
export interface Conflict {
  id: string;
  status: ConflictsTable['status'];
  reason: string;
  quantity: number;
  cycleId: string;
  cycleLabel: string | null;
  programmeId: string | null;
  point: { id: string; code: string; name: string; regionCode: string } | null;
  device: { id: string; name: string } | null;
  offlineCounter: number | null;
  /** The valid redemption it collides with, when there is one. */
  redemptionId: string | null;
  createdAt: string;
  resolution: ConflictsTable['resolution'];
  resolutionNote: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** The username of who resolved it (staff). */
  resolvedByUsername: string | null;
}

/** One conflict with whom it is about, what the device recorded, and what it collides with. */
export interface ConflictDetail extends Conflict {
  person: { id: string; registryNumber: string; displayName: string } | null;
  recorded: { redeemedAt: string | null; proofKind: string | null };
  collidesWith: {
    id: string;
    pointId: string;
    redeemedAt: string;
    channel: string;
    quantity: number;
    receiptCode: string;
  } | null;
}

function conflictRows(app: AppContext) {
  return app.db.kysely
    .selectFrom('conflicts as k')
    .leftJoin('points as pt', 'pt.id', 'k.point_id')
    .leftJoin('devices as d', 'd.id', 'k.device_id')
    .leftJoin('cycles as c', 'c.id', 'k.cycle_id')
    .leftJoin('staff as s', 's.id', 'k.resolved_by')
    .select([
      'k.id',
      'k.status',
      'k.reason',
      'k.quantity',
      'k.cycle_id',
      'k.person_id',
      'k.details',
      'c.label as cycle_label',
      'c.programme_id',
      'k.point_id',
      'pt.code as point_code',
      'pt.name as point_name',
      'pt.region_code',
      'k.device_id',
      'd.name as device_name',
      'k.offline_counter',
      'k.redemption_id',
      'k.created_at',
      'k.resolution',
      'k.resolution_note',
      'k.resolved_at',
      'k.resolved_by',
      's.username as resolved_by_username',
    ]);
}

type ConflictRow = Awaited<ReturnType<ReturnType<typeof conflictRows>['executeTakeFirstOrThrow']>>;

function present(r: ConflictRow): Conflict {
  return {
    id: r.id,
    status: r.status,
    reason: r.reason,
    quantity: Number(r.quantity),
    cycleId: r.cycle_id,
    cycleLabel: r.cycle_label,
    programmeId: r.programme_id,
    point:
      r.point_code && r.point_name && r.region_code
        ? { id: r.point_id, code: r.point_code, name: r.point_name, regionCode: r.region_code }
        : null,
    device: r.device_name ? { id: r.device_id, name: r.device_name } : null,
    offlineCounter: r.offline_counter === null ? null : Number(r.offline_counter),
    redemptionId: r.redemption_id,
    createdAt: r.created_at,
    resolution: r.resolution,
    resolutionNote: r.resolution_note,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    resolvedByUsername: r.resolved_by_username,
  };
}

/** A conflict row the caller may see under `permission` (one answer for missing and elsewhere). */
async function loadConflict(
  app: AppContext,
  caller: Caller,
  conflictId: string,
  permission: 'conflict:read' | 'conflict:resolve',
): Promise<ConflictRow> {
  const row = await conflictRows(app).where('k.id', '=', conflictId).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Conflict not found.', 'id');
  // A conflict whose point was reduced away by retention is national business only.
  requireRegion(caller.actor, permission, row.region_code ?? '*', 'Conflict', 'id');
  return row;
}

/** A page of the queue, oldest first, in the caller's regions. */
export async function listConflicts(
  app: AppContext,
  caller: Caller,
  query: z.output<typeof conflictsQuery>,
): Promise<{ items: Conflict[]; next: string | null }> {
  requirePermission(caller.actor, 'conflict:read');
  const regions = regionsFor(caller.actor, 'conflict:read');
  const after = query.cursor ? decodeCursor(query.cursor, 'queue') : null;
  const limit = query.limit ?? pageSizeDefault;
  const rows = await conflictRows(app)
    .where('k.status', '=', query.status)
    .$if(query.pointId !== undefined, (q) => q.where('k.point_id', '=', query.pointId!))
    .$if(regions !== '*', (q) => q.where('pt.region_code', 'in', regions as string[]))
    .$if(after !== null, (q) =>
      q.where((eb) =>
        eb.or([
          eb('k.created_at', '>', after!.at),
          eb.and([eb('k.created_at', '=', after!.at), eb('k.id', '>', after!.id)]),
        ]),
      ),
    )
    .orderBy('k.created_at')
    .orderBy('k.id')
    .limit(limit + 1)
    .execute();
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: shown.map(present),
    next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

function recordedOf(details: string): ConflictDetail['recorded'] {
  const parsed = z
    .object({
      entry: z
        .object({
          redeemedAt: z.string().optional(),
          proof: z.object({ kind: z.string() }).loose().optional(),
        })
        .loose()
        .optional(),
    })
    .loose()
    .safeParse(safeJson(details));
  const entry = parsed.success ? parsed.data.entry : undefined;
  return { redeemedAt: entry?.redeemedAt ?? null, proofKind: entry?.proof?.kind ?? null };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** One conflict with its person, read with a purpose; audited. */
export async function getConflict(
  app: AppContext,
  caller: Caller,
  conflictId: string,
): Promise<ConflictDetail> {
  requirePermission(caller.actor, 'conflict:read');
  const row = await loadConflict(app, caller, conflictId, 'conflict:read');
  if (!caller.purpose)
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'A conflict names a person: declare a purpose (header X-Purpose).',
      'purpose',
    );
  if (!conflictPurposes.includes(caller.purpose))
    throw new DomainError(
      'PURPOSE_NOT_ALLOWED',
      `A conflict is read for ${conflictPurposes.join(', ')}; not for ${caller.purpose}.`,
      'purpose',
    );
  return app.db.transaction(async (trx) => {
    const person = await trx
      .selectFrom('persons')
      .select(['id', 'registry_number', 'given_names', 'surname1'])
      .where('id', '=', row.person_id)
      .executeTakeFirst();
    const valid = row.redemption_id
      ? await trx
          .selectFrom('redemptions')
          .select(['id', 'point_id', 'redeemed_at', 'channel', 'quantity', 'receipt_code'])
          .where('id', '=', row.redemption_id)
          .executeTakeFirst()
      : undefined;
    await appendAudit(trx, app, caller, {
      operation: 'conflict.read',
      permission: 'conflict:read',
      subjectIds: person ? [person.id] : [],
      details: { conflictId },
    });
    return {
      ...present(row),
      person: person
        ? {
            id: person.id,
            registryNumber: person.registry_number,
            displayName: [person.given_names, person.surname1].filter(Boolean).join(' '),
          }
        : null,
      recorded: recordedOf(row.details),
      collidesWith: valid
        ? {
            id: valid.id,
            pointId: valid.point_id,
            redeemedAt: valid.redeemed_at,
            channel: valid.channel,
            quantity: Number(valid.quantity),
            receiptCode: valid.receipt_code,
          }
        : null,
    };
  });
}

/** Resolves an open conflict with a note. Writes the decision only: never a delivery. */
export async function resolveConflict(
  app: AppContext,
  caller: Caller,
  conflictId: string,
  input: z.output<typeof resolveInput>,
): Promise<Conflict> {
  requirePermission(caller.actor, 'conflict:resolve');
  const row = await loadConflict(app, caller, conflictId, 'conflict:resolve');
  if (row.status !== 'open')
    throw new DomainError('INVALID_STATE', 'That conflict is already resolved.', 'id');
  await app.db.transaction(async (trx) => {
    const done = await trx
      .updateTable('conflicts')
      .set({
        status: 'resolved',
        resolution: input.resolution,
        resolution_note: input.note,
        resolved_at: app.now().toISOString(),
        resolved_by: humanOf(caller.actor),
      })
      .where('id', '=', conflictId)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1)
      throw new DomainError(
        'INVALID_STATE',
        'That conflict was resolved at the same moment.',
        'id',
      );
    await appendAudit(trx, app, caller, {
      operation: 'conflict.resolve',
      permission: 'conflict:resolve',
      subjectIds: [row.person_id],
      details: { conflictId, pointId: row.point_id, resolution: input.resolution },
    });
  });
  return present(await loadConflict(app, caller, conflictId, 'conflict:resolve'));
}
