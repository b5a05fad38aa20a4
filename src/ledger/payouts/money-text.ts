// Amounts as payment files write them: decimal text in the currency's unit ("1250.50 VES"),
// from and to integer minor units, with bigint arithmetic only. A file's amount with more
// decimals than the currency has, a sign, an exponent or spaces is refused, never rounded.
import { amountMax } from '../limits';

// ISO 4217 minor units that are not 2. Every other currency has two decimals.
const exponents: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/** How many decimals the currency's minor unit has (ISO 4217). */
export function currencyExponent(currency: string): number {
  return exponents[currency] ?? 2;
}

/** Minor units as decimal text in the currency's unit: 125050n VES → "1250.50". */
export function minorToDecimal(minor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const digits = minor.toString();
  if (exponent === 0) return digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${padded.slice(0, padded.length - exponent)}.${padded.slice(padded.length - exponent)}`;
}

const decimalText = /^(0|[1-9][0-9]{0,17})(\.([0-9]{1,5}))?$/;

/** Decimal text in the currency's unit as minor units, or null when it is not exact. */
export function decimalToMinor(text: string, currency: string): bigint | null {
  const match = decimalText.exec(text);
  if (!match) return null;
  const exponent = currencyExponent(currency);
  const fraction = match[3] ?? '';
  if (fraction.length > exponent && /[^0]/.test(fraction.slice(exponent))) return null;
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  const value = BigInt(`${match[1]}${kept}`);
  return value <= amountMax ? value : null;
}
