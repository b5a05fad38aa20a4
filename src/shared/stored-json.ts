// JSON read back from the database is parsed with its schema, never cast: a row that does not
// fit is reported, naming the row, where it is read, not as undefined behaviour further on.
import { z } from 'zod';

/** A stored value that does not fit its schema: damaged data or a bug, never a user's mistake. */
export class StoredDataError extends Error {
  override readonly name = 'StoredDataError';
}

/** Parses stored JSON text with its schema; `where` names the row, e.g. `persons 0193… attributes`. */
export function readStoredJson<S extends z.ZodType>(
  schema: S,
  text: string,
  where: string,
): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StoredDataError(`${where} cannot be read: it is not JSON`);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw new StoredDataError(`${where} cannot be read: ${path ? `${path}: ` : ''}${issue.message}`);
}

/** A stored JSON object (attributes, details, results). */
export const storedObject = z.record(z.string(), z.unknown());

/** A stored list of text values. */
export const storedTextList = z.array(z.string());
