import type { z } from 'zod';
import { DomainError } from './errors';

/** Validates input against a schema; the first problem becomes a DomainError naming the field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  fieldPrefix = '',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [fieldPrefix, ...issue.path.map(String)].filter(Boolean).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const field = [path, key].filter(Boolean).join('.');
    throw new DomainError(
      'UNKNOWN_FIELD',
      `Unknown field "${field}": it is not part of this request.`,
      field,
    );
  }
  const where = path || 'body';
  throw new DomainError('VALIDATION_FAILED', `${where}: ${issue.message}`, where);
}
