// One way for tests to say "this is refused, and how": the operation rejects with a
// DomainError of `code`, and, when asked, a message matching a pattern or a named field.
import assert from 'node:assert/strict';
import { DomainError } from '../../src/shared/errors';

/** Asserts that `operation` rejects with a DomainError of `code` (and the message or field). */
export async function refused(
  operation: Promise<unknown>,
  code: string,
  expected?: RegExp | { field: string },
): Promise<void> {
  await assert.rejects(operation, (e: unknown) => {
    assert.ok(e instanceof DomainError, String(e));
    assert.equal(e.code, code, e.message);
    if (expected instanceof RegExp) assert.match(e.message, expected);
    else if (expected) assert.equal(e.field, expected.field);
    return true;
  });
}
