// What gateways report back. A delivery receipt names the gateway's id of one part: the part
// is marked, and the message becomes delivered when every part is, undelivered when any part
// is not. A text a person sent (mobile-originated) is stored in notice_inbound and offered to
// the inbound handlers (onInboundSms) in the same transaction; one that takes it marks it
// handled. The HTTP gateway posts both as signed JSON Lines to POST /api/v1/notices/receipts.
import { z } from 'zod';
import type { AppContext } from '../shared/context';
import { DomainError } from '../shared/errors';
import { noticeService } from './gateway';
import { checkSignature } from './gateway-http';

/** How many early receipts are kept waiting for their message's ids. */
const earlyReceiptsMax = 10_000;

/** Records a delivery receipt for one part; true when it matched a message. */
export async function recordReceipt(
  app: AppContext,
  gateway: string,
  gatewayMessageId: string,
  delivered: boolean,
): Promise<boolean> {
  if (await applyReceipt(app, gateway, gatewayMessageId, delivered)) return true;
  // The gateway may answer faster than the sender records the ids: kept for the sender,
  // which applies it once they are recorded. Looked up once more after it is kept, so that
  // a sender that recorded the ids (and looked here) in between does not miss it.
  const early = noticeService(app).earlyReceipts;
  if (early.size >= earlyReceiptsMax) return false;
  early.set(gatewayMessageId, delivered);
  if (!(await applyReceipt(app, gateway, gatewayMessageId, delivered))) return false;
  early.delete(gatewayMessageId);
  return true;
}

async function applyReceipt(
  app: AppContext,
  gateway: string,
  gatewayMessageId: string,
  delivered: boolean,
): Promise<boolean> {
  const at = app.now().toISOString();
  return app.db.transaction(async (trx) => {
    const part = await trx
      .selectFrom('notice_gateway_ids')
      .select(['outbox_id'])
      .where('gateway', '=', gateway)
      .where('gateway_message_id', '=', gatewayMessageId)
      .executeTakeFirst();
    if (!part) return false;
    // Receipts of a message's parts may come at once: the message's row is locked first, so
    // that the last part's receipt sees every other part's (PostgreSQL reads committed rows;
    // SQLite runs one writer at a time).
    if (app.db.engine === 'postgres')
      await trx
        .selectFrom('notice_outbox')
        .select('id')
        .where('id', '=', part.outbox_id)
        .forUpdate()
        .execute();
    await trx
      .updateTable('notice_gateway_ids')
      .set({ status: delivered ? 'delivered' : 'undelivered', updated_at: at })
      .where('gateway', '=', gateway)
      .where('gateway_message_id', '=', gatewayMessageId)
      .execute();
    const parts = await trx
      .selectFrom('notice_gateway_ids')
      .select(['status'])
      .where('outbox_id', '=', part.outbox_id)
      .execute();
    const status = parts.some((p) => p.status === 'undelivered')
      ? 'undelivered'
      : parts.every((p) => p.status === 'delivered')
        ? 'delivered'
        : null;
    if (status)
      await trx
        .updateTable('notice_outbox')
        .set({ status, delivered_at: status === 'delivered' ? at : null })
        .where('id', '=', part.outbox_id)
        .where('status', 'in', ['sent', 'delivered', 'undelivered'])
        .execute();
    return true;
  });
}

/** Stores a text a person sent and offers it to the inbound handlers; its id. */
export async function recordInbound(
  app: AppContext,
  gateway: string,
  from: string,
  text: string,
): Promise<string> {
  const handlers = noticeService(app).inboundHandlers;
  const id = app.newId();
  const receivedAt = app.now().toISOString();
  const sms = { id, from: from.slice(0, 32), text: text.slice(0, 1600), receivedAt };
  await app.db.transaction(async (trx) => {
    await trx
      .insertInto('notice_inbound')
      .values({
        id,
        from: sms.from,
        text: sms.text,
        received_at: receivedAt,
        gateway,
        handled: 0,
      })
      .execute();
    for (const handler of handlers) {
      if (await handler(trx, app, sms)) {
        await trx.updateTable('notice_inbound').set({ handled: 1 }).where('id', '=', id).execute();
        break;
      }
    }
  });
  return id;
}

const receiptLine = z.union([
  z
    .object({
      messageId: z.string().min(1).max(128),
      status: z.enum(['delivered', 'undelivered']),
    })
    .strict(),
  z
    .object({
      inbound: z.object({ from: z.string().min(1).max(32), text: z.string().max(1600) }).strict(),
    })
    .strict(),
]);

/** The most lines one receipts post may carry. */
export const receiptLinesMax = 1000;

/**
 * Applies a signed JSON Lines post of the HTTP gateway: each line is a receipt
 * `{"messageId","status":"delivered"|"undelivered"}` or an inbound text
 * `{"inbound":{"from","text"}}`. The signature is checked, then every line, before anything
 * is applied; a bad line names its number.
 */
export async function applyHttpReceipts(
  app: AppContext,
  body: Buffer,
  signature: string | undefined,
): Promise<{ receipts: number; matched: number; inbound: number }> {
  const service = noticeService(app);
  let secret: string;
  try {
    secret = service.settings.httpSecret();
  } catch {
    throw new DomainError('FORBIDDEN', 'This server takes no receipts: no gateway secret is set.');
  }
  const check = checkSignature(secret, body, signature, Math.floor(app.now().getTime() / 1000));
  if (!check.ok)
    throw new DomainError('FORBIDDEN', `Receipts refused: ${check.reason}.`, 'x-tessera-signature');
  const lines = body
    .toString('utf8')
    .split('\n')
    .map((l, i) => ({ l: l.trim(), n: i + 1 }))
    .filter((x) => x.l !== '');
  if (lines.length > receiptLinesMax)
    throw new DomainError('PAYLOAD_TOO_LARGE', `At most ${receiptLinesMax} lines per post.`);
  const parsed = lines.map(({ l, n }) => {
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch {
      throw new DomainError('MALFORMED_JSON', `line ${n} is not JSON`, `line ${n}`);
    }
    const r = receiptLine.safeParse(value);
    if (!r.success)
      throw new DomainError(
        'VALIDATION_FAILED',
        `line ${n}: a receipt is {"messageId","status"} and an inbound text {"inbound":{"from","text"}}`,
        `line ${n}`,
      );
    return r.data;
  });
  let receipts = 0;
  let matched = 0;
  let inbound = 0;
  for (const line of parsed) {
    if ('inbound' in line) {
      await recordInbound(app, 'http', line.inbound.from, line.inbound.text);
      inbound += 1;
    } else {
      receipts += 1;
      if (await recordReceipt(app, 'http', line.messageId, line.status === 'delivered'))
        matched += 1;
    }
  }
  return { receipts, matched, inbound };
}
