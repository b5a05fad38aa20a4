import { sql } from 'kysely';
import { columnTypes } from '../db/columns';
import type { MigrationStep } from '../db';

/** Issuer keys, cards, and the cached signed lists. */
export const credentialsInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('issuer_keys')
    .addColumn('kid', t.text, (c) => c.primaryKey())
    .addColumn('alg', t.text, (c) => c.notNull())
    .addColumn('public_jwk', t.json, (c) => c.notNull())
    .addColumn('private_key', t.json, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('retired_at', t.timestamp)
    .addColumn('not_after', t.timestamp)
    .execute();
  // One active key: two servers creating the first key at once cannot both succeed.
  await sql`create unique index issuer_keys_one_active on issuer_keys (status) where status = 'active'`.execute(
    db,
  );

  await db.schema
    .createTable('cards')
    .addColumn('serial', t.integer, (c) => c.primaryKey())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('kid', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('issued_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('issued_by', t.text, (c) => c.notNull())
    .addColumn('qr_text', t.text, (c) => c.notNull())
    .addColumn('face', t.json, (c) => c.notNull())
    .addColumn('revoked_at', t.timestamp)
    .addColumn('revoked_by', t.text)
    .addColumn('revocation_reason', t.text)
    .addColumn('replaced_by', t.integer)
    .execute();
  await db.schema
    .createIndex('cards_person')
    .on('cards')
    .columns(['person_id', 'serial'])
    .execute();
  await db.schema.createIndex('cards_kid').on('cards').columns(['kid', 'expires_at']).execute();
  await db.schema.createIndex('cards_revoked').on('cards').columns(['revoked_at']).execute();
  // A person holds at most one active card: a second would be a spare no one can revoke.
  await sql`create unique index cards_one_active on cards (person_id) where status = 'active'`.execute(
    db,
  );

  await db.schema
    .createTable('credential_documents')
    .addColumn('kind', t.text, (c) => c.primaryKey())
    .addColumn('issued_at', t.timestamp, (c) => c.notNull())
    .addColumn('fingerprint', t.text, (c) => c.notNull())
    .addColumn('document', t.json, (c) => c.notNull())
    .execute();
};

/** Bulk issuance jobs, the people of list jobs, and the cards each job issued. */
export const credentialsCardJobs: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('card_jobs')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('region_code', t.text)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('total', t.integer, (c) => c.notNull())
    .addColumn('done', t.integer, (c) => c.notNull())
    .addColumn('issued', t.integer, (c) => c.notNull())
    .addColumn('skipped', t.json, (c) => c.notNull())
    .addColumn('cursor', t.text)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('finished_at', t.timestamp)
    .execute();
  await db.schema
    .createTable('card_job_people')
    .addColumn('job_id', t.text, (c) => c.notNull())
    .addColumn('seq', t.integer, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('card_job_people_pk', ['job_id', 'seq'])
    .execute();
  await db.schema
    .createTable('card_job_cards')
    .addColumn('job_id', t.text, (c) => c.notNull())
    .addColumn('serial', t.integer, (c) => c.notNull())
    .addPrimaryKeyConstraint('card_job_cards_pk', ['job_id', 'serial'])
    .execute();
  // Region jobs walk a region's active people in id order.
  await db.schema
    .createIndex('persons_region_id')
    .ifNotExists()
    .on('persons')
    .columns(['region_code', 'id'])
    .execute();
};
