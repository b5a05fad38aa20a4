import { columnTypes } from '../db/columns';
import type { MigrationStep } from '../db';

/** Staff, roles, sessions, tokens. */
export const authInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('staff')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('username', t.text, (c) => c.notNull().unique())
    .addColumn('display_name', t.text, (c) => c.notNull())
    .addColumn('password_hash', t.text, (c) => c.notNull())
    .addColumn('totp_secret', t.text)
    .addColumn('totp_last_step', t.integer)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('must_change_password', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('failed_attempts', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('disabled_at', t.timestamp)
    .addColumn('disabled_by', t.text)
    .execute();
  await db.schema
    .createTable('role_grants')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('staff_id', t.text, (c) => c.notNull())
    .addColumn('role', t.text, (c) => c.notNull())
    .addColumn('regions', t.json, (c) => c.notNull())
    .addColumn('granted_at', t.timestamp, (c) => c.notNull())
    .addColumn('granted_by', t.text, (c) => c.notNull())
    .addColumn('revoked_at', t.timestamp)
    .addColumn('revoked_by', t.text)
    .execute();
  await db.schema.createIndex('role_grants_staff').on('role_grants').column('staff_id').execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('token_hash', t.text, (c) => c.notNull().unique())
    .addColumn('staff_id', t.text, (c) => c.notNull())
    .addColumn('stage', t.text, (c) => c.notNull())
    .addColumn('csrf_token', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('ended_at', t.timestamp)
    .addColumn('origin', t.text)
    .execute();
  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('staff_id', t.text, (c) => c.notNull())
    .addColumn('code_hash', t.text, (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .execute();
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('token_hash', t.text, (c) => c.notNull().unique())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('staff_id', t.text, (c) => c.notNull())
    .addColumn('permissions', t.json, (c) => c.notNull())
    .addColumn('regions', t.json, (c) => c.notNull())
    .addColumn('point_id', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('last_used_at', t.timestamp)
    .addColumn('revoked_at', t.timestamp)
    .addColumn('revoked_by', t.text)
    .execute();
  await db.schema
    .createTable('signin_failures')
    .addColumn('key', t.text, (c) => c.primaryKey())
    .addColumn('failures', t.integer, (c) => c.notNull())
    .addColumn('window_start', t.timestamp, (c) => c.notNull())
    .addColumn('locked_until', t.timestamp)
    .execute();
};

/**
 * Pending TOTP enrolments, by session: the offered secret lives in the database (sealed), so
 * that enrolment started on one server process can be confirmed on another.
 */
export const authTotpEnrolments: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('totp_enrolments')
    .addColumn('session_id', t.text, (c) => c.primaryKey())
    .addColumn('staff_id', t.text, (c) => c.notNull())
    .addColumn('secret', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .execute();
};

/**
 * API tokens expire. Tokens made before this migration get 90 days from when it runs, so that
 * none stops without notice and none lasts for ever.
 */
export const authTokenExpiry: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema.alterTable('api_tokens').addColumn('expires_at', t.timestamp).execute();
  const inNinetyDays = new Date(Date.now() + 90 * 24 * 60 * 60 * 1000).toISOString();
  await db
    .updateTable('api_tokens')
    .set({ expires_at: inNinetyDays })
    .where('expires_at', 'is', null)
    .execute();
};
