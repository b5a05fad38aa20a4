// Writing a notice to the outbox, inside the caller's transaction: a receipt is owed exactly
// when the delivery it reports committed, and rolling the event back takes the notice with it.
// A caller may give a dedupe key: enqueueing again with it returns the first message's id and
// writes nothing (a retried request, a job run twice).
import { preparedQuery, type Queryable } from '../db';
import type { AppContext } from '../shared/context';
import { noticeTemplates, type NoticeParams, type NoticeTemplate } from './templates';

/** What a caller may add to a notice. */
export interface EnqueueOptions {
  /** At most one message per key, ever (up to 200 characters). */
  dedupeKey?: string;
  /** The programme the notice is about: its approved wording of the event is used, if any. */
  programmeId?: string;
}

// A notice per redemption (its receipt): the insert is prepared once (db/prepared-query.ts).
const insertNotice = preparedQuery(
  8,
  (
    db,
    id: string,
    personId: string,
    template: string,
    event: string | null,
    programmeId: string | null,
    params: string,
    dedupeKey: string | null,
    at: string,
  ) =>
    db
      .insertInto('notice_outbox')
      .values({
        id,
        person_id: personId,
        channel: 'sms',
        template,
        event,
        programme_id: programmeId,
        params,
        dedupe_key: dedupeKey,
        status: 'queued',
        attempts: 0,
        created_at: at,
        next_attempt_at: at,
        claimed_until: null,
        sent_at: null,
        delivered_at: null,
        last_error: null,
        language: null,
        gateway: null,
        parts: null,
        template_version: null,
      })
      .onConflict((oc) => oc.column('dedupe_key').where('dedupe_key', 'is not', null).doNothing()),
);

/** Queues a message for a person; returns its id (the first one's, for a repeated key). */
export async function enqueueNotice<T extends NoticeTemplate>(
  trx: Queryable,
  app: AppContext,
  personId: string,
  template: T,
  params: NoticeParams<T>,
  options: EnqueueOptions = {},
): Promise<string> {
  const dedupeKey = options.dedupeKey ?? null;
  if (dedupeKey !== null && (dedupeKey.length === 0 || dedupeKey.length > 200))
    throw new Error('invariant violated: a notice dedupe key is 1 to 200 characters');
  const id = app.newId();
  const at = app.now().toISOString();
  const inserted = await insertNotice(
    trx,
    id,
    personId,
    template,
    noticeTemplates[template].event,
    options.programmeId ?? null,
    JSON.stringify(params),
    dedupeKey,
    at,
  );
  if (Number(inserted.numAffectedRows ?? 1n) > 0 || dedupeKey === null) return id;
  const first = await trx
    .selectFrom('notice_outbox')
    .select('id')
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirstOrThrow();
  return first.id;
}

/** A message as its person's portal and tests read it. */
export interface QueuedNotice {
  id: string;
  template: string;
  event: string | null;
  params: Record<string, string>;
  status: string;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
}

/** The messages owed to a person, newest first (at most 100). */
export async function queuedNotices(db: Queryable, personId: string): Promise<QueuedNotice[]> {
  const rows = await db
    .selectFrom('notice_outbox')
    .select([
      'id',
      'template',
      'event',
      'params',
      'status',
      'attempts',
      'created_at',
      'sent_at',
      'delivered_at',
    ])
    .where('person_id', '=', personId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(100)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    template: r.template,
    event: r.event,
    params: JSON.parse(r.params) as Record<string, string>,
    status: r.status,
    attempts: Number(r.attempts),
    createdAt: r.created_at,
    sentAt: r.sent_at,
    deliveredAt: r.delivered_at,
  }));
}
