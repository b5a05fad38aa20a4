// Money at the edges: JSON carries an amount as a decimal string of minor units ("1250"),
// never as a JSON number (which a client may already have rounded), and the database returns
// a 64-bit integer as a number when it is safe and a bigint beyond. Both become bigint here.
import { z } from 'zod';
import { invariant } from '../shared/errors';
import { amountMax } from './limits';

const minorUnits = /^(0|[1-9][0-9]{0,18})$/;

/**
 * An amount in JSON: a string of decimal digits, no sign, no point, no exponent, at most
 * 2^63 − 1. Zero passes here; the ledger refuses it per item (`amount_must_not_be_zero`).
 */
export const amountText = z
  .string({ error: 'must be a string of decimal digits (minor units), e.g. "1250"' })
  .regex(minorUnits, 'must be a string of decimal digits (minor units), e.g. "1250"')
  .transform((text) => BigInt(text))
  .refine((value) => value <= amountMax, `must be at most ${amountMax} minor units`);

/** An integer column as read back from either engine, exactly, as a bigint. */
export function readAmount(value: number | bigint | string, column: string): bigint {
  if (typeof value === 'bigint') return value;
  // A string here means an aggregate the query forgot to cast: a bug, not input.
  invariant(typeof value === 'number', `${column} is not an integer: ${String(value)}`);
  invariant(Number.isSafeInteger(value), `${column} read back as an unsafe number`);
  return BigInt(value);
}

/** An amount as it leaves in JSON: its decimal digits. */
export function amountToText(value: bigint): string {
  invariant(value >= 0n && value <= amountMax, `amount out of range: ${value}`);
  return value.toString();
}
