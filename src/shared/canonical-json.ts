// Canonical JSON (after RFC 8785's shape, for the values Tessera signs): object keys sorted by
// code unit, no whitespace, no undefined, integers only as safe numbers. A device and the server
// serialise a signed offline entry or pack byte for byte the same way, in the browser and in
// Node, so that a signature made on one verifies on the other.

/** A value canonical JSON can carry. */
export type CanonicalValue =
  | string
  | number
  | boolean
  | null
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue };

/** The canonical text of a value; throws on what it cannot carry (floats, undefined, …). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string')
    return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new Error(`canonical JSON carries integers only, not ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`canonical JSON cannot carry a ${typeof value}`);
}
