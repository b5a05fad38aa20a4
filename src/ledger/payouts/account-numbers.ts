// A person's account at a provider, checked before it is stored: an IBAN by its ISO 13616
// check digits (mod 97, in bigint), a domestic account number by its shape, a mobile-money
// number as E.164. A wrong digit is caught at the registration desk, not by a returned payment.
import { DomainError } from '../../shared/errors';

/** How an account is identified at its provider. */
export type AccountScheme = 'iban' | 'account' | 'msisdn';

/** True when an IBAN's check digits are right (letters count as 10..35, the number mod 97 is 1). */
export function ibanChecks(iban: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let digits = '';
  for (const c of moved) digits += /[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c;
  return BigInt(digits) % 97n === 1n;
}

/** The account as stored (spaces and dashes taken out, letters upper-cased), or a refusal. */
export function normaliseAccount(scheme: AccountScheme, raw: string, field: string): string {
  const compact = raw.replace(/[\s-]/g, '').toUpperCase();
  if (scheme === 'iban') {
    if (!ibanChecks(compact))
      throw new DomainError(
        'VALIDATION_FAILED',
        `${field}: not a valid IBAN (the check digits do not match).`,
        field,
      );
    return compact;
  }
  if (scheme === 'msisdn') {
    const e164 = compact.startsWith('+') ? compact : `+${compact}`;
    if (!/^\+[1-9][0-9]{7,14}$/.test(e164))
      throw new DomainError(
        'VALIDATION_FAILED',
        `${field}: a mobile number in international form, such as +584121234567.`,
        field,
      );
    return e164;
  }
  if (!/^[A-Z0-9]{4,34}$/.test(compact))
    throw new DomainError(
      'VALIDATION_FAILED',
      `${field}: an account number of 4 to 34 letters and digits.`,
      field,
    );
  return compact;
}
