// The notices domain's outbox: every message the system owes a person (a receipt after a
// redemption, a one-time code), written in the same transaction as what it reports, so that
// no delivery happens without its receipt being owed. A sender (SMS, with delivery reports)
// drains it; until one is configured, messages wait here and can be read by their person.

/** A message owed to a person. The phone is read from their record when it is sent. */
export interface NoticeOutboxTable {
  id: string;
  person_id: string;
  channel: 'sms';
  /** Which text (see templates.ts), rendered in the person's language when sent. */
  template: string;
  /** JSON of the template's values. */
  params: string;
  status: 'queued' | 'sent' | 'failed' | 'cancelled';
  attempts: number;
  created_at: string;
  sent_at: string | null;
  last_error: string | null;
}

/** All tables of the notices domain. */
export interface NoticesTables {
  notice_outbox: NoticeOutboxTable;
}

declare module '../db/schema' {
  interface Schema extends NoticesTables {}
}
