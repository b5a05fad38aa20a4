// The programmes domain's first schema. The two large tables (cycle_members, entitlements)
// are keyed by (cycle_id, person_id): on SQLite the rows live in that B-tree itself (without
// rowid), and bulk generation inserts in person-id order within a cycle, so it appends.
import { sql } from 'kysely';
import { columnTypes } from '../db/columns';
import type { MigrationStep } from '../db';

/** Programmes, their versions, cycles, snapshots, entitlements, pauses, reports, payments. */
export const programsInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  const withoutRowid = <B extends { modifyEnd(s: ReturnType<typeof sql>): B }>(b: B): B =>
    engine === 'sqlite' ? b.modifyEnd(sql`without rowid`) : b;

  await db.schema
    .createTable('programmes')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('code', t.text, (c) => c.notNull().unique())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('target', t.text, (c) => c.notNull())
    .addColumn('schedule', t.text, (c) => c.notNull())
    .addColumn('current_version', t.integer, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('programme_versions')
    .addColumn('programme_id', t.text, (c) => c.notNull())
    .addColumn('version', t.integer, (c) => c.notNull())
    .addColumn('name_es', t.text, (c) => c.notNull())
    .addColumn('name_en', t.text, (c) => c.notNull())
    .addColumn('rule', t.text, (c) => c.notNull())
    .addColumn('definition', t.json, (c) => c.notNull())
    .addColumn('change_reason', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('programme_versions_pk', ['programme_id', 'version'])
    .execute();

  await db.schema
    .createTable('cycles')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('programme_id', t.text, (c) => c.notNull())
    .addColumn('programme_version', t.integer, (c) => c.notNull())
    .addColumn('label', t.text, (c) => c.notNull())
    .addColumn('reference_date', t.text, (c) => c.notNull())
    .addColumn('opens_on', t.text, (c) => c.notNull())
    .addColumn('closes_on', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('eligible_count', t.integer)
    .addColumn('entitlement_count', t.integer)
    .addColumn('frozen_at', t.timestamp)
    .addColumn('frozen_by', t.text)
    .addColumn('generated_at', t.timestamp)
    .addColumn('generated_by', t.text)
    .addColumn('approved_at', t.timestamp)
    .addColumn('approved_by', t.text)
    .addColumn('closed_at', t.timestamp)
    .addColumn('closed_by', t.text)
    .addColumn('cancelled_at', t.timestamp)
    .addColumn('cancelled_by', t.text)
    .addColumn('cancel_reason', t.text)
    .addColumn('reduced_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .execute();
  // One live cycle per programme and period; a cancelled one frees its label.
  await sql`create unique index cycles_programme_label on cycles (programme_id, label) where status <> 'cancelled'`.execute(
    db,
  );

  await db.schema
    .createTable('cycle_events')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('cycle_id', t.text, (c) => c.notNull())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('actor_id', t.text, (c) => c.notNull())
    .addColumn('event', t.text, (c) => c.notNull())
    .addColumn('details', t.json, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('cycle_events_cycle')
    .on('cycle_events')
    .columns(['cycle_id', 'at'])
    .execute();

  await db.schema
    .createTable('cycle_members')
    .addColumn('cycle_id', t.text, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('household_id', t.text)
    .addColumn('region_code', t.text, (c) => c.notNull())
    .addColumn('sex', t.text)
    .addColumn('birth_date', t.text, (c) => c.notNull())
    .addColumn('household_size', t.integer)
    .addPrimaryKeyConstraint('cycle_members_pk', ['cycle_id', 'person_id'])
    .$call(withoutRowid)
    .execute();

  await db.schema
    .createTable('entitlements')
    .addColumn('cycle_id', t.text, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('programme_id', t.text, (c) => c.notNull())
    .addColumn('household_id', t.text)
    .addColumn('region_code', t.text, (c) => c.notNull())
    .addColumn('quantity', t.integer, (c) => c.notNull())
    .addColumn('amount_minor', t.integer, (c) => c.notNull())
    .addColumn('redeemed_quantity', t.integer, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('opens_on', t.text, (c) => c.notNull())
    .addColumn('status_reason', t.text)
    .addColumn('status_changed_at', t.timestamp)
    .addColumn('status_changed_by', t.text)
    .addColumn('last_proof_kind', t.text)
    .addColumn('last_redeemed_at', t.timestamp)
    .addColumn('last_point_id', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    // The primary key is what makes generation idempotent: a rerun inserts nothing twice.
    .addPrimaryKeyConstraint('entitlements_pk', ['cycle_id', 'person_id'])
    // Quantities can never go wrong by arithmetic, whatever the code above does.
    .addCheckConstraint(
      'entitlements_redeemed_range',
      sql`redeemed_quantity >= 0 and redeemed_quantity <= quantity`,
    )
    .$call(withoutRowid)
    .execute();
  // A person's entitlements (what a point of service and the person's own record read).
  await db.schema
    .createIndex('entitlements_person')
    .on('entitlements')
    .column('person_id')
    .execute();

  await db.schema
    .createTable('programme_pauses')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('programme_id', t.text, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('paused_at', t.timestamp, (c) => c.notNull())
    .addColumn('paused_by', t.text, (c) => c.notNull())
    .addColumn('lifted_at', t.timestamp)
    .addColumn('lifted_by', t.text)
    .addColumn('lift_reason', t.text)
    .execute();
  await sql`create unique index programme_pauses_one_open on programme_pauses (programme_id, person_id) where lifted_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('exclusion_reports')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('cycle_id', t.text, (c) => c.notNull())
    .addColumn('generated_at', t.timestamp, (c) => c.notNull())
    .addColumn('generated_by', t.text, (c) => c.notNull())
    .addColumn('final', t.integer, (c) => c.notNull())
    .addColumn('report', t.json, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('exclusion_reports_cycle')
    .on('exclusion_reports')
    .columns(['cycle_id', 'generated_at'])
    .execute();

  await db.schema
    .createTable('cycle_aggregates')
    .addColumn('cycle_id', t.text, (c) => c.notNull())
    .addColumn('region_code', t.text, (c) => c.notNull())
    .addColumn('point_id', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('entitlements', t.integer, (c) => c.notNull())
    .addColumn('redeemed_quantity', t.integer, (c) => c.notNull())
    .addPrimaryKeyConstraint('cycle_aggregates_pk', [
      'cycle_id',
      'region_code',
      'point_id',
      'status',
    ])
    .execute();

  await db.schema
    .createTable('payment_batches')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('cycle_id', t.text, (c) => c.notNull())
    .addColumn('started_at', t.timestamp, (c) => c.notNull())
    .addColumn('started_by', t.text, (c) => c.notNull())
    .addColumn('finished_at', t.timestamp)
    .addColumn('paid', t.integer, (c) => c.notNull())
    .addColumn('skipped', t.integer, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('payment_results')
    .addColumn('batch_id', t.text, (c) => c.notNull())
    .addColumn('cycle_id', t.text, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('outcome', t.text, (c) => c.notNull())
    .addColumn('reason', t.text)
    .addColumn('transfer_id', t.text, (c) => c.notNull())
    .addColumn('amount_minor', t.integer, (c) => c.notNull())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('payment_results_pk', ['batch_id', 'person_id'])
    .execute();
};
