// Counts — rows, people, units of goods — as numbers. Money never comes here (it stays a
// bigint in minor units); a count is exact as a number while it is a safe integer, and one
// that is not (a corrupt row, an overflow) stops the operation rather than being rounded.

/** `value` (a driver's count: number, numeric text or bigint) as an exact non-negative number. */
export function countOf(value: number | string | bigint, what: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`invariant violated: ${what} is not a count: ${String(value)}`);
  return n;
}
