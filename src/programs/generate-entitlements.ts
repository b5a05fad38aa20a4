// Generating a frozen cycle's entitlements: one `INSERT … SELECT` per slice of the snapshot,
// inside the database, each slice its own transaction. The entitlements' primary key
// (cycle_id, person_id) is what makes it idempotent — `on conflict do nothing` — so a run that
// crashed half-way is simply run again: what exists is kept, what is missing is added, and no
// lookup decides it. A person with an open pause in the programme gets a paused entitlement.
import { sql } from 'kysely';
import { isUniqueViolation, type Engine } from '../db';
import { appendAudit } from '../privacy';
import { humanOf, requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError, invariant } from '../shared/errors';
import {
  loadCycle,
  moveCycle,
  presentCycle,
  recordCycleEvent,
  requireCycleRegions,
  requireStatus,
  type Cycle,
  type CycleContext,
} from './cycle-store';
import { windowOpenings } from './windows';

/**
 * Snapshot rows per INSERT … SELECT: each slice is one transaction (what a crash can cost),
 * and its boundary one step along the key; at 100,000 those steps cost PostgreSQL a third of
 * the bare rate, at 250,000 a sixth (bench/cycle).
 */
export const generationSliceRows = 250_000;

/** How far a generation has come. */
export interface GenerationProgress {
  done: number;
  total: number;
}

/** Options of a generation run. */
export interface GenerateOptions {
  /** Called after each slice commits (a thrown error stops the run, as a crash would). */
  onProgress?: (progress: GenerationProgress) => void;
  sliceRows?: number;
}

function safe(value: bigint, what: string): number {
  invariant(value <= BigInt(Number.MAX_SAFE_INTEGER), `${what} is beyond a safe integer`);
  return Number(value);
}

/** The SQL of what each entitlement carries: quantity and amount. */
function benefitColumns(cycle: CycleContext, engine: Engine) {
  const b = cycle.version.benefit;
  // Typed parameters: PostgreSQL would otherwise read a bare parameter in a select list as text.
  const int = (v: number) =>
    sql`cast(${v} as ${sql.raw(engine === 'postgres' ? 'bigint' : 'integer')})`;
  switch (b.kind) {
    case 'quota':
      return { quantity: int(b.item.quantity), amount: sql`0` };
    case 'cash': {
      const base = safe(b.base, 'base');
      const per = safe(b.perMember ?? 0n, 'perMember');
      if (per === 0) return { quantity: sql`1`, amount: int(base) };
      const full = sql`(${int(base)} + ${int(per)} * m.household_size)`;
      if (b.cap === undefined) return { quantity: sql`1`, amount: full };
      const cap = safe(b.cap, 'cap');
      // The cap limits what the members add; it never cuts the base (see cashAmount).
      const ceiling = cap > base ? cap : base;
      return {
        quantity: sql`1`,
        amount: sql`(case when ${full} > ${int(ceiling)} then ${int(ceiling)} else ${full} end)`,
      };
    }
    case 'one_time':
      return { quantity: sql`1`, amount: int(safe(b.amount, 'amount')) };
    default:
      return { quantity: sql`1`, amount: sql`0` };
  }
}

/** The INSERT … SELECT of one slice (person ids in (after, upTo]; upTo null: to the end). */
export function generationSql(
  cycle: CycleContext,
  engine: Engine,
  at: string,
  after: string,
  upTo: string | null,
  withPauses = true,
  skipExisting = true,
) {
  const openings = windowOpenings(cycle.row.opens_on, cycle.row.closes_on, cycle.version.stagger);
  const digit = sql`substr(p.registry_number, length(p.registry_number), 1)`;
  const opensOn = sql`case ${digit} ${sql.join(
    openings.map((date, d) => sql`when ${String(d)} then ${date}`),
    sql` `,
  )} else ${cycle.row.opens_on} end`;
  const { quantity, amount } = benefitColumns(cycle, engine);
  const id = cycle.row.id;
  // The slice's bounds are stated on persons too (p.id = m.person_id): without them
  // PostgreSQL's merge join reads the persons index from its start for every slice, so that
  // the tenth slice reads ten slices' worth of persons.
  const bounds = (column: string) =>
    sql`${sql.ref(column)} > ${after} ${upTo === null ? sql`` : sql`and ${sql.ref(column)} <= ${upTo}`}`;
  const range = sql`m.cycle_id = ${id} and ${bounds('m.person_id')} and ${bounds('p.id')}`;
  // Without open pauses in the programme (the usual case) the pause join is left out: it
  // would otherwise probe the pauses index once per row of a country-sized cycle.
  const pauses = withPauses
    ? {
        join: sql`left join programme_pauses pp on pp.programme_id = ${cycle.programme.id}
          and pp.person_id = m.person_id and pp.lifted_at is null`,
        status: sql`case when pp.person_id is null then 'issued' else 'paused' end`,
        reason: sql`case when pp.person_id is null then null else 'paused_in_programme' end`,
      }
    : { join: sql``, status: sql`'issued'`, reason: sql`null` };
  return sql`insert into entitlements (cycle_id, person_id, programme_id, household_id, region_code, quantity,
      amount_minor, redeemed_quantity, status, opens_on, status_reason, created_at)
    select ${id}, m.person_id, ${cycle.programme.id}, m.household_id, m.region_code, ${quantity}, ${amount}, 0,
      ${pauses.status}, ${opensOn}, ${pauses.reason}, ${at}
    from cycle_members m
    join persons p on p.id = m.person_id
    ${pauses.join}
    where ${range}
    order by m.person_id
    ${skipExisting ? sql`on conflict do nothing` : sql``}`;
}

/**
 * Generates (or finishes generating) a frozen cycle's entitlements, a slice at a time; the
 * cycle becomes `generated` once every snapshot row has its entitlement.
 */
export async function generateEntitlements(
  app: AppContext,
  caller: Caller,
  cycleId: string,
  options: GenerateOptions = {},
): Promise<Cycle> {
  requirePermission(caller.actor, 'cycle:manage');
  const cycle = await loadCycle(app.db.kysely, cycleId);
  requireCycleRegions(caller, 'cycle:manage', cycle);
  requireStatus(cycle.row, ['frozen'], 'generate its entitlements');
  const slice = options.sliceRows ?? generationSliceRows;
  const total = cycle.row.eligible_count ?? 0;
  const at = app.now().toISOString();
  let after = '';
  let done = 0;
  // Rows this run wrote, and whether it found rows written before it (a resumed run).
  let written = 0;
  let resumed = false;
  // A pause filed while the slices run is applied again at the end (see below).
  const openPause = await app.db.kysely
    .selectFrom('programme_pauses')
    .select('id')
    .where('programme_id', '=', cycle.programme.id)
    .where('lifted_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  for (;;) {
    // The slice's last person: one step along the primary key, not a count.
    const boundary = await app.db.kysely
      .selectFrom('cycle_members')
      .select('person_id')
      .where('cycle_id', '=', cycleId)
      .where('person_id', '>', after)
      .orderBy('person_id')
      .offset(slice - 1)
      .limit(1)
      .executeTakeFirst();
    const upTo = boundary?.person_id ?? null;
    // A slice commits whole or not at all, so after a crash it is either all there or all
    // missing: it is first written as a plain insert (PostgreSQL's `on conflict` costs a
    // speculative insertion per row), and only if the primary key refuses a row — a slice
    // written before, by this run's predecessor or with other slice bounds — is it written
    // again skipping what exists. Either way the constraint, not a lookup, decides.
    const write = (skipExisting: boolean) =>
      app.db.transaction(async (trx) => {
        const result = await generationSql(
          cycle,
          app.db.engine,
          at,
          after,
          upTo,
          openPause !== undefined,
          skipExisting,
        ).execute(trx);
        return Number(result.numAffectedRows ?? 0n);
      });
    try {
      written += await write(false);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      resumed = true;
      written += await write(true);
    }
    done = upTo === null ? total : Math.min(total, done + slice);
    options.onProgress?.({ done, total });
    if (upTo === null) break;
    after = upTo;
  }
  return app.db.transaction(async (trx) => {
    // Pauses filed during the run, for persons whose slice had not yet been written: few,
    // so they are read and their entitlements updated by primary key.
    const paused = await trx
      .selectFrom('programme_pauses')
      .select('person_id')
      .where('programme_id', '=', cycle.programme.id)
      .where('lifted_at', 'is', null)
      .execute();
    for (let i = 0; i < paused.length; i += 1000)
      await trx
        .updateTable('entitlements')
        .set({ status: 'paused', status_reason: 'paused_in_programme' })
        .where('cycle_id', '=', cycleId)
        .where('status', '=', 'issued')
        .where(
          'person_id',
          'in',
          paused.slice(i, i + 1000).map((p) => p.person_id),
        )
        .execute();
    // A run that wrote every slice itself knows how many there are; one that resumed counts.
    const count =
      !resumed && written === total
        ? written
        : Number(
            (
              await trx
                .selectFrom('entitlements')
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .where('cycle_id', '=', cycleId)
                .executeTakeFirstOrThrow()
            ).n,
          );
    if (count !== total)
      throw new DomainError(
        'INVALID_STATE',
        `The cycle has ${count} entitlements for ${total} eligible; run the generation again.`,
      );
    await moveCycle(trx, cycleId, ['frozen'], {
      status: 'generated',
      entitlement_count: count,
      generated_at: app.now().toISOString(),
      generated_by: humanOf(caller.actor),
    });
    await recordCycleEvent(trx, app, caller, cycleId, 'generated', { entitlements: count });
    await appendAudit(trx, app, caller, {
      operation: 'cycle.generate',
      permission: 'cycle:manage',
      details: { cycleId, entitlements: count },
    });
    return presentCycle((await loadCycle(trx, cycleId)).row);
  });
}
