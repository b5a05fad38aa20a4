// The notices domain's tables. The outbox holds every message the system owes a person (a
// receipt after a redemption, a one-time code), written in the same transaction as what it
// reports, so that no delivery happens without its receipt being owed. The sender job drains
// it through the configured gateway; the gateway's delivery receipts come back to it.

/** Where a message is in its life. */
export type NoticeStatus =
  | 'queued' // waiting to be sent (again, from next_attempt_at)
  | 'sending' // claimed by a sender until claimed_until
  | 'sent' // the gateway accepted it
  | 'delivered' // the gateway reported it on the phone
  | 'undelivered' // the gateway reported it could not be delivered
  | 'dead' // given up after the most attempts (dead letter), or nothing to send it to
  | 'skipped_opt_out' // a non-essential notice to a person who opted out of those
  | 'cancelled'
  | 'failed'; // written by the first outbox release only; read as dead

/** A message owed to a person. The phone is read from their record when it is sent. */
export interface NoticeOutboxTable {
  id: string;
  person_id: string;
  channel: 'sms';
  /** Which system text (see templates.ts), rendered in the person's language when sent. */
  template: string;
  /** The service event it announces (templates.ts); null only on rows of the first release. */
  event: string | null;
  /** The programme whose approved wording is used for the event, when it has one. */
  programme_id: string | null;
  /** JSON of the template's values. */
  params: string;
  /** The caller's idempotency key: a second enqueue with it returns the first message. */
  dedupe_key: string | null;
  status: NoticeStatus;
  attempts: number;
  created_at: string;
  /** When the sender may try (again). */
  next_attempt_at: string | null;
  /** A claiming sender holds the row until then; a crashed sender's claim lapses. */
  claimed_until: string | null;
  sent_at: string | null;
  delivered_at: string | null;
  last_error: string | null;
  /** What was sent: the language, the gateway, the parts and the programme wording's version. */
  language: string | null;
  gateway: string | null;
  parts: number | null;
  template_version: number | null;
}

/** One part of a sent message as the gateway named it: delivery receipts match these ids. */
export interface NoticeGatewayIdsTable {
  gateway: string;
  gateway_message_id: string;
  outbox_id: string;
  part: number;
  status: 'sent' | 'delivered' | 'undelivered';
  updated_at: string;
}

/** A person's notice preferences: their language, and whether they want only essentials. */
export interface NoticePreferencesTable {
  person_id: string;
  language: 'es' | 'en';
  opt_out_non_essential: number;
  updated_at: string;
}

/** A programme's own wording of one of its service events: versioned, approved by a second person. */
export interface NoticeProgrammeTemplatesTable {
  id: string;
  programme_id: string;
  event: string;
  version: number;
  text_es: string;
  text_en: string;
  status: 'pending' | 'approved' | 'rejected' | 'superseded';
  created_by: string;
  created_at: string;
  reason: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
}

/** A text a person sent to the SMS number (not a delivery receipt), kept for a handler. */
export interface NoticeInboundTable {
  id: string;
  from: string;
  text: string;
  received_at: string;
  gateway: string;
  /** 0 until a handler (the grievances domain, later) took it. */
  handled: number;
}

/** All tables of the notices domain. */
export interface NoticesTables {
  notice_outbox: NoticeOutboxTable;
  notice_gateway_ids: NoticeGatewayIdsTable;
  notice_preferences: NoticePreferencesTable;
  notice_programme_templates: NoticeProgrammeTemplatesTable;
  notice_inbound: NoticeInboundTable;
}

declare module '../db/schema' {
  interface Schema extends NoticesTables {}
}
