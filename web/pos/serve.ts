// What happens at the counter, online or offline, without the screens: identifying the person
// (by card, or by registry number and date of birth), the entitlements they may collect here
// with their windows and states, and handing one over. Online, the server decides (identify,
// then a redemption with an Idempotency-Key kept with the request until it is answered, so a
// retry after a network failure is the same request and cannot deliver twice). Offline, the
// card is verified with the pack's lists, the lease found by its salted hash, and the
// handing-over recorded as a signed, chained entry in the outbox; the lease is marked used.
import { ApiError } from '../console/api';
import { nextEntry, type OfflineProof } from './chain';
import { deviceApi } from './device-api';
import { nameOnCard, verdictWord, verifyWithPack, type VerdictWord } from './offline-card';
import {
  coPaymentFor,
  leaseRemaining,
  leasesByBirth,
  leasesByCard,
  leaseState,
  offlineRefusal,
  type Pack,
  type PackLease,
} from './pack';
import {
  dropPending,
  loadChain,
  loadLeaseUse,
  loadPending,
  recordEntry,
  savePending,
  unitsOfflineOn,
  type StoredDevice,
} from './store';

/** Names in both languages. */
export interface Names {
  es: string;
  en: string;
}

/** One entitlement the counter shows. */
export interface Line {
  entitlementId: string;
  programmeName: Names;
  itemName: Names;
  unit: string;
  kind: string;
  quantity: number;
  remaining: number;
  opensOn: string;
  closesOn: string;
  state: string;
  coPaymentPerUnit: string;
  currency: string;
  servedHere: boolean;
  cycleLabel?: string;
  /** Offline: the lease the device holds for it. */
  leaseId?: string;
  /** Collected for someone else (online): whom, and as what. */
  forPerson?: { displayName: string; registryNumber: string; as: string };
}

/** The person at the counter. */
export interface Person {
  registryNumber: string;
  displayName: string | null;
  hasPhone: boolean;
  phoneHint: string | null;
}

/** A card's verdict, in plain words, with what a card proof needs. */
export interface CardCheck {
  word: VerdictWord;
  reason: string;
  qrText: string;
  serial: string | null;
  kid: string | null;
  registryNumber: string | null;
  name: string | null;
}

/** Who is at the counter and what they may collect. */
export interface Identified {
  mode: 'online' | 'offline';
  by: 'card' | 'birth';
  person: Person;
  lines: Line[];
  card?: CardCheck;
  birth?: { registryNumber: string; birthDate: string };
}

/** What a handing-over gave. */
export interface Receipt {
  mode: 'online' | 'offline';
  receiptCode: string | null;
  counter: number | null;
  line: Line;
  quantity: number;
  coPayment: { method: string; amount: string };
  at: string;
}

/** An entitlement as the server shows it at a point. */
interface EntitlementView {
  id: string;
  cycleLabel: string;
  programmeName: Names;
  kind: string;
  quantity: number;
  remaining: number;
  unit: string;
  itemName: Names;
  coPaymentPerUnit: string;
  currency: string;
  opensOn: string;
  closesOn: string;
  state: string;
  servedHere: boolean;
}

interface IdentifyAnswer {
  person: {
    registryNumber: string;
    displayName: string;
    hasPhone: boolean;
    phoneHint: string | null;
  };
  card: null | { valid: boolean; reason: string; serial: string | null };
  entitlements: EntitlementView[];
  collectFor: Array<{
    person: { registryNumber: string; displayName: string };
    as: string;
    entitlements: EntitlementView[];
  }>;
}

function lineOf(e: EntitlementView, forPerson?: Line['forPerson']): Line {
  return {
    entitlementId: e.id,
    programmeName: e.programmeName,
    itemName: e.itemName,
    unit: e.unit,
    kind: e.kind,
    quantity: e.quantity,
    remaining: e.remaining,
    opensOn: e.opensOn,
    closesOn: e.closesOn,
    state: e.state,
    coPaymentPerUnit: e.coPaymentPerUnit,
    currency: e.currency,
    servedHere: e.servedHere,
    cycleLabel: e.cycleLabel,
    ...(forPerson ? { forPerson } : {}),
  };
}

/** Asks the server who this is (card or registry number and date of birth). */
export async function identifyOnline(
  device: StoredDevice,
  who: { qrText: string } | { registryNumber: string; birthDate: string },
): Promise<Identified> {
  const answer = await deviceApi<IdentifyAnswer>(device.token, 'POST', '/api/v1/pos/identify', {
    body: who,
    purpose: 'service_delivery',
  });
  const lines = [
    ...answer.entitlements.map((e) => lineOf(e)),
    ...answer.collectFor.flatMap((c) =>
      c.entitlements.map((e) =>
        lineOf(e, {
          displayName: c.person.displayName,
          registryNumber: c.person.registryNumber,
          as: c.as,
        }),
      ),
    ),
  ];
  const person: Person = {
    registryNumber: answer.person.registryNumber,
    displayName: answer.person.displayName,
    hasPhone: answer.person.hasPhone,
    phoneHint: answer.person.phoneHint,
  };
  if ('qrText' in who)
    return {
      mode: 'online',
      by: 'card',
      person,
      lines,
      card: {
        word: 'valid',
        reason: answer.card?.reason ?? 'VALID',
        qrText: who.qrText,
        serial: answer.card?.serial ?? null,
        kid: null,
        registryNumber: answer.person.registryNumber,
        name: answer.person.displayName,
      },
    };
  return { mode: 'online', by: 'birth', person, lines, birth: who };
}

/** The card's verdict from a refusal of identify (the server names the verifier's reason). */
export function cardRefusal(error: unknown, qrText: string): CardCheck | null {
  if (!(error instanceof ApiError) || error.field !== 'qrText') return null;
  const reason = (error.details as { reason?: unknown } | undefined)?.reason;
  if (typeof reason !== 'string') return null;
  return {
    word: verdictWord(reason),
    reason,
    qrText,
    serial: null,
    kid: null,
    registryNumber: null,
    name: null,
  };
}

/** Checks a card with the pack's lists. */
export async function checkCardOffline(pack: Pack, qrText: string): Promise<CardCheck> {
  const verdict = await verifyWithPack(pack, qrText);
  return {
    word: verdictWord(verdict.reason),
    reason: verdict.reason,
    qrText,
    serial: verdict.cardSerial,
    kid: verdict.kid,
    registryNumber: verdict.claims?.id ?? null,
    name: nameOnCard(verdict),
  };
}

async function offlineLines(pack: Pack, leases: PackLease[]): Promise<Line[]> {
  const use = await loadLeaseUse();
  const now = new Date();
  return leases.map((lease) => {
    const programme = pack.programmes.find((p) => p.id === lease.programmeId);
    const used = use.get(lease.leaseId) ?? 0;
    return {
      entitlementId: lease.entitlementId,
      programmeName: programme?.name ?? { es: lease.programmeId, en: lease.programmeId },
      itemName: programme?.itemName ?? { es: '', en: '' },
      unit: programme?.unit ?? '',
      kind: programme?.kind ?? 'basket',
      quantity: lease.quantity,
      remaining: leaseRemaining(lease, used),
      opensOn: lease.opensOn,
      closesOn: lease.closesOn,
      state: leaseState(pack, lease, used, now),
      coPaymentPerUnit: programme?.coPaymentPerUnit ?? '0',
      currency: programme?.currency ?? 'VES',
      servedHere: true,
      leaseId: lease.leaseId,
    };
  });
}

/** Who a card that verified offline names, and their leases on this device. */
export async function identifyByCardOffline(pack: Pack, card: CardCheck): Promise<Identified> {
  const registryNumber = card.registryNumber ?? '';
  return {
    mode: 'offline',
    by: 'card',
    person: { registryNumber, displayName: card.name, hasPhone: false, phoneHint: null },
    lines: await offlineLines(pack, await leasesByCard(pack, registryNumber)),
    card,
  };
}

/** The leases of a person named by registry number and date of birth, offline. */
export async function identifyByBirthOffline(
  pack: Pack,
  registryNumber: string,
  birthDate: string,
): Promise<Identified> {
  return {
    mode: 'offline',
    by: 'birth',
    person: { registryNumber, displayName: null, hasPhone: false, phoneHint: null },
    lines: await offlineLines(pack, await leasesByBirth(pack, registryNumber, birthDate)),
    birth: { registryNumber, birthDate },
  };
}

/** A proof of identity as a redemption carries it online. */
export type OnlineProof =
  | { kind: 'card'; qrText: string }
  | { kind: 'sms_code'; codeId: string; code: string }
  | {
      kind: 'document';
      registryNumber: string;
      birthDate: string;
      documentType: 'national_id' | 'passport' | 'birth_certificate' | 'other';
      documentNumber: string;
      reason: string;
    };

/** A co-payment as the operator took it. */
export type CoPayment = { method: 'cash' } | { method: 'wallet'; pin: string };

interface RedemptionAnswer {
  redemption: {
    receiptCode: string;
    quantity: number;
    redeemedAt: string;
    coPayment: { method: string; amount: string };
  };
  entitlement: EntitlementView;
}

/** Sends one redemption with its key; the key stays with the request until answered. */
async function sendRedemption(
  device: StoredDevice,
  key: string,
  body: unknown,
): Promise<RedemptionAnswer> {
  try {
    const answer = await deviceApi<RedemptionAnswer>(device.token, 'POST', '/api/v1/redemptions', {
      body,
      purpose: 'service_delivery',
      idempotencyKey: key,
    });
    await dropPending(key);
    return answer;
  } catch (e) {
    // A refusal is the answer (the same key would get it again); only silence is retried.
    if (!(e instanceof ApiError) || (e.code !== 'NETWORK' && e.code !== 'IDEMPOTENCY_IN_PROGRESS'))
      await dropPending(key);
    throw e;
  }
}

function receiptOf(answer: RedemptionAnswer, line: Line): Receipt {
  return {
    mode: 'online',
    receiptCode: answer.redemption.receiptCode,
    counter: null,
    line: lineOf(answer.entitlement, line.forPerson),
    quantity: answer.redemption.quantity,
    coPayment: answer.redemption.coPayment,
    at: answer.redemption.redeemedAt,
  };
}

/**
 * Hands over online, exactly once per key however often it is retried: the request is kept
 * with its key before it is sent, and forgotten only when an answer comes.
 */
export async function redeemOnline(
  device: StoredDevice,
  line: Line,
  quantity: number,
  proof: OnlineProof,
  coPayment: CoPayment | null,
  key: string = crypto.randomUUID(),
): Promise<Receipt> {
  const body = {
    entitlementId: line.entitlementId,
    quantity,
    proof,
    ...(coPayment ? { coPayment } : {}),
  };
  await savePending({
    key,
    body,
    label: `${line.programmeName.es} × ${quantity}`,
    createdAt: new Date().toISOString(),
  });
  return receiptOf(await sendRedemption(device, key, body), line);
}

/** Sends again a redemption left unanswered, with its own key and body. */
export async function resendOnline(
  device: StoredDevice,
  key: string,
  line: Line,
): Promise<Receipt> {
  const pending = (await loadPending()).find((p) => p.key === key);
  if (!pending) throw new Error('that redemption is no longer waiting');
  return receiptOf(await sendRedemption(device, key, pending.body), line);
}

/** Retries a redemption left unanswered (at sync); returns its receipt code. */
export async function retryPending(
  device: StoredDevice,
  pending: { key: string; body: unknown },
): Promise<string> {
  const answer = await sendRedemption(device, pending.key, pending.body);
  return answer.redemption.receiptCode;
}

/** Why the device refuses to record offline, as a code the screen words. */
export class OfflineRefusal extends Error {
  constructor(
    readonly reason: 'quantity' | 'whole' | 'daily_cap' | 'not_redeemable' | 'no_lease' | 'cash',
  ) {
    super(reason);
  }
}

let recording: Promise<unknown> = Promise.resolve();

/** Records a handing-over offline as the next signed entry of the chain. */
export function redeemOffline(
  device: StoredDevice,
  pack: Pack,
  line: Line,
  quantity: number,
  proof: OfflineProof,
  cash: boolean,
): Promise<Receipt> {
  // One entry at a time: each is chained to the one before.
  const run = recording.then(async () => {
    if (!line.leaseId) throw new OfflineRefusal('no_lease');
    const lease = pack.leases.find((l) => l.leaseId === line.leaseId);
    if (!lease) throw new OfflineRefusal('no_lease');
    const used = (await loadLeaseUse()).get(lease.leaseId) ?? 0;
    const now = new Date();
    if (leaseState(pack, lease, used, now) !== 'redeemable')
      throw new OfflineRefusal('not_redeemable');
    const redeemedAt = now.toISOString();
    const refusal = offlineRefusal({
      kind: line.kind,
      quantity,
      remaining: leaseRemaining(lease, used),
      usedToday: await unitsOfflineOn(redeemedAt.slice(0, 10)),
      dailyCap: pack.dailyCap,
    });
    if (refusal) throw new OfflineRefusal(refusal);
    const amount = coPaymentFor(line.coPaymentPerUnit, quantity);
    const coPayment = { method: amount === '0' ? ('none' as const) : ('cash' as const), amount };
    if (coPayment.method === 'cash' && !cash) throw new OfflineRefusal('cash');
    const { signed, head } = await nextEntry(
      device.deviceId,
      await loadChain(),
      {
        entitlementId: line.entitlementId,
        leaseId: lease.leaseId,
        quantity,
        proof,
        coPayment,
        redeemedAt,
      },
      device.keyPair.privateKey,
    );
    await recordEntry(signed, head);
    return {
      mode: 'offline' as const,
      receiptCode: null,
      counter: signed.entry.counter,
      line: {
        ...line,
        remaining: line.remaining - quantity,
        state: line.remaining - quantity === 0 ? 'redeemed' : line.state,
      },
      quantity,
      coPayment,
      at: redeemedAt,
    };
  });
  recording = run.catch(() => undefined);
  return run;
}
