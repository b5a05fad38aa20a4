// The portal domain's schema. Dated after every earlier migration; never edited once applied.
import { columnTypes, type MigrationStep } from '../db';

/** Sign-in codes, portal sessions and their limits. */
export const portalInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('portal_codes')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('person_id', t.text)
    .addColumn('code_hash', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('tries', t.integer, (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .addColumn('origin', t.text)
    .execute();
  await db.schema
    .createIndex('portal_codes_person')
    .on('portal_codes')
    .columns(['person_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('portal_sessions')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('token_hash', t.text, (c) => c.notNull().unique())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('csrf_token', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('ended_at', t.timestamp)
    .addColumn('origin', t.text)
    .execute();
  await db.schema
    .createTable('portal_limits')
    .addColumn('key', t.text, (c) => c.primaryKey())
    .addColumn('count', t.integer, (c) => c.notNull())
    .addColumn('window_start', t.timestamp, (c) => c.notNull())
    .addColumn('locked_until', t.timestamp)
    .execute();
};
