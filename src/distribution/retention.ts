// Principle 4 at the counter: where, when and by what proof a person collected is kept only as
// long as the programme needs it. When the programmes domain has reduced a closed cycle past its
// retention period (to totals by region, point and status), this job reduces what the
// distribution domain holds of that cycle: redemptions keep the person, the quantity, the
// proof kind and the month — what the person's record and the accounts need — and lose the
// point, the device, the operator, the minute and the proof's details; offline entries,
// conflicts and leases of the cycle lose their detail too. Nothing is deleted; each reduction
// is audited. Separately, the stored answers of Idempotency-Keys (which name entitlements) are
// cleared after two days: a client retries within minutes, not weeks.
import { sql } from 'kysely';
import type { StartJob } from '../module';
import { appendAudit } from '../privacy';
import { systemActor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';

/** Cycles one run reduces at most (each in its own transaction). */
const cyclesPerRunMax = 20;
/** Days an Idempotency-Key's answer is kept. */
export const idempotencyAnswerDays = 2;

/** Reduces the distribution detail of every cycle the programmes domain has reduced. */
export async function reduceDistributionDetail(
  app: AppContext,
  caller: Caller = { actor: systemActor('retention') },
): Promise<string[]> {
  const due = await app.db.kysely
    .selectFrom('cycles')
    .select(['id'])
    .where('reduced_at', 'is not', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('distribution_reductions as d')
            .select('d.cycle_id')
            .whereRef('d.cycle_id', '=', 'cycles.id'),
        ),
      ),
    )
    .orderBy('reduced_at')
    .limit(cyclesPerRunMax)
    .execute();
  const reduced: string[] = [];
  for (const { id } of due) {
    await app.db.transaction(async (trx) => {
      const r = await trx
        .updateTable('redemptions')
        .set({
          point_id: '',
          device_id: null,
          operator_id: '',
          proof_details: '{}',
          redeemed_at: sql`substr(redeemed_at, 1, 7)`,
          recorded_at: sql`substr(recorded_at, 1, 7)`,
          offline_counter: null,
        })
        .where('cycle_id', '=', id)
        .executeTakeFirst();
      await sql`update offline_entries set entry = '{}', signature = ''
        where redemption_id in (select id from redemptions where cycle_id = ${id})
           or conflict_id in (select id from conflicts where cycle_id = ${id})`.execute(trx);
      await trx
        .updateTable('conflicts')
        .set({ details: '{}', device_id: '', point_id: '' })
        .where('cycle_id', '=', id)
        .execute();
      await trx
        .updateTable('leases')
        .set({
          device_id: '',
          pack_id: '',
          leased_at: sql`substr(leased_at, 1, 7)`,
          released_at: sql`coalesce(substr(released_at, 1, 7), ${app.now().toISOString().slice(0, 7)})`,
          release_reason: 'reduced',
        })
        .where('cycle_id', '=', id)
        .execute();
      await trx
        .insertInto('distribution_reductions')
        .values({
          cycle_id: id,
          reduced_at: app.now().toISOString(),
          redemptions: Number(r.numUpdatedRows),
        })
        .execute();
      await appendAudit(trx, app, caller, {
        operation: 'redemption.reduce',
        details: { cycleId: id, redemptions: Number(r.numUpdatedRows) },
      });
    });
    reduced.push(id);
  }
  const before = new Date(app.now().getTime() - idempotencyAnswerDays * 86400_000).toISOString();
  await app.db.kysely
    .updateTable('idempotency_keys')
    .set({ response: null })
    .where('created_at', '<', before)
    .where('response', 'is not', null)
    .execute();
  return reduced;
}

/** The job: runs after the programmes' own reduction, every hour while the server runs. */
export const distributionRetentionJob: StartJob = (app, onError) => {
  const run = () => void reduceDistributionDetail(app).catch(onError);
  const first = setTimeout(run, 90_000);
  const timer = setInterval(run, 60 * 60 * 1000);
  first.unref();
  timer.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
  };
};
