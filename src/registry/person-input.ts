// The shape of a person as callers send it, validated the same way for the API and imports.
import { z } from 'zod';
import { DomainError } from '../shared/errors';
import { nameCharsMax, textCharsMax } from '../shared/limits';
import { plainText } from '../shared/schemas';

const earliestBirthYear = 1880;

// Characters as the card counts them (credentials/encode-card-claims.ts): code points after NFC.
const cardChars = (text: string): number => [...text.normalize('NFC')].length;

/** A name part: trimmed, 1..nameCharsMax characters, letters and the punctuation names use. */
export const namePart = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .refine((v) => cardChars(v) <= nameCharsMax, `must be at most ${nameCharsMax} characters`)
  .meta({ maxLength: nameCharsMax }) // for the OpenAPI document, which cannot show the refinement
  .regex(
    /^[\p{L}\p{M}][\p{L}\p{M}' .-]*$/u,
    'may contain letters, spaces, apostrophes, dots and hyphens only',
  )
  // Real names stack at most a few marks on a letter (Vietnamese uses two); more is "Zalgo"
  // text that overwrites the lines around it on a card or a screen.
  .refine((v) => !/\p{M}{4,}/u.test(v.normalize('NFD')), 'has too many accents on one letter');

const optionalNamePart = namePart.nullable().optional();

/**
 * Why two surnames cannot go on a card together (the card prints them joined by a space,
 * at most nameCharsMax characters), or null when they fit.
 */
function surnamesProblem(
  surname1: string | null | undefined,
  surname2: string | null | undefined,
): string | null {
  const joined = [surname1, surname2].filter((s) => !!s).join(' ');
  return cardChars(joined) <= nameCharsMax
    ? null
    : `surname1 and surname2 together must be at most ${nameCharsMax} characters, the space between them included`;
}

/** Refuses, as validation refuses a field, surnames that changed and no longer fit a card. */
export function assertSurnamesFit(
  surname1: string | null | undefined,
  surname2: string | null | undefined,
): void {
  const problem = surnamesProblem(surname1, surname2);
  if (problem) throw new DomainError('VALIDATION_FAILED', `surname2: ${problem}`, 'surname2');
}

const optionalText = plainText(textCharsMax).nullable().optional();

/** Checks "YYYY", "YYYY-MM" or "YYYY-MM-DD": a real calendar date, not in the future. */
export function checkBirthDate(value: string, today: Date = new Date()): string | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (!m) return 'must be YYYY, YYYY-MM or YYYY-MM-DD';
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  if (year < earliestBirthYear) return `year must be ${earliestBirthYear} or later`;
  if (month < 1 || month > 12) return 'month must be 01 to 12';
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return 'is not a calendar date';
  if (date.getTime() > today.getTime()) return 'is in the future';
  return null;
}

/** The precision a birth date string carries. */
export function birthDatePrecision(value: string): 'day' | 'month' | 'year' {
  return value.length === 10 ? 'day' : value.length === 7 ? 'month' : 'year';
}

const birthDate = z.string().superRefine((v, ctx) => {
  const problem = checkBirthDate(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** ISO 3166-2 subdivision code, e.g. VE-A. */
export const regionCode = z
  .string()
  .regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, 'must be an ISO 3166-2 code such as VE-A');

/** An address: region plus optional locality and line. */
export const addressInput = z
  .object({
    regionCode,
    locality: optionalText,
    line: optionalText,
  })
  .strict();

/** Attribute values: scalars only; types are checked against the declared schema. */
export const attributesInput = z.record(
  z.string(),
  z.union([z.string().max(textCharsMax), z.number(), z.boolean(), z.null()]),
);

/** The calling code a national phone number belongs to when a deployment names none (Venezuela). */
export const defaultPhoneCountryCode = '58';

const phoneHint = 'must be a phone number, such as 0412-555-1234 or +58 412 555 1234';

/**
 * A phone number as written at a counter, in national form (`0412-555-1234`, `0412 5551234`)
 * or international form (`+58 412 555 1234`, `0058…`), in E.164 (`+584125551234`). A national
 * number takes `countryCode`; its leading trunk 0 is dropped. Returns the reason it cannot be a
 * phone number instead, when it cannot.
 */
export function normalisePhone(
  written: string,
  countryCode: string = defaultPhoneCountryCode,
): { e164: string } | { problem: string } {
  const text = written.trim();
  if (!/^\+?[\d\s()./-]+$/.test(text)) return { problem: phoneHint };
  const digits = text.replace(/\D/g, '');
  let e164: string;
  if (text.startsWith('+')) e164 = `+${digits}`;
  else if (digits.startsWith('00')) e164 = `+${digits.slice(2)}`;
  else {
    const national = digits.replace(/^0/, '');
    if (national.length < 7) return { problem: phoneHint };
    e164 = `+${countryCode}${national}`;
  }
  if (!/^\+[1-9]\d{6,14}$/.test(e164)) return { problem: phoneHint };
  return { e164 };
}

/** A phone number in any form normalisePhone reads; buildPersonRow stores it in E.164. */
export const phoneInput = z
  .string()
  .trim()
  .max(30, phoneHint)
  .superRefine((v, ctx) => {
    const checked = normalisePhone(v);
    if ('problem' in checked) ctx.addIssue({ code: 'custom', message: checked.problem });
  });

/** A new person. */
export const personInput = z
  .object({
    externalId: z.string().trim().min(1).max(100).optional(),
    givenNames: namePart,
    surname1: optionalNamePart,
    surname2: optionalNamePart,
    birthDate,
    sex: z.enum(['F', 'M', 'X']).nullable().optional(),
    birthPlace: optionalText,
    address: addressInput,
    phone: phoneInput.nullable().optional(),
    attributes: attributesInput.optional(),
  })
  .strict()
  .superRefine((person, ctx) => {
    const problem = surnamesProblem(person.surname1, person.surname2);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['surname2'] });
  });
/** A new person, validated. */
export type PersonInput = z.output<typeof personInput>;

/** A correction to a person's record: any subset of fields, with the reason. */
export const personUpdateInput = z
  .object({
    givenNames: namePart.optional(),
    surname1: optionalNamePart,
    surname2: optionalNamePart,
    birthDate: birthDate.optional(),
    sex: z.enum(['F', 'M', 'X']).nullable().optional(),
    birthPlace: optionalText,
    address: addressInput.optional(),
    phone: phoneInput.nullable().optional(),
    attributes: attributesInput.optional(),
    reason: z.string().trim().min(3, 'say why the record changes').max(textCharsMax),
    expectedVersion: z.number().int().positive().optional(),
  })
  .strict();
/** A correction, validated. */
export type PersonUpdateInput = z.output<typeof personUpdateInput>;
