// What a programme administrator writes to define a programme: its kind, whom it targets, how
// often, what it gives, what it costs at the counter, where it is served, how long redemption
// detail is kept, and its eligibility rule. Money is a decimal string of minor units, as
// everywhere in Tessera; quantities are whole units of the item.
import { z } from 'zod';
import { amountText } from '../ledger';
import { id, plainText, reason } from '../shared/schemas';

/** What a programme gives. */
export const programmeKinds = ['basket', 'cash', 'quota', 'medicine', 'one_time'] as const;
/** What a programme gives. */
export type ProgrammeKind = (typeof programmeKinds)[number];

const names = z
  .object({
    es: plainText(120).pipe(z.string().min(2)),
    en: plainText(120).pipe(z.string().min(2)),
  })
  .strict();

const item = z
  .object({
    code: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be lower_snake_case, up to 40 characters'),
    name: names,
    quantity: z.number().int().min(1).max(1_000_000),
    unit: z.string().regex(/^[a-z]{1,12}$/, 'must be a unit such as kg, l, unit or pack'),
  })
  .strict();
/** One item of a basket or prescription, or the good of a quota. */
export type ProgrammeItem = z.output<typeof item>;

/** What each entitlement gives, by kind. */
export const benefitInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('basket'), items: z.array(item).min(1).max(50) }).strict(),
  z.object({ kind: z.literal('medicine'), items: z.array(item).min(1).max(50) }).strict(),
  z
    .object({
      kind: z.literal('quota'),
      item,
      /** Price the person pays per unit at the counter (the subsidised price). */
    })
    .strict(),
  z
    .object({
      kind: z.literal('cash'),
      /** Paid to every entitlement. */
      base: amountText,
      /** Added per member of the household (household programmes) — 0 for none. */
      perMember: amountText.optional(),
      /** Upper limit of base + members: it caps the additions, never the base itself. */
      cap: amountText.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('one_time'), amount: amountText }).strict(),
]);
/** What each entitlement gives, validated. */
export type BenefitInput = z.output<typeof benefitInput>;

const serviceArea = z
  .object({
    regionCode: z.string().min(2).max(10),
    locality: plainText(120).optional(),
  })
  .strict();

/** The staggered calendar: day of the cycle (0 = opening day) for each last digit 0..9. */
const stagger = z
  .array(z.number().int().min(0).max(27))
  .length(10, 'give a day for each last digit 0 to 9');

/** The parts of a programme that a new version may change. */
export const programmeVersionInput = z
  .object({
    name: names,
    rule: z.string().min(1).max(4000),
    benefit: benefitInput,
    /** Co-payment per unit, in minor units (may be "0"). */
    coPayment: amountText.default(0n),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter currency code, e.g. "VES"')
      .default('VES'),
    /** The ledger account money for this programme comes from (programme_fund). */
    fundingAccountId: id.optional(),
    serviceAreas: z.array(serviceArea).min(1).max(500),
    /** Days after a cycle closes that redemption detail is kept before reduction. */
    retentionDays: z.number().int().min(1).max(3650).default(365),
    stagger: stagger.default([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]),
  })
  .strict();
/** A programme version, validated. */
export type ProgrammeVersionInput = z.output<typeof programmeVersionInput>;

/** A new programme: its fixed parts and its first version. */
export const programmeInput = programmeVersionInput
  .extend({
    code: z
      .string()
      .regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be lower_snake_case, 2 to 40 characters'),
    kind: z.enum(programmeKinds),
    target: z.enum(['person', 'household']),
    schedule: z.enum(['monthly', 'weekly', 'one_time']),
  })
  .strict();
/** A new programme, validated. */
export type ProgrammeInput = z.output<typeof programmeInput>;

/** A change to a programme: a new version with its reason. */
export const programmeChangeInput = programmeVersionInput.extend({ reason }).strict();
/** A change to a programme, validated. */
export type ProgrammeChangeInput = z.output<typeof programmeChangeInput>;

/**
 * The cash an entitlement carries: the base, plus `perMember` for each member, with the
 * additions limited so that base + additions never passes the cap — but a cap below the base
 * never cuts the base (that would be a typing mistake in the definition, not a policy).
 */
export function cashAmount(
  benefit: { base: bigint; perMember?: bigint | undefined; cap?: bigint | undefined },
  members: number,
): bigint {
  const additions = (benefit.perMember ?? 0n) * BigInt(Math.max(0, members));
  const full = benefit.base + additions;
  if (benefit.cap === undefined) return full;
  return full > benefit.cap ? (benefit.cap > benefit.base ? benefit.cap : benefit.base) : full;
}
