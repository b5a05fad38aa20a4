// Writing a notice to the outbox, inside the caller's transaction: a receipt is owed exactly
// when the delivery it reports committed.
import type { Queryable } from '../db';
import type { AppContext } from '../shared/context';
import type { NoticeParams, NoticeTemplate } from './templates';

/** Queues a message for a person; returns its id. */
export async function enqueueNotice<T extends NoticeTemplate>(
  trx: Queryable,
  app: AppContext,
  personId: string,
  template: T,
  params: NoticeParams<T>,
): Promise<string> {
  const id = app.newId();
  await trx
    .insertInto('notice_outbox')
    .values({
      id,
      person_id: personId,
      channel: 'sms',
      template,
      params: JSON.stringify(params),
      status: 'queued',
      attempts: 0,
      created_at: app.now().toISOString(),
      sent_at: null,
      last_error: null,
    })
    .execute();
  return id;
}

/** The messages owed to a person, newest first (what their portal and tests read). */
export async function queuedNotices(
  db: Queryable,
  personId: string,
): Promise<{ id: string; template: string; params: Record<string, string>; status: string }[]> {
  const rows = await db
    .selectFrom('notice_outbox')
    .select(['id', 'template', 'params', 'status'])
    .where('person_id', '=', personId)
    .orderBy('created_at', 'desc')
    .limit(100)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    template: r.template,
    params: JSON.parse(r.params) as Record<string, string>,
    status: r.status,
  }));
}
