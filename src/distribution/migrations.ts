// The distribution domain's first schema. The guarantees that matter most are constraints,
// not code: one live lease per entitlement (a partial unique index), one offline entry per
// device counter, one idempotency record per client and key, one valid redemption per
// offline entry.
import { sql } from 'kysely';
import { columnTypes } from '../db/columns';
import type { MigrationStep } from '../db';

/** Points, devices, stock, redemptions, idempotency, leases, packs, offline chain, conflicts. */
export const distributionInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);

  await db.schema
    .createTable('points')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('code', t.text, (c) => c.notNull().unique())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('region_code', t.text, (c) => c.notNull())
    .addColumn('locality', t.text)
    .addColumn('programmes', t.json, (c) => c.notNull())
    .addColumn('merchant_account_id', t.text)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('closed_at', t.timestamp)
    .addColumn('closed_by', t.text)
    .execute();
  await db.schema.createIndex('points_region').on('points').column('region_code').execute();

  await db.schema
    .createTable('point_operators')
    .addColumn('point_id', t.text, (c) => c.notNull())
    .addColumn('staff_id', t.text, (c) => c.notNull())
    .addColumn('assigned_at', t.timestamp, (c) => c.notNull())
    .addColumn('assigned_by', t.text, (c) => c.notNull())
    .addColumn('removed_at', t.timestamp)
    .addColumn('removed_by', t.text)
    .execute();
  await sql`create unique index point_operators_live on point_operators (point_id, staff_id) where removed_at is null`.execute(
    db,
  );
  await db.schema
    .createIndex('point_operators_staff')
    .on('point_operators')
    .column('staff_id')
    .execute();

  await db.schema
    .createTable('devices')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('point_id', t.text, (c) => c.notNull())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('enrolment_code_hash', t.text, (c) => c.unique())
    .addColumn('enrolment_expires_at', t.timestamp)
    .addColumn('public_key', t.text)
    .addColumn('token_id', t.text, (c) => c.unique())
    .addColumn('offline_daily_cap', t.integer, (c) => c.notNull())
    .addColumn('chain_counter', t.integer, (c) => c.notNull())
    .addColumn('chain_head', t.text)
    .addColumn('registered_at', t.timestamp, (c) => c.notNull())
    .addColumn('registered_by', t.text, (c) => c.notNull())
    .addColumn('enrolled_at', t.timestamp)
    .addColumn('enrolled_by', t.text)
    .addColumn('last_seen_at', t.timestamp)
    .addColumn('revoked_at', t.timestamp)
    .addColumn('revoked_by', t.text)
    .addColumn('revoke_reason', t.text)
    .execute();
  await db.schema.createIndex('devices_point').on('devices').column('point_id').execute();

  await db.schema
    .createTable('stock_movements')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('point_id', t.text, (c) => c.notNull())
    .addColumn('cycle_id', t.text, (c) => c.notNull())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('quantity', t.integer, (c) => c.notNull())
    .addColumn('reference', t.text, (c) => c.notNull())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('by', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('stock_movements_point')
    .on('stock_movements')
    .columns(['point_id', 'cycle_id'])
    .execute();

  await db.schema
    .createTable('redemptions')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('cycle_id', t.text, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('programme_id', t.text, (c) => c.notNull())
    .addColumn('point_id', t.text, (c) => c.notNull())
    .addColumn('device_id', t.text)
    .addColumn('operator_id', t.text, (c) => c.notNull())
    .addColumn('quantity', t.integer, (c) => c.notNull())
    .addColumn('proof_kind', t.text, (c) => c.notNull())
    .addColumn('proof_details', t.json, (c) => c.notNull())
    .addColumn('collected_by_person_id', t.text)
    .addColumn('collected_as', t.text, (c) => c.notNull())
    .addColumn('channel', t.text, (c) => c.notNull())
    .addColumn('co_payment_method', t.text, (c) => c.notNull())
    .addColumn('co_payment_minor', t.integer, (c) => c.notNull())
    .addColumn('co_payment_id', t.text)
    .addColumn('receipt_code', t.text, (c) => c.notNull())
    .addColumn('redeemed_at', t.timestamp, (c) => c.notNull())
    .addColumn('recorded_at', t.timestamp, (c) => c.notNull())
    .addColumn('offline_counter', t.integer)
    .addCheckConstraint('redemptions_quantity_positive', sql`quantity > 0`)
    .execute();
  await db.schema
    .createIndex('redemptions_entitlement')
    .on('redemptions')
    .columns(['cycle_id', 'person_id'])
    .execute();
  await db.schema
    .createIndex('redemptions_point_day')
    .on('redemptions')
    .columns(['point_id', 'redeemed_at'])
    .execute();
  // A complaint names the receipt's code; 50 random bits make a repeat rare, not impossible,
  // so the code finds candidates and the person's own record settles which.
  await db.schema
    .createIndex('redemptions_receipt')
    .on('redemptions')
    .column('receipt_code')
    .execute();
  // One valid redemption per offline entry, whatever retries and races do.
  await sql`create unique index redemptions_offline_entry on redemptions (device_id, offline_counter) where offline_counter is not null`.execute(
    db,
  );

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('scope', t.text, (c) => c.notNull())
    .addColumn('key', t.text, (c) => c.notNull())
    .addColumn('request_hash', t.text, (c) => c.notNull())
    .addColumn('state', t.text, (c) => c.notNull())
    .addColumn('locked_until', t.timestamp, (c) => c.notNull())
    .addColumn('status_code', t.integer)
    .addColumn('response', t.json)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('completed_at', t.timestamp)
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
    .execute();

  await db.schema
    .createTable('leases')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('cycle_id', t.text, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('device_id', t.text, (c) => c.notNull())
    .addColumn('pack_id', t.text, (c) => c.notNull())
    .addColumn('leased_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('released_at', t.timestamp)
    .addColumn('release_reason', t.text)
    .execute();
  // An entitlement is in at most one device's pack at a time: an expired lease is released
  // (by the pack that supersedes it, or by the next lease of that entitlement) before another.
  await sql`create unique index leases_one_live on leases (cycle_id, person_id) where released_at is null`.execute(
    db,
  );
  await db.schema
    .createIndex('leases_device')
    .on('leases')
    .columns(['device_id', 'released_at'])
    .execute();

  await db.schema
    .createTable('packs')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('device_id', t.text, (c) => c.notNull())
    .addColumn('salt', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('lease_count', t.integer, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('packs_device').on('packs').column('device_id').execute();

  await db.schema
    .createTable('offline_entries')
    .addColumn('device_id', t.text, (c) => c.notNull())
    .addColumn('counter', t.integer, (c) => c.notNull())
    .addColumn('hash', t.text, (c) => c.notNull())
    .addColumn('prev_hash', t.text, (c) => c.notNull())
    .addColumn('entry', t.json, (c) => c.notNull())
    .addColumn('signature', t.text, (c) => c.notNull())
    .addColumn('outcome', t.text, (c) => c.notNull())
    .addColumn('redemption_id', t.text)
    .addColumn('conflict_id', t.text)
    .addColumn('received_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('offline_entries_pk', ['device_id', 'counter'])
    .execute();

  await db.schema
    .createTable('conflicts')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('cycle_id', t.text, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('point_id', t.text, (c) => c.notNull())
    .addColumn('device_id', t.text, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('redemption_id', t.text)
    .addColumn('quantity', t.integer, (c) => c.notNull())
    .addColumn('offline_counter', t.integer)
    .addColumn('details', t.json, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('resolution', t.text)
    .addColumn('resolution_note', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('resolved_at', t.timestamp)
    .addColumn('resolved_by', t.text)
    .execute();
  await db.schema
    .createIndex('conflicts_status')
    .on('conflicts')
    .columns(['status', 'created_at'])
    .execute();

  await db.schema
    .createTable('proof_codes')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('code_hash', t.text, (c) => c.notNull())
    .addColumn('point_id', t.text, (c) => c.notNull())
    .addColumn('requested_by', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('tries', t.integer, (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('proof_codes_person')
    .on('proof_codes')
    .columns(['person_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('nominees')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('beneficiary_id', t.text, (c) => c.notNull())
    .addColumn('nominee_id', t.text, (c) => c.notNull())
    .addColumn('consent', t.text, (c) => c.notNull())
    .addColumn('recorded_at', t.timestamp, (c) => c.notNull())
    .addColumn('recorded_by', t.text, (c) => c.notNull())
    .addColumn('revoked_at', t.timestamp)
    .addColumn('revoked_by', t.text)
    .addColumn('revoke_reason', t.text)
    .execute();
  await sql`create unique index nominees_live on nominees (beneficiary_id, nominee_id) where revoked_at is null`.execute(
    db,
  );
  await db.schema.createIndex('nominees_nominee').on('nominees').column('nominee_id').execute();
};

/** Which cycles' distribution detail the retention job has reduced (principle 4). */
export const distributionRetention: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('distribution_reductions')
    .addColumn('cycle_id', t.text, (c) => c.primaryKey())
    .addColumn('reduced_at', t.timestamp, (c) => c.notNull())
    .addColumn('redemptions', t.integer, (c) => c.notNull())
    .execute();
};
