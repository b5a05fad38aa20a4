// Principle 4: where and exactly when a person collected is kept only as long as the
// programme needs it (its retention period after the cycle closes), then reduced to totals by
// region, point and status. What stays per person is what their own record and the accounts
// need — that they were entitled and whether they collected — with the month, not the minute,
// and no point of service. Nothing is deleted; the reduction is audited.
import { sql } from 'kysely';
import { appendAudit } from '../privacy';
import { systemActor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import type { StartJob } from '../module';
import { loadVersion } from './programmes';
import { addDays } from './windows';

/** Cycles one run reduces at most (each in its own transaction). */
const cyclesPerRunMax = 20;

/** Reduces every closed cycle past its retention period; returns the cycles reduced. */
export async function reduceExpiredDetail(
  app: AppContext,
  caller: Caller = { actor: systemActor('retention') },
): Promise<string[]> {
  const today = app.now().toISOString().slice(0, 10);
  const closed = await app.db.kysely
    .selectFrom('cycles')
    .select(['id', 'programme_id', 'programme_version', 'closed_at'])
    .where('status', '=', 'closed')
    .where('reduced_at', 'is', null)
    .orderBy('closed_at')
    .limit(500)
    .execute();
  const reduced: string[] = [];
  for (const cycle of closed) {
    if (reduced.length >= cyclesPerRunMax) break;
    const version = await loadVersion(app.db.kysely, cycle.programme_id, cycle.programme_version);
    if (addDays(cycle.closed_at!.slice(0, 10), version.retentionDays) > today) continue;
    await app.db.transaction(async (trx) => {
      await sql`insert into cycle_aggregates (cycle_id, region_code, point_id, status, entitlements, redeemed_quantity)
        select cycle_id, region_code, coalesce(last_point_id, ''), status, count(*), sum(redeemed_quantity)
        from entitlements where cycle_id = ${cycle.id}
        group by cycle_id, region_code, coalesce(last_point_id, ''), status`.execute(trx);
      await trx
        .updateTable('entitlements')
        .set({ last_point_id: null, last_redeemed_at: sql`substr(last_redeemed_at, 1, 7)` })
        .where('cycle_id', '=', cycle.id)
        .execute();
      await trx
        .updateTable('cycles')
        .set({ reduced_at: app.now().toISOString() })
        .where('id', '=', cycle.id)
        .where('reduced_at', 'is', null)
        .execute();
      await appendAudit(trx, app, caller, {
        operation: 'cycle.reduce',
        details: { cycleId: cycle.id, retentionDays: version.retentionDays },
      });
    });
    reduced.push(cycle.id);
  }
  return reduced;
}

/** The retention job: reduces due cycles every hour while the server runs. */
export const retentionJob: StartJob = (app, onError) => {
  const run = () => void reduceExpiredDetail(app).catch(onError);
  const first = setTimeout(run, 60_000);
  const timer = setInterval(run, 60 * 60 * 1000);
  first.unref();
  timer.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
  };
};
