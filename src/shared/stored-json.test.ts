import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { readStoredJson, StoredDataError, storedObject } from './stored-json';

describe('readStoredJson', () => {
  it('returns the parsed value when it fits its schema', () => {
    assert.deepEqual(readStoredJson(storedObject, '{"a":1}', 'row r1'), { a: 1 });
  });

  it('names the row and the place when the text is not JSON or does not fit', () => {
    assert.throws(
      () => readStoredJson(storedObject, '{"a":', 'persons p1 attributes'),
      (e: unknown) =>
        e instanceof StoredDataError &&
        /persons p1 attributes cannot be read: it is not JSON/.test(e.message),
    );
    assert.throws(
      () => readStoredJson(z.object({ n: z.number() }), '{"n":"7"}', 'cards 12 face'),
      (e: unknown) =>
        e instanceof StoredDataError && /cards 12 face cannot be read: n: /.test(e.message),
    );
    assert.throws(() => readStoredJson(storedObject, '[1,2]', 'x'), StoredDataError);
  });
});
