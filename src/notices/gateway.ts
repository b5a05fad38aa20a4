// What an SMS gateway is to the sender, and the notices service an application carries: its
// settings, its gateway (made on first use from TESSERA_SMS_GATEWAY), its rate limiter, and
// the handlers of inbound texts. Tests set `app.notices` with a gateway of their own.
import type { Queryable } from '../db';
import type { AppContext } from '../shared/context';
import { noticeSettingsFromEnv, type NoticeSettings } from './settings';
import type { SmsEncoding } from './segments';
import type { NoticeLanguage } from './templates';

/** A message as a gateway sends it. */
export interface OutgoingSms {
  /** The outbox id: the message's idempotent id at the gateway too. */
  id: string;
  /** E.164, read from the person's record at send time. */
  to: string;
  personId: string;
  template: string;
  language: NoticeLanguage;
  text: string;
  encoding: SmsEncoding;
  /** The text of each SMS part (one for a short text). */
  parts: string[];
  at: string;
}

/** What the gateway accepted: its id of each part (file and http gateways: one id). */
export interface SendResult {
  messageIds: string[];
}

/** A gateway. `send` throws when the message was not accepted (the sender retries it). */
export interface SmsGateway {
  readonly name: string;
  send(sms: OutgoingSms): Promise<SendResult>;
  close(): Promise<void>;
}

/** What a gateway reports back, whenever it hears it. */
export interface GatewayListener {
  receipt(gatewayMessageId: string, delivered: boolean): Promise<unknown>;
  inbound(from: string, text: string): Promise<unknown>;
}

/** An inbound text as a handler sees it. */
export interface InboundSms {
  id: string;
  from: string;
  text: string;
  receivedAt: string;
}

/**
 * A handler of inbound texts (the grievances domain will file a complaint from a text that
 * carries a receipt's complaint code). It runs inside the transaction that stored the text;
 * returning true marks it handled.
 */
export type InboundHandler = (trx: Queryable, app: AppContext, sms: InboundSms) => Promise<boolean>;

/** The notices service of one application. */
export interface NoticeService {
  settings: NoticeSettings;
  /** The gateway in use; made from the settings on first use when not given. */
  gateway?: SmsGateway;
  inboundHandlers: InboundHandler[];
  /** Receipts that arrived before their message's ids were recorded (a fast gateway). */
  earlyReceipts: Map<string, boolean>;
  /** When the rate limiter next lets a part through (ms since the epoch, real time). */
  nextSlotAt: number;
}

declare module '../shared/context' {
  interface AppContext {
    /** Notices: settings, gateway and inbound handlers (tests set their own). */
    notices?: NoticeService;
  }
}

/** The application's notices service, made from the environment on first use. */
export function noticeService(app: AppContext): NoticeService {
  app.notices ??= {
    settings: noticeSettingsFromEnv(),
    inboundHandlers: [],
    earlyReceipts: new Map(),
    nextSlotAt: 0,
  };
  return app.notices;
}

/** A notices service over given settings and gateway (tests, the CLI). */
export function useNoticeService(
  app: AppContext,
  settings: Partial<NoticeSettings> & { gateway?: NoticeSettings['gateway'] },
  gateway?: SmsGateway,
): NoticeService {
  app.notices = {
    settings: { ...noticeSettingsFromEnv(), ...settings },
    ...(gateway ? { gateway } : {}),
    inboundHandlers: app.notices?.inboundHandlers ?? [],
    earlyReceipts: new Map(),
    nextSlotAt: 0,
  };
  return app.notices;
}

/**
 * Registers a handler of inbound texts (see InboundHandler). Call it from a domain's
 * `connect`: `onInboundSms(app, async (trx, app, sms) => …)`.
 */
export function onInboundSms(app: AppContext, handler: InboundHandler): void {
  noticeService(app).inboundHandlers.push(handler);
}

/** Waits until the gateway's rate allows `parts` more parts (real time, bounded by the rate). */
export async function takeRateSlots(service: NoticeService, parts: number): Promise<void> {
  const spacing = 1000 / service.settings.ratePerSecond;
  const now = Date.now();
  const start = Math.max(now, service.nextSlotAt);
  service.nextSlotAt = start + spacing * parts;
  const wait = start - now;
  if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, 60_000)));
}
