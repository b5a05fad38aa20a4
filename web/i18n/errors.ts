// The server's refusal codes (src/shared/errors.ts) in the words a person reads, in Spanish
// and English. Keyed by the stable code, so the web app shows a refusal in the reader's
// language whatever language the server's message is in; a code without words in either
// language does not compile.
import type { ErrorCode } from '../../src/shared/errors';
import type { Language } from './verify';

type ErrorWords = Record<ErrorCode, string>;

const es: ErrorWords = {
  BAD_REQUEST: 'La solicitud no es válida.',
  VALIDATION_FAILED: 'Revise este dato: no es válido.',
  MALFORMED_JSON: 'El contenido enviado no es JSON válido.',
  MALFORMED_CSV: 'El archivo CSV está mal formado.',
  MALFORMED_XML: 'El archivo XML está mal formado.',
  UNKNOWN_FIELD: 'Este campo no forma parte de la solicitud.',
  PROHIBITED_ATTRIBUTE:
    'Este dato no puede registrarse nunca: Tessera no guarda opiniones políticas, votos ni afiliaciones.',
  UNDECLARED_ATTRIBUTE: 'Este campo no está declarado en el esquema del registro.',
  INVALID_RULE: 'La regla tiene errores: revise la línea y la columna indicadas.',
  PURPOSE_REQUIRED: 'Indique para qué necesita consultar estos datos.',
  PURPOSE_NOT_ALLOWED: 'Ese propósito no permite esta consulta.',
  UNAUTHENTICATED: 'Su sesión no está iniciada o ha terminado; inicie sesión de nuevo.',
  SECOND_FACTOR_REQUIRED: 'Escriba el código de 6 dígitos de su aplicación de autenticación.',
  FORBIDDEN: 'Su función no le permite hacer esto.',
  CSRF_FAILED: 'La página estaba desactualizada; recárguela e inténtelo de nuevo.',
  ACCOUNT_LOCKED:
    'La cuenta está bloqueada tras demasiados intentos fallidos. Espere 15 minutos o pida ayuda a un administrador.',
  NOT_FOUND: 'No se encontró.',
  CONFLICT: 'Esto choca con otro dato ya registrado.',
  VERSION_CONFLICT:
    'Alguien cambió este registro mientras lo editaba; recárguelo y repita el cambio.',
  ALREADY_EXISTS: 'Ya existe.',
  INVALID_STATE: 'No se puede hacer en el estado actual.',
  POSSIBLE_DUPLICATE: 'Esta persona podría estar ya registrada; revise los candidatos.',
  DEDUP_KEYS_BEHIND:
    'La detección de duplicados aún no está lista: un administrador debe ejecutar «tessera dedup keys».',
  IDEMPOTENCY_IN_PROGRESS:
    'La misma operación todavía se está procesando; espere un momento y reintente.',
  IDEMPOTENCY_KEY_REUSED: 'Esta operación ya se envió con otros datos; empiece una nueva.',
  CHAIN_BROKEN:
    'Las entregas guardadas sin conexión no coinciden con las firmadas; no se aplicó ninguna.',
  APPROVAL_REQUIRED:
    'Esto necesita la aprobación de un segundo funcionario; se ha enviado la solicitud.',
  PAYLOAD_TOO_LARGE: 'Lo enviado es demasiado grande.',
  UNSUPPORTED_MEDIA_TYPE: 'Ese tipo de contenido no se acepta.',
  RATE_LIMITED: 'Demasiadas solicitudes; espere un momento e inténtelo de nuevo.',
  INTERNAL: 'Algo falló en el servidor; inténtelo de nuevo o avise a soporte.',
  DATABASE_UNAVAILABLE:
    'La base de datos no respondió por un momento; repita la operación: no se aplicará dos veces.',
};

const en: ErrorWords = {
  BAD_REQUEST: 'The request is not valid.',
  VALIDATION_FAILED: 'Check this value: it is not valid.',
  MALFORMED_JSON: 'What was sent is not valid JSON.',
  MALFORMED_CSV: 'The CSV file is malformed.',
  MALFORMED_XML: 'The XML file is malformed.',
  UNKNOWN_FIELD: 'This field is not part of the request.',
  PROHIBITED_ATTRIBUTE:
    'This can never be recorded: Tessera keeps no political opinions, votes or affiliations.',
  UNDECLARED_ATTRIBUTE: 'This field is not declared in the registry’s schema.',
  INVALID_RULE: 'The rule has errors: see the line and column shown.',
  PURPOSE_REQUIRED: 'Say what you need to read this data for.',
  PURPOSE_NOT_ALLOWED: 'That purpose does not allow this read.',
  UNAUTHENTICATED: 'You are not signed in, or your session has ended; sign in again.',
  SECOND_FACTOR_REQUIRED: 'Enter the 6-digit code from your authenticator app.',
  FORBIDDEN: 'Your role does not allow this.',
  CSRF_FAILED: 'The page was out of date; reload it and try again.',
  ACCOUNT_LOCKED:
    'The account is locked after too many failed attempts. Wait 15 minutes or ask an administrator.',
  NOT_FOUND: 'Not found.',
  CONFLICT: 'This conflicts with something already recorded.',
  VERSION_CONFLICT:
    'Someone changed this record while you were editing it; reload and make the change again.',
  ALREADY_EXISTS: 'It already exists.',
  INVALID_STATE: 'This cannot be done in the current state.',
  POSSIBLE_DUPLICATE: 'This person may already be registered; look at the candidates.',
  DEDUP_KEYS_BEHIND:
    'Duplicate screening is not ready yet: an administrator must run “tessera dedup keys”.',
  IDEMPOTENCY_IN_PROGRESS: 'The same operation is still being processed; wait a moment and retry.',
  IDEMPOTENCY_KEY_REUSED: 'This operation was already sent with other details; start a new one.',
  CHAIN_BROKEN: 'The deliveries kept offline do not match what was signed; none was applied.',
  APPROVAL_REQUIRED: 'This needs a second official’s approval; the request has been sent.',
  PAYLOAD_TOO_LARGE: 'What was sent is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'That kind of content is not accepted.',
  RATE_LIMITED: 'Too many requests; wait a moment and try again.',
  INTERNAL: 'Something failed on the server; try again or tell support.',
  DATABASE_UNAVAILABLE:
    'The database did not answer for a moment; repeat the operation: it will not be applied twice.',
};

/** Every refusal code in each language. */
export const errorCatalog: Record<Language, ErrorWords> = { es, en };
