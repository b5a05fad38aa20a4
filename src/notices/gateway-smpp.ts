// The SMPP v3.4 gateway (the `smpp` package): one transceiver session, bound on first use and
// again after it drops (bind_transceiver; a refused bind fails the send, which the outbox
// retries with backoff). Each message goes as submit_sm with registered_delivery, so the SMSC
// sends a delivery receipt back as deliver_sm; a long text goes as concatenated parts, each
// with an 8-bit-reference User Data Header, each part's message id kept so that its receipt
// finds it. GSM-7 texts are sent as unpacked septets (data_coding 0), others as UCS-2
// (data_coding 8). enquire_link keeps the session alive. A deliver_sm that is not a receipt is
// a text a person sent (mobile-originated): it goes to the listener's inbound hook.
import smpp, { type PDU, type Session } from 'smpp';
import type { GatewayListener, OutgoingSms, SendResult, SmsGateway } from './gateway';
import { encodeGsm7 } from './segments';

/** A delivery receipt's text, as SMSCs write it (SMPP 3.4 appendix B). */
export interface DeliveryReceipt {
  id: string;
  stat: string;
}

/** Reads a receipt's `id:… stat:…` text; null when it is not one. */
export function parseDeliveryReceipt(text: string): DeliveryReceipt | null {
  const id = /(?:^|\s)id:(\S+)/i.exec(text)?.[1];
  const stat = /(?:^|\s)stat:(\w+)/i.exec(text)?.[1];
  if (!id || !stat) return null;
  return { id, stat: stat.toUpperCase() };
}

/** Whether a receipt's state is final, and delivered; null for an intermediate state. */
export function receiptOutcome(stat: string): boolean | null {
  if (stat === 'DELIVRD') return true;
  if (['EXPIRED', 'DELETED', 'UNDELIV', 'REJECTD', 'UNKNOWN'].includes(stat)) return false;
  return null;
}

const esmDeliveryReceipt = 0x04;
const esmUdhIndicator = 0x40;
const responseTimeoutMs = 30_000;

/** The SMPP gateway's options. */
export interface SmppGatewayOptions {
  /** `smpp://host:port` (or `ssmpp://` for TLS). */
  url: string;
  systemId: string;
  password: () => string;
  sourceAddr: string;
  enquireLinkMs: number;
  connectTimeoutMs?: number;
  listener: GatewayListener;
  onError?: (e: unknown) => void;
}

/** A gateway over one SMPP transceiver session. */
export function smppGateway(options: SmppGatewayOptions): SmsGateway {
  let bound: Promise<Session> | null = null;
  let live: Session | null = null;
  let closing = false;
  let reference = Math.floor(Math.random() * 256);

  const report = (e: unknown) => options.onError?.(e);

  function onDeliver(session: Session, pdu: PDU): void {
    session.send(pdu.response());
    const esm = Number(pdu.esm_class ?? 0);
    const message = pdu.short_message as { message?: unknown } | undefined;
    const payload = pdu.message_payload as { message?: unknown } | undefined;
    const text = String(message?.message ?? payload?.message ?? '');
    if (esm & esmDeliveryReceipt) {
      const receipt = parseDeliveryReceipt(text);
      const id =
        typeof pdu.receipted_message_id === 'string' && pdu.receipted_message_id !== ''
          ? pdu.receipted_message_id
          : receipt?.id;
      const outcome = receipt ? receiptOutcome(receipt.stat) : null;
      if (id && outcome !== null) options.listener.receipt(id, outcome).catch(report);
      return;
    }
    options.listener.inbound(String(pdu.source_addr ?? ''), text).catch(report);
  }

  function bind(): Promise<Session> {
    return new Promise<Session>((resolve, reject) => {
      let settled = false;
      const session = smpp.connect(
        {
          url: options.url,
          auto_enquire_link_period: options.enquireLinkMs,
          connectTimeout: options.connectTimeoutMs ?? 10_000,
        },
        () => {
          session.bind_transceiver(
            { system_id: options.systemId, password: options.password() },
            (pdu) => {
              settled = true;
              if (pdu.command_status === 0) {
                live = session;
                resolve(session);
              } else {
                session.destroy();
                reject(new Error(`the SMSC refused the bind (status ${pdu.command_status})`));
              }
            },
          );
        },
      );
      session.on('deliver_sm', (pdu: PDU) => onDeliver(session, pdu));
      session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
      session.on('unbind', (pdu: PDU) => {
        session.send(pdu.response());
        session.close();
      });
      session.on('error', (e: unknown) => {
        if (!settled) {
          settled = true;
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
      session.on('close', () => {
        if (!settled) {
          settled = true;
          reject(new Error('the SMSC closed the connection before the bind'));
        }
        // A bound session that drops binds again (reconnect), so that receipts waiting at
        // the SMSC come in; a send in between binds itself.
        if (live === session) {
          live = null;
          bound = null;
          if (!closing) setTimeout(() => void connected().catch(report), 1000).unref();
        }
      });
    });
  }

  function connected(): Promise<Session> {
    if (!bound) {
      const attempt = bind();
      bound = attempt;
      attempt.catch(() => {
        if (bound === attempt) bound = null;
      });
    }
    return bound;
  }

  function submit(s: Session, fields: Record<string, unknown>): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the SMSC did not answer submit_sm')),
        responseTimeoutMs,
      );
      timer.unref();
      const written = s.submit_sm(fields, (pdu) => {
        clearTimeout(timer);
        if (pdu.command_status !== 0)
          reject(new Error(`the SMSC refused submit_sm (status ${pdu.command_status})`));
        else resolve(String(pdu.message_id ?? ''));
      });
      if (!written) {
        clearTimeout(timer);
        reject(new Error('the SMPP connection is not writable'));
      }
    });
  }

  return {
    name: 'smpp',
    async send(sms: OutgoingSms): Promise<SendResult> {
      const s = await connected();
      const dataCoding = sms.encoding === 'gsm7' ? 0x00 : 0x08;
      const encode = (text: string) =>
        sms.encoding === 'gsm7' ? encodeGsm7(text) : Buffer.from(text, 'utf16le').swap16();
      const base = {
        source_addr_ton: 5,
        source_addr_npi: 0,
        source_addr: options.sourceAddr,
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: sms.to.replace(/^\+/, ''),
        registered_delivery: 1,
        data_coding: dataCoding,
      };
      if (sms.parts.length <= 1)
        return {
          messageIds: [await submit(s, { ...base, esm_class: 0, short_message: encode(sms.text) })],
        };
      reference = (reference + 1) % 256;
      const ids: string[] = [];
      for (const [i, part] of sms.parts.entries()) {
        const udh = Buffer.from([0x05, 0x00, 0x03, reference, sms.parts.length, i + 1]);
        ids.push(
          await submit(s, {
            ...base,
            esm_class: esmUdhIndicator,
            short_message: Buffer.concat([udh, encode(part)]),
          }),
        );
      }
      return { messageIds: ids };
    },
    async close() {
      closing = true;
      const current = bound;
      bound = null;
      if (!current) return;
      const s = await current.catch(() => null);
      if (!s || s.closed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => s.destroy(() => resolve()), 2000);
        timer.unref();
        s.unbind({}, () => {
          clearTimeout(timer);
          s.close(() => resolve());
        });
      });
    },
  };
}
