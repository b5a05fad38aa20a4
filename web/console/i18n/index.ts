// The console's words. One catalog per language, merged from one file per area of the console
// (common, admin, records, enrolment, auditor, analyst, programmes, and pos — the
// point-of-service app at /pos); each area file declares its Spanish words and
// gives English for exactly the same keys, so a key missing in either language does not
// compile, and test/web-i18n.test.ts checks it again at run time. The server's refusal codes
// come from web/i18n/errors.ts.
import { errorCatalog } from '../../i18n/errors';
import { fill } from '../../i18n/language';
import type { Language } from '../../i18n/verify';
import type { ErrorCode } from '../../../src/shared/errors';
import * as common from './common';
import * as admin from './admin';
import * as records from './records';
import * as enrolment from './enrolment';
import * as auditor from './auditor';
import * as analyst from './analyst';
import * as programmes from './programmes';
import * as pos from './pos';
import * as points from './points';
import * as notices from './notices';
import * as grievances from './grievances';
import * as money from './money';

export const catalogs = {
  es: {
    ...common.es,
    ...admin.es,
    ...records.es,
    ...enrolment.es,
    ...auditor.es,
    ...analyst.es,
    ...programmes.es,
    ...pos.es,
    ...points.es,
    ...notices.es,
    ...grievances.es,
    ...money.es,
  },
  en: {
    ...common.en,
    ...admin.en,
    ...records.en,
    ...enrolment.en,
    ...auditor.en,
    ...analyst.en,
    ...programmes.en,
    ...pos.en,
    ...points.en,
    ...notices.en,
    ...grievances.en,
    ...money.en,
  },
};

/** A key of the console's catalog. */
export type MessageKey = keyof (typeof catalogs)['es'];

let language: Language = 'es';

/** Sets the language `t` answers in (the shell does, when the reader chooses). */
export function useLanguage(next: Language): void {
  language = next;
}

/** The language `t` answers in now. */
export function activeLanguage(): Language {
  return language;
}

/** The words for `key` in the active language, with `{name}` placeholders filled. */
export function t(key: MessageKey, values?: Record<string, string | number>): string {
  return fill(catalogs[language][key], values);
}

/** A server refusal code in the reader's words (network failures included). */
export function errorText(code: ErrorCode | 'NETWORK'): string {
  if (code === 'NETWORK') return t('error.network');
  return errorCatalog[language][code];
}
