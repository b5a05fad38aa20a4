// Per-staff volume limits on reads of personal data (issue 9, finding 12).
//
// A registration office reads a few hundred people an hour; someone copying a region reads
// thousands ("15 one-letter searches that return a whole region"). Every audited read counts
// the persons it showed against the human behind the request — the same staff member however
// they signed in, session or any of their tokens — in hourly windows kept in the database, so
// that the limit holds across server processes and restarts. The count is a sliding hour: the
// current window plus the previous one weighed by the share of it the last 60 minutes still
// cover (the usual sliding-window estimate: it assumes the previous hour's reads were even).
//
// Crossing the limit writes one `privacy.volume_limit` alert to the audit log, in the same
// transaction as the read that crossed it; from then on reads are refused (429) until the hour
// has slid past. Refused reads show nothing and so count nothing. Reads that four-eyes
// approval already bounds (exports) or that show no personal values are not metered: their
// audit operation says `metered: false`.
import { sql } from 'kysely';
import type { MigrationStep, Queryable } from '../db';
import { columnTypes } from '../db/columns';
import { humanOf } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { readLimitPerHourDefault } from '../shared/limits';

const windowMs = 60 * 60 * 1000;

/** One staff member's count of persons shown in one clock hour. */
export interface ReadVolumeTable {
  staff_id: string;
  /** The hour's start, ISO-8601 UTC. */
  window_start: string;
  persons: number;
}

declare module '../db/schema' {
  interface Schema {
    read_volume: ReadVolumeTable;
  }
}

/** Migration: the per-staff, per-hour read counters. */
export const readVolumeInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('read_volume')
    .addColumn('staff_id', t.text, (c) => c.notNull())
    .addColumn('window_start', t.timestamp, (c) => c.notNull())
    .addColumn('persons', t.integer, (c) => c.notNull())
    .addPrimaryKeyConstraint('read_volume_pk', ['staff_id', 'window_start'])
    .addCheckConstraint('read_volume_persons', sql`persons >= 0`)
    .execute();
};

/** The configured limit: `TESSERA_READ_LIMIT_PER_HOUR`, 0 for none. */
export function readLimitPerHour(app: AppContext): number {
  return app.config.readLimitPerHour ?? readLimitPerHourDefault;
}

/**
 * Counts `persons` shown to the caller's human against their hourly limit, inside the read's
 * transaction. Refuses with RATE_LIMITED when the limit was already reached; appends the alert
 * when this read crosses it. System actors are not metered.
 */
export async function meterRead(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  persons: number,
  appendAlert: (details: Record<string, unknown>) => Promise<unknown>,
): Promise<void> {
  const limit = readLimitPerHour(app);
  if (limit === 0 || persons === 0 || caller.actor.kind === 'system') return;
  const staffId = humanOf(caller.actor);
  const now = app.now().getTime();
  const current = Math.floor(now / windowMs) * windowMs;
  const previous = current - windowMs;
  const rows = await trx
    .selectFrom('read_volume')
    .select(['window_start', 'persons'])
    .where('staff_id', '=', staffId)
    .where('window_start', 'in', [iso(previous), iso(current)])
    .execute();
  const countIn = (start: number) =>
    Number(rows.find((r) => r.window_start === iso(start))?.persons ?? 0);
  const stillCovered = 1 - (now - current) / windowMs;
  const used = Math.floor(countIn(current) + countIn(previous) * stillCovered);
  if (used >= limit) {
    throw new DomainError(
      'RATE_LIMITED',
      `You have been shown ${used} persons in the last hour, the most one staff member may see (${limit}). Try again later, or ask an administrator if your work needs more.`,
      undefined,
      { limit, used },
    );
  }
  await trx
    .insertInto('read_volume')
    .values({ staff_id: staffId, window_start: iso(current), persons })
    .onConflict((oc) =>
      oc
        .columns(['staff_id', 'window_start'])
        .doUpdateSet((eb) => ({ persons: eb('read_volume.persons', '+', persons) })),
    )
    .execute();
  if (used + persons >= limit)
    await appendAlert({ limit, used: used + persons, windowMinutes: 60 });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
