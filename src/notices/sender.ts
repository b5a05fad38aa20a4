// The sender: drains the outbox through the configured gateway. Several servers may drain
// at once: each claims due messages first — on PostgreSQL with `for update skip locked`, so
// two servers never claim the same row and neither waits for the other; on SQLite with one
// conditional update (writers are serialised, and the update re-checks the status) — and a
// claim lapses after claimMs, so a server that died mid-send does not hold its messages.
// Each claimed message is then checked against its person's preferences (a non-essential
// notice to a person who opted out is skipped), rendered in their language (the programme's
// approved wording of the event when it has one), sent to the phone on their record as it is
// now, and its result recorded: sent with the gateway's ids, or back in the queue with an
// exponentially growing delay, or — after the most attempts — dead (the dead letter).
import { sql } from 'kysely';
import type { AppContext } from '../shared/context';
import type { StartJob } from '../module';
import { noticeService, takeRateSlots, type NoticeService, type SmsGateway } from './gateway';
import { fileGateway } from './gateway-file';
import { httpGateway } from './gateway-http';
import { smppGateway } from './gateway-smpp';
import { getNoticePreferences } from './preferences';
import { approvedWording } from './programme-templates';
import { recordInbound, recordReceipt } from './receipts';
import { countSegments } from './segments';
import {
  fillText,
  isNoticeEvent,
  isNoticeTemplate,
  noticeEvents,
  noticeTemplates,
  type NoticeLanguage,
} from './templates';

/** How long a claim holds a message. */
export const claimMs = 5 * 60_000;
/** The most messages one drain takes. */
export const drainLimitMax = 1000;

/** The application's gateway, made from its settings on first use. */
export function noticeGateway(app: AppContext): SmsGateway {
  const service = noticeService(app);
  if (service.gateway) return service.gateway;
  const s = service.settings;
  const listener = {
    receipt: (id: string, delivered: boolean) => recordReceipt(app, s.gateway, id, delivered),
    inbound: (from: string, text: string) => recordInbound(app, s.gateway, from, text),
  };
  if (s.gateway === 'http') {
    if (!s.httpUrl) throw new Error('TESSERA_SMS_HTTP_URL is not set (TESSERA_SMS_GATEWAY=http)');
    service.gateway = httpGateway({
      url: s.httpUrl,
      secret: s.httpSecret,
      timeoutMs: s.httpTimeoutMs,
    });
  } else if (s.gateway === 'smpp') {
    if (!s.smppUrl) throw new Error('TESSERA_SMPP_URL is not set (TESSERA_SMS_GATEWAY=smpp)');
    service.gateway = smppGateway({
      url: s.smppUrl,
      systemId: s.smppSystemId,
      password: s.smppPassword,
      sourceAddr: s.smppSourceAddr,
      enquireLinkMs: s.smppEnquireLinkMs,
      listener,
    });
  } else service.gateway = fileGateway(s.smsFile);
  return service.gateway;
}

interface Claimed {
  id: string;
  person_id: string;
  template: string;
  event: string | null;
  programme_id: string | null;
  params: string;
  attempts: number;
}

// Claims up to `limit` due messages (queued and due, or claimed by a sender whose claim lapsed).
async function claimDue(app: AppContext, limit: number): Promise<Claimed[]> {
  const now = app.now();
  const at = now.toISOString();
  const until = new Date(now.getTime() + claimMs).toISOString();
  const lock = app.db.engine === 'postgres' ? sql`for update skip locked` : sql``;
  const result = await sql<Claimed>`
    update notice_outbox
       set status = 'sending', claimed_until = ${until}, attempts = attempts + 1
     where id in (
       select id from notice_outbox
        where (status = 'queued' and next_attempt_at <= ${at})
           or (status = 'sending' and claimed_until <= ${at})
        order by next_attempt_at, id
        limit ${limit}
        ${lock})
       and (status = 'queued' or (status = 'sending' and claimed_until <= ${at}))
    returning id, person_id, template, event, programme_id, params, attempts`.execute(
    app.db.kysely,
  );
  return result.rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
}

/** The delay before the next try after `attempts` failed ones. */
export function retryDelayMs(service: NoticeService, attempts: number): number {
  const s = service.settings;
  const seconds = Math.min(s.retryBaseSeconds * 2 ** Math.max(0, attempts - 1), s.retryMaxSeconds);
  return Math.round(seconds * 1000);
}

/** What one drain did. */
export interface DrainResult {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
  skipped: number;
}

type Outcome = 'sent' | 'retried' | 'dead' | 'skipped';

// Updates a claimed message, only while it is still this claim's.
async function settle(
  app: AppContext,
  id: string,
  set: Record<string, string | number | null>,
): Promise<void> {
  await app.db.kysely
    .updateTable('notice_outbox')
    .set({ ...set, claimed_until: null })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

async function sendOne(
  app: AppContext,
  service: NoticeService,
  gateway: SmsGateway,
  m: Claimed,
): Promise<Outcome> {
  const db = app.db.kysely;
  const event = m.event && isNoticeEvent(m.event) ? m.event : null;
  if (!isNoticeTemplate(m.template) || !event) {
    await settle(app, m.id, { status: 'dead', last_error: `unknown template ${m.template}` });
    return 'dead';
  }
  const preferences = await getNoticePreferences(db, app, m.person_id);
  if (preferences.optOutNonEssential && !noticeEvents[event].essential) {
    await settle(app, m.id, { status: 'skipped_opt_out', last_error: null });
    return 'skipped';
  }
  const person = await db
    .selectFrom('persons')
    .select(['phone'])
    .where('id', '=', m.person_id)
    .executeTakeFirst();
  if (!person?.phone) {
    await settle(app, m.id, { status: 'dead', last_error: 'no phone on record' });
    return 'dead';
  }
  const language: NoticeLanguage = preferences.language;
  const params = JSON.parse(m.params) as Record<string, string>;
  const wording =
    m.programme_id && noticeEvents[event].programmeOwned
      ? await approvedWording(db, m.programme_id, event)
      : null;
  const text = fillText(
    wording ? wording[language] : noticeTemplates[m.template][language],
    params,
    m.template,
  );
  const segments = countSegments(text);
  try {
    await takeRateSlots(service, Math.max(1, segments.parts));
    const result = await gateway.send({
      id: m.id,
      to: person.phone,
      personId: m.person_id,
      template: m.template,
      language,
      text,
      encoding: segments.encoding,
      parts: segments.partTexts,
      at: app.now().toISOString(),
    });
    const at = app.now().toISOString();
    await app.db.transaction(async (trx) => {
      await trx
        .updateTable('notice_outbox')
        .set({
          status: 'sent',
          sent_at: at,
          claimed_until: null,
          last_error: null,
          language,
          gateway: gateway.name,
          parts: segments.parts,
          template_version: wording?.version ?? null,
        })
        .where('id', '=', m.id)
        .where('status', '=', 'sending')
        .execute();
      for (const [part, gid] of result.messageIds.entries())
        await trx
          .insertInto('notice_gateway_ids')
          .values({
            gateway: gateway.name,
            gateway_message_id: gid,
            outbox_id: m.id,
            part: part + 1,
            status: 'sent',
            updated_at: at,
          })
          .onConflict((oc) => oc.columns(['gateway', 'gateway_message_id']).doNothing())
          .execute();
    });
    // A receipt that came before the ids were recorded is applied now.
    for (const gid of result.messageIds) {
      const early = service.earlyReceipts.get(gid);
      if (early === undefined) continue;
      service.earlyReceipts.delete(gid);
      await recordReceipt(app, gateway.name, gid, early);
    }
    return 'sent';
  } catch (e) {
    const error = (e instanceof Error ? e.message : String(e)).slice(0, 500);
    if (m.attempts >= service.settings.maxAttempts) {
      await settle(app, m.id, { status: 'dead', last_error: error });
      return 'dead';
    }
    const next = new Date(app.now().getTime() + retryDelayMs(service, m.attempts));
    await settle(app, m.id, {
      status: 'queued',
      next_attempt_at: next.toISOString(),
      last_error: error,
    });
    return 'retried';
  }
}

/** Sends what is due now, up to `limit` messages; what it did. */
export async function drainOutbox(
  app: AppContext,
  options: { limit?: number } = {},
): Promise<DrainResult> {
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 100)), drainLimitMax);
  const service = noticeService(app);
  const gateway = noticeGateway(app);
  const claimed = await claimDue(app, limit);
  const result: DrainResult = { claimed: claimed.length, sent: 0, retried: 0, dead: 0, skipped: 0 };
  for (const m of claimed) result[await sendOne(app, service, gateway, m)] += 1;
  return result;
}

/** The sender job: drains every few seconds while the server runs, one drain at a time. */
export const noticeSenderJob: StartJob = (app, onError) => {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      // Bounded: at most ten full drains per tick, then the next tick.
      for (let i = 0; i < 10 && !stopped; i++) {
        const r = await drainOutbox(app, { limit: 100 });
        if (r.claimed < 100) break;
      }
    })()
      .catch(onError)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, noticeService(app).settings.pollMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
    await app.notices?.gateway?.close();
  };
};
