// The texts a person receives, in Spanish and English, short enough for one SMS each (160
// GSM characters) with realistic values. Each template names its values, so that enqueueing
// one with a missing value fails to compile rather than sending "{point}" to somebody.

/** Every notice text, by template name. */
export const noticeTemplates = {
  redemption_receipt: {
    es: 'Tessera: recibio {quantity} {unit} de {programme} en {point} el {when}. Si no es cierto, reclame con el codigo {code}.',
    en: 'Tessera: you received {quantity} {unit} of {programme} at {point} on {when}. If not true, complain with code {code}.',
  },
  proof_code: {
    es: 'Tessera: su codigo para retirar sin carnet en {point} es {code}. Vence en 10 minutos. No lo comparta.',
    en: 'Tessera: your code to collect without a card at {point} is {code}. It expires in 10 minutes. Do not share it.',
  },
  portal_code: {
    es: 'Tessera: su codigo para entrar a Mi Tessera es {code}. Vence en 10 minutos. Nadie de Tessera se lo pedira.',
    en: 'Tessera: your code to sign in to My Tessera is {code}. It expires in 10 minutes. Nobody from Tessera will ask for it.',
  },
  grievance_received: {
    es: 'Tessera: recibimos su reclamo {reference}. Respuesta prevista antes del {due}. Siga su estado en Mi Tessera.',
    en: 'Tessera: we received your complaint {reference}. Expected answer by {due}. Follow it in My Tessera.',
  },
  grievance_updated: {
    es: 'Tessera: su reclamo {reference} cambio de estado: {status}. Vea el detalle en Mi Tessera.',
    en: 'Tessera: your complaint {reference} changed status: {status}. See the details in My Tessera.',
  },
  grievance_resolved: {
    es: 'Tessera: su reclamo {reference} fue resuelto ({outcome}). Si no esta de acuerdo, puede apelar en Mi Tessera o en una oficina.',
    en: 'Tessera: your complaint {reference} was resolved ({outcome}). If you disagree, you can appeal in My Tessera or at an office.',
  },
} as const;

/** A template's name. */
export type NoticeTemplate = keyof typeof noticeTemplates;

type Placeholders<S extends string> = S extends `${string}{${infer K}}${infer Rest}`
  ? K | Placeholders<Rest>
  : never;

/** The values a template needs. */
export type NoticeParams<T extends NoticeTemplate> = Record<
  Placeholders<(typeof noticeTemplates)[T]['es']>,
  string
>;

/** A notice's text in one language, its placeholders filled. */
export function renderNotice(
  template: NoticeTemplate,
  params: Readonly<Record<string, string>>,
  language: 'es' | 'en',
): string {
  return noticeTemplates[template][language].replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`invariant violated: notice ${template} lacks ${k}`);
    return v;
  });
}
