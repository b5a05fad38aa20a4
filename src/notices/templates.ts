// What a person may be sent: a closed list of service events, and the system's own text for
// each in Spanish and English. There is no free text and no "announcement" or "custom" event:
// a message that is not about a service the person receives has no event to belong to, so it
// cannot be written, approved or sent — political messages are declined by design
// (principle 1). A programme may word one of its own service events differently (see
// programme-templates.ts); its text may use only the values its event knows.
//
// Each system template names its values, so that enqueueing one with a missing value fails to
// compile rather than sending "{point}" to somebody.

/**
 * The service events, each with the values a text about it may use, whether it is essential
 * (sent even to a person who opted out of non-essential notices) and whether a programme may
 * word it in its own terms.
 */
export const noticeEvents = {
  entitlement_ready: {
    values: ['programme', 'opens', 'closes', 'point'],
    essential: false,
    programmeOwned: true,
  },
  redemption_receipt: {
    values: ['quantity', 'unit', 'programme', 'point', 'when', 'code'],
    essential: true,
    programmeOwned: true,
  },
  payment_received: {
    values: ['amount', 'programme', 'when'],
    essential: false,
    programmeOwned: true,
  },
  payment_failed: { values: ['amount', 'programme'], essential: false, programmeOwned: true },
  card_ready: { values: ['office'], essential: false, programmeOwned: false },
  card_revoked: { values: ['when'], essential: false, programmeOwned: false },
  one_time_code: { values: ['code', 'point'], essential: true, programmeOwned: false },
  grievance_received: { values: ['reference', 'due'], essential: false, programmeOwned: false },
  grievance_updated: {
    values: ['reference', 'status'],
    essential: false,
    programmeOwned: false,
  },
  grievance_resolved: {
    values: ['reference', 'outcome'],
    essential: false,
    programmeOwned: false,
  },
} as const satisfies Record<
  string,
  { values: readonly string[]; essential: boolean; programmeOwned: boolean }
>;

/** A service event's name. */
export type NoticeEvent = keyof typeof noticeEvents;

/** Every service event, in a stable order. */
export const noticeEventNames = Object.keys(noticeEvents) as NoticeEvent[];

/** True when `name` is a service event (use on untrusted input). */
export function isNoticeEvent(name: string): name is NoticeEvent {
  return Object.hasOwn(noticeEvents, name);
}

/** The languages a person may receive notices in. */
export const noticeLanguages = ['es', 'en'] as const;
/** A notice language. */
export type NoticeLanguage = (typeof noticeLanguages)[number];

/** Every system notice text, by template name, each for one event. */
export const noticeTemplates = {
  entitlement_ready: {
    event: 'entitlement_ready',
    es: 'Tessera: ya puede retirar {programme} en {point} del {opens} al {closes}. Lleve su carnet o su numero de registro.',
    en: 'Tessera: you can collect {programme} at {point} from {opens} to {closes}. Bring your card or your registry number.',
  },
  redemption_receipt: {
    event: 'redemption_receipt',
    es: 'Tessera: recibio {quantity} {unit} de {programme} en {point} el {when}. Si no es cierto, reclame con el codigo {code}.',
    en: 'Tessera: you received {quantity} {unit} of {programme} at {point} on {when}. If not true, complain with code {code}.',
  },
  payment_received: {
    event: 'payment_received',
    es: 'Tessera: se le pago {amount} de {programme} el {when}.',
    en: 'Tessera: you were paid {amount} from {programme} on {when}.',
  },
  payment_failed: {
    event: 'payment_failed',
    es: 'Tessera: no se pudo pagar {amount} de {programme}. Acuda a una oficina de registro para revisar su cuenta.',
    en: 'Tessera: {amount} from {programme} could not be paid. Visit a registration office to check your account.',
  },
  card_ready: {
    event: 'card_ready',
    es: 'Tessera: su carnet esta listo. Retirelo en {office}.',
    en: 'Tessera: your card is ready. Collect it at {office}.',
  },
  card_revoked: {
    event: 'card_revoked',
    es: 'Tessera: su carnet fue anulado el {when}. Sus beneficios siguen: use su numero de registro.',
    en: 'Tessera: your card was revoked on {when}. Your benefits continue: use your registry number.',
  },
  proof_code: {
    event: 'one_time_code',
    es: 'Tessera: su codigo para retirar sin carnet en {point} es {code}. Vence en 10 minutos. No lo comparta.',
    en: 'Tessera: your code to collect without a card at {point} is {code}. It expires in 10 minutes. Do not share it.',
  },
  portal_code: {
    event: 'one_time_code',
    es: 'Tessera: su codigo para entrar a Mi Tessera es {code}. Vence en 10 minutos. Nadie de Tessera se lo pedira.',
    en: 'Tessera: your code to sign in to My Tessera is {code}. It expires in 10 minutes. Nobody from Tessera will ask for it.',
  },
  grievance_received: {
    event: 'grievance_received',
    es: 'Tessera: recibimos su reclamo {reference}. Respuesta prevista antes del {due}. Siga su estado en Mi Tessera.',
    en: 'Tessera: we received your complaint {reference}. Expected answer by {due}. Follow it in My Tessera.',
  },
  grievance_updated: {
    event: 'grievance_updated',
    es: 'Tessera: su reclamo {reference} cambio de estado: {status}. Vea el detalle en Mi Tessera.',
    en: 'Tessera: your complaint {reference} changed status: {status}. See the details in My Tessera.',
  },
  grievance_resolved: {
    event: 'grievance_resolved',
    es: 'Tessera: su reclamo {reference} fue resuelto ({outcome}). Si no esta de acuerdo, puede apelar en Mi Tessera o en una oficina.',
    en: 'Tessera: your complaint {reference} was resolved ({outcome}). If you disagree, you can appeal in My Tessera or at an office.',
  },
} as const satisfies Record<string, { event: NoticeEvent; es: string; en: string }>;

/** A system template's name. */
export type NoticeTemplate = keyof typeof noticeTemplates;

/** True when `name` is a system template (use on untrusted input). */
export function isNoticeTemplate(name: string): name is NoticeTemplate {
  return Object.hasOwn(noticeTemplates, name);
}

type Placeholders<S extends string> = S extends `${string}{${infer K}}${infer Rest}`
  ? K | Placeholders<Rest>
  : never;

/** The values a template needs. */
export type NoticeParams<T extends NoticeTemplate> = Record<
  Placeholders<(typeof noticeTemplates)[T]['es']>,
  string
>;

/** The placeholders a text uses, each once, in order. */
export function placeholdersOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\{([^{}]*)\}/g)) if (!found.includes(m[1]!)) found.push(m[1]!);
  return found;
}

/** Fills a text's placeholders; a missing value is a bug of the caller. */
export function fillText(
  text: string,
  params: Readonly<Record<string, string>>,
  what: string,
): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`invariant violated: notice ${what} lacks ${k}`);
    return v;
  });
}

/** A notice's text in one language, its placeholders filled. */
export function renderNotice(
  template: NoticeTemplate,
  params: Readonly<Record<string, string>>,
  language: NoticeLanguage,
): string {
  return fillText(noticeTemplates[template][language], params, template);
}

/** Realistic values of each event's placeholders, long enough to count honestly. */
export const sampleValues: Readonly<Record<string, string>> = {
  programme: 'Bolsa de alimentos',
  opens: '2026-12-14',
  closes: '2026-12-31',
  point: 'Deposito Catia (DEP-CCS-0001)',
  quantity: '2',
  unit: 'cajas',
  when: '2026-12-14 10:32',
  code: 'K7Q-3PX',
  amount: 'Bs. 1.250,00',
  office: 'Oficina de registro de Chacao',
  status: 'en revision',
  reference: 'K7QX-3PMA',
  due: '2026-12-17',
  outcome: 'a su favor',
};
