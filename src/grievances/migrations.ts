// The grievances domain's schema. Dated after every earlier migration; never edited once applied.
import { columnTypes, type MigrationStep } from '../db';

/** Grievances and their history. */
export const grievancesInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('grievances')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('reference', t.text, (c) => c.notNull().unique())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('region_code', t.text, (c) => c.notNull())
    .addColumn('category', t.text, (c) => c.notNull())
    .addColumn('channel', t.text, (c) => c.notNull())
    .addColumn('description', t.text, (c) => c.notNull())
    .addColumn('link_kind', t.text)
    .addColumn('link_id', t.text)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('filed_at', t.timestamp, (c) => c.notNull())
    .addColumn('filed_by', t.text, (c) => c.notNull())
    .addColumn('due_at', t.timestamp, (c) => c.notNull())
    .addColumn('assigned_to', t.text)
    .addColumn('resolved_at', t.timestamp)
    .addColumn('resolved_by', t.text)
    .addColumn('outcome', t.text)
    .addColumn('resolution_reason', t.text)
    .addColumn('appealed_at', t.timestamp)
    .addColumn('appeal_reason', t.text)
    .addColumn('appeal_decided_at', t.timestamp)
    .addColumn('appeal_decided_by', t.text)
    .addColumn('appeal_outcome', t.text)
    .addColumn('appeal_decision_reason', t.text)
    .execute();
  await db.schema
    .createIndex('grievances_queue')
    .on('grievances')
    .columns(['region_code', 'status', 'due_at'])
    .execute();
  await db.schema
    .createIndex('grievances_person')
    .on('grievances')
    .columns(['person_id', 'filed_at'])
    .execute();
  await db.schema
    .createTable('grievance_events')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('grievance_id', t.text, (c) => c.notNull())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('actor_id', t.text, (c) => c.notNull())
    .addColumn('event', t.text, (c) => c.notNull())
    .addColumn('note', t.text)
    .execute();
  await db.schema
    .createIndex('grievance_events_grievance')
    .on('grievance_events')
    .columns(['grievance_id', 'at'])
    .execute();
};
