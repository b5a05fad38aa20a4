// The card check's words, in Spanish (the default) and English. One catalog per language,
// keyed by stable codes: the verifier's reason codes are keys here, so a code without words in
// either language does not compile (and web/i18n/catalog.test.ts checks it at run time too).
import { reasonMessages, type ReasonCode } from '../../src/credentials/verifier';

type Reasons = Record<ReasonCode, string>;

const esReasons: Reasons = {
  BAD_PREFIX: 'El QR no empieza con el prefijo esperado; no es una tarjeta de este tipo.',
  BAD_BASE45:
    'El texto del QR no es Base45 válido; puede estar dañado o no ser una tarjeta Tessera.',
  BAD_COMPRESSION: 'No se pudo descomprimir el contenido del QR; está dañado o no es una tarjeta.',
  BAD_CBOR: 'El contenido del QR no es CBOR bien formado; está dañado o no es una tarjeta.',
  NOT_COSE: 'El contenido del QR no es un mensaje COSE firmado; no es una tarjeta.',
  UNSUPPORTED_COSE:
    'El QR contiene un mensaje COSE (MAC o cifrado) que un verificador sin conexión no puede comprobar.',
  ENCRYPTED: 'El contenido del QR está cifrado y no se dio una clave para descifrarlo.',
  UNSUPPORTED_ALGORITHM: 'La tarjeta está firmada con un algoritmo que este verificador no acepta.',
  UNSIGNED: 'La tarjeta no lleva firma. Trátela como una falsificación.',
  BAD_SIGNATURE: 'La firma no corresponde al contenido: la tarjeta fue alterada o falsificada.',
  UNKNOWN_KEY: 'La tarjeta se firmó con una clave en la que este verificador no confía.',
  KEY_NOT_VALID:
    'La tarjeta se firmó con una clave fuera del periodo en que esa clave podía firmar o ser de confianza.',
  EXPIRED: 'La tarjeta ha vencido.',
  NOT_YET_VALID: 'La tarjeta aún no es válida; revise la fecha y la hora de este dispositivo.',
  REVOKED: 'La tarjeta fue revocada (declarada perdida, robada, reemplazada o anulada).',
  REVOCATION_LIST_STALE:
    'La lista de revocaciones de este dispositivo es demasiado antigua; descargue una actual antes de verificar.',
  TOO_LARGE: 'El contenido del QR es más grande que cualquier tarjeta; se rechazó sin leerlo.',
  TOO_DEEP: 'El contenido del QR está anidado más de lo que permite una tarjeta; se rechazó.',
  MISSING_CLAIM: 'A la tarjeta le falta un campo obligatorio.',
  BAD_CLAIM: 'Un campo de la tarjeta tiene un tipo o formato incorrecto.',
  BAD_KEY:
    'No se pudo leer la clave: use un JWK, una clave pública PEM, un certificado X.509 o hexadecimal.',
  BAD_TRUST_LIST: 'La lista de confianza está mal formada o su firma no es válida.',
  BAD_REVOCATION_LIST: 'La lista de revocaciones está mal formada o su firma no es válida.',
  BAD_INPUT: 'La solicitud para emitir o mostrar una tarjeta no es válida.',
};

// English is the verifier's own wording (src/credentials/errors.ts), kept in one place.
const enReasons: Reasons = reasonMessages;

const es = {
  'page.title': 'Tessera — comprobar una tarjeta',
  'page.heading': 'Tessera · comprobar una tarjeta',
  'language.label': 'Idioma',
  'lists.heading': 'Listas en este dispositivo',
  'lists.none': 'Aún no se han descargado: conéctese una vez y descárguelas.',
  'lists.fresh': 'Descargadas hace menos de una hora.',
  'lists.age': 'Descargadas hace {hours} horas.',
  'lists.refresh': 'Descargar las listas más recientes',
  'lists.note':
    'La comprobación se hace en este navegador con las claves públicas del emisor y su lista de revocaciones; una vez descargadas las listas, funciona sin red. No se envía nada de la tarjeta a ningún sitio.',
  'lists.downloaded': 'Listas descargadas.',
  'lists.failed':
    'No se pudieron descargar las listas ({error}); se conservan las de este dispositivo.',
  'lists.first': 'Primero descargue las listas.',
  'card.heading': 'La tarjeta',
  'card.photo': 'Foto del código QR',
  'card.text': '…o el texto del QR',
  'card.check': 'Comprobar',
  'card.noQr':
    'No se encontró un código QR en la foto: ponga la tarjeta plana y llene el encuadre.',
  'verdict.valid': 'Tarjeta válida',
  'verdict.validMessage': 'La tarjeta es auténtica, vigente y no está revocada.',
  'verdict.refused': 'Rechazada',
  'verdict.listAge': '(la lista de revocaciones tiene {days} días)',
  'verdict.key': 'Clave del emisor',
  'verdict.oddClaim':
    'La firma del emisor es válida, pero un campo de la tarjeta tiene un tipo o formato que este verificador no entiende.',
  'claim.id': 'Número de registro',
  'claim.fullName': 'Nombre completo',
  'claim.firstName': 'Nombres',
  'claim.lastName': 'Apellidos',
  'claim.dateOfBirth': 'Fecha de nacimiento',
  'claim.card': 'Tarjeta',
  'claim.expires': 'Vence',
  'offline.ready': 'Esta página funciona sin conexión en este dispositivo.',
  'footer.console': 'Consola del personal',
};

type Words = Record<keyof typeof es, string>;

const en: Words = {
  'page.title': 'Tessera — check a card',
  'page.heading': 'Tessera · check a card',
  'language.label': 'Language',
  'lists.heading': 'Lists on this device',
  'lists.none': 'Not downloaded yet: connect once and download them.',
  'lists.fresh': 'Downloaded less than an hour ago.',
  'lists.age': 'Downloaded {hours} hours ago.',
  'lists.refresh': 'Download the latest lists',
  'lists.note':
    'The check runs in this browser with the issuer’s public keys and revocation list; once the lists are downloaded it works without a network. Nothing about the card is sent anywhere.',
  'lists.downloaded': 'Lists downloaded.',
  'lists.failed': 'Could not download the lists ({error}); the ones on this device are kept.',
  'lists.first': 'Download the lists first.',
  'card.heading': 'The card',
  'card.photo': 'Photo of the QR code',
  'card.text': '…or the QR text',
  'card.check': 'Check',
  'card.noQr': 'No QR code found in the photo: hold the card flat and fill the frame.',
  'verdict.valid': 'Valid card',
  'verdict.validMessage': 'The card is genuine, current and not revoked.',
  'verdict.refused': 'Refused',
  'verdict.listAge': '(the revocation list is {days} days old)',
  'verdict.key': 'Issuer key',
  'verdict.oddClaim':
    'The issuer’s signature is good, but a field of the card has a type or format this verifier does not understand.',
  'claim.id': 'Registry number',
  'claim.fullName': 'Full name',
  'claim.firstName': 'Given names',
  'claim.lastName': 'Surnames',
  'claim.dateOfBirth': 'Date of birth',
  'claim.card': 'Card',
  'claim.expires': 'Expires',
  'offline.ready': 'This page works offline on this device.',
  'footer.console': 'Staff console',
};

/** The languages of the web app; the first is the default. */
export const languages = ['es', 'en'] as const;
/** A language of the web app. */
export type Language = (typeof languages)[number];
/** A key of the card check's catalog. */
export type VerifyKey = keyof typeof es;

/** The card check's catalogs. */
export const verifyCatalog: Record<Language, Words> = { es, en };
/** The verifier's reasons, in each language. */
export const reasonCatalog: Record<Language, Reasons> = { es: esReasons, en: enReasons };
