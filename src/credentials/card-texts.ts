// Every word printed on a card, in the languages a deployment may print its cards in. The
// deployment chooses one (TESSERA_CARD_LANGUAGE); the card is printed wholly in it.

/** A language cards can be printed in. */
export type CardLanguage = 'es' | 'en';

/** The card languages, the deployment's default first. */
export const cardLanguages: readonly CardLanguage[] = ['es', 'en'];

/** The words of one card language. */
export interface CardTexts {
  title: string;
  surnames: string;
  givenNames: string;
  registryNumber: string;
  dateOfBirth: string;
  sex: string;
  expires: string;
  cardNumber: string;
  aboutTitle: string;
  about: (issuerName: string) => string;
  lostTitle: string;
  lost: (reportLost: string, serial: number) => string;
  /** Used when the deployment does not name itself or say where to report a lost card. */
  defaultIssuerName: string;
  defaultReportLost: string;
}

/** The words of each card language. */
export const cardTexts: Readonly<Record<CardLanguage, CardTexts>> = {
  es: {
    title: 'Tarjeta de identidad',
    surnames: 'Apellidos',
    givenNames: 'Nombres',
    registryNumber: 'Número de registro',
    dateOfBirth: 'Fecha de nacimiento',
    sex: 'Sexo',
    expires: 'Vence',
    cardNumber: 'Tarjeta n.º',
    aboutTitle: 'Sobre esta tarjeta',
    about: (issuer) =>
      `Esta tarjeta la emitió ${issuer}. Su código QR contiene solo lo que está impreso en el frente, firmado para que cualquiera pueda comprobarlo sin conexión. Ningún beneficio puede negarse porque usted no la lleve: siempre puede demostrar quién es de otra manera.`,
    lostTitle: '¿Perdida o robada?',
    lost: (report, serial) =>
      `Avise ${report}, indicando la tarjeta n.º ${serial}. Será revocada y reemplazada.`,
    defaultIssuerName: 'el registro Tessera',
    defaultReportLost: 'en cualquier oficina de registro',
  },
  en: {
    title: 'Identity card',
    surnames: 'Surnames',
    givenNames: 'Given names',
    registryNumber: 'Registry number',
    dateOfBirth: 'Date of birth',
    sex: 'Sex',
    expires: 'Expires',
    cardNumber: 'Card no.',
    aboutTitle: 'About this card',
    about: (issuer) =>
      `This card was issued by ${issuer}. Its QR code holds only what is printed on the front, signed so that anyone can check it offline. No benefit may be refused because you do not carry it: you can always prove who you are another way.`,
    lostTitle: 'Lost or stolen?',
    lost: (report, serial) =>
      `Report it ${report}, quoting card no. ${serial}. It will be revoked and replaced.`,
    defaultIssuerName: 'the Tessera registry',
    defaultReportLost: 'at any registration office',
  },
};

/** Whether `value` names a card language. */
export function isCardLanguage(value: string): value is CardLanguage {
  return (cardLanguages as readonly string[]).includes(value);
}
