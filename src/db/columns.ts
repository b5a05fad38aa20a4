// Column types that mean the same on both engines. Timestamps are ISO-8601 UTC text and
// JSON is text on both, so an export from one engine re-imports into the other byte for byte.
import type { Engine } from './types';

/** SQL type names for each engine. */
export function columnTypes(engine: Engine) {
  return {
    text: 'text',
    integer: engine === 'postgres' ? 'bigint' : 'integer',
    json: 'text',
    timestamp: 'text',
    bytes: engine === 'postgres' ? 'bytea' : 'blob',
  } as const;
}
