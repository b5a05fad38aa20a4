// until notices lands: getNoticePreferences / setNoticePreferences belong to the notices
// domain (its preferences table, read by the sender). This shim keeps the same signatures and
// holds preferences in memory per database, so the portal can offer them today; at merge it is
// replaced by the notices domain's own functions and this file is deleted.
import type { Database, Queryable } from '../db';
import type { AppContext } from '../shared/context';

/** A person's notice preferences. */
export interface NoticePreferences {
  language: 'es' | 'en';
  /** Essential notices (codes, receipts, grievance replies) are always sent. */
  optOutNonEssential: boolean;
}

const defaults: NoticePreferences = { language: 'es', optOutNonEssential: false };
const held = new WeakMap<object, Map<string, NoticePreferences>>();

function storeOf(db: Database | Queryable): Map<string, NoticePreferences> {
  let m = held.get(db);
  if (!m) {
    m = new Map();
    held.set(db, m);
  }
  return m;
}

/** until notices lands: a person's preferences (the defaults when none were set). */
export async function getNoticePreferences(
  db: Database,
  personId: string,
): Promise<NoticePreferences> {
  return storeOf(db).get(personId) ?? { ...defaults };
}

/** until notices lands: sets a person's preferences (the real one writes inside `trx`). */
export async function setNoticePreferences(
  _trx: Queryable,
  app: AppContext,
  personId: string,
  preferences: NoticePreferences,
): Promise<void> {
  storeOf(app.db).set(personId, { ...preferences });
}
