// The HTTP gateway: each message is POSTed as JSON to TESSERA_SMS_HTTP_URL, signed with
// `X-Tessera-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` under a secret
// shared with the gateway (TESSERA_SMS_HTTP_SECRET or _FILE). A 2xx answer with
// `{"messageId": "…"}` is accepted; anything else, or no answer within the timeout, is retried.
// The gateway posts delivery receipts back to POST /api/v1/notices/receipts, signed the same
// way (see receipts.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OutgoingSms, SendResult, SmsGateway } from './gateway';

/** The header both directions sign with. */
export const signatureHeader = 'x-tessera-signature';
/** How old a signed request may be. */
export const signatureToleranceSeconds = 300;

/** The signature header's value for a body at a time. */
export function signBody(secret: string, body: string | Buffer, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.`).update(body).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Whether a signature header is valid for the body, now; the reason when it is not. */
export function checkSignature(
  secret: string,
  body: string | Buffer,
  header: string | undefined,
  nowSeconds: number,
): { ok: true } | { ok: false; reason: string } {
  if (!header) return { ok: false, reason: 'no X-Tessera-Signature header' };
  const parts = Object.fromEntries(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
    }),
  );
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? ''))
    return { ok: false, reason: 'the signature header is not t=<unix>,v1=<hex>' };
  if (Math.abs(nowSeconds - t) > signatureToleranceSeconds)
    return { ok: false, reason: 'the signature is too old or from the future' };
  const expected = Buffer.from(signBody(secret, body, t).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1!, 'hex');
  if (!timingSafeEqual(expected, given))
    return { ok: false, reason: 'the signature does not match' };
  return { ok: true };
}

/** A gateway that POSTs each message to `url`. */
export function httpGateway(options: {
  url: string;
  secret: () => string;
  timeoutMs: number;
  now?: () => Date;
}): SmsGateway {
  return {
    name: 'http',
    async send(sms: OutgoingSms): Promise<SendResult> {
      const body = JSON.stringify({
        id: sms.id,
        to: sms.to,
        text: sms.text,
        encoding: sms.encoding,
        parts: sms.parts.length,
      });
      const t = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [signatureHeader]: signBody(options.secret(), body, t),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'error',
      });
      const text = (await response.text()).slice(0, 4096);
      if (!response.ok) throw new Error(`the gateway answered ${response.status}`);
      let messageId: unknown;
      try {
        messageId = (JSON.parse(text) as { messageId?: unknown }).messageId;
      } catch {
        messageId = undefined;
      }
      if (typeof messageId !== 'string' || messageId === '' || messageId.length > 128)
        throw new Error('the gateway answered without a messageId');
      return { messageIds: [messageId] };
    },
    async close() {},
  };
}
