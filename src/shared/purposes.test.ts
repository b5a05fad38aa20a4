import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  allowsHealthAttributes,
  describePurpose,
  healthPurposes,
  isPurpose,
  purposes,
} from './purposes';

void describe('purposes', () => {
  void it('is the fixed list from the issue, in a stable order', () => {
    assert.deepEqual(purposes, [
      'enrolment',
      'card_issuance',
      'service_delivery',
      'grievance',
      'audit',
      'health_eligibility',
      'deduplication',
      'subject_access',
      'export',
    ]);
  });

  void it('describes every purpose in one line', () => {
    for (const p of purposes) {
      const text = describePurpose(p);
      assert.ok(text.length > 10 && !text.includes('\n'), p);
    }
  });

  void it('accepts only listed purposes, never prototype keys or other types', () => {
    for (const p of purposes) assert.equal(isPurpose(p), true);
    for (const bad of ['', 'misc', 'toString', '__proto__', 'constructor', 'Audit', null, 3, {}]) {
      assert.equal(isPurpose(bad), false, String(bad));
    }
  });

  void it('lets only health_eligibility read health attributes', () => {
    assert.deepEqual(healthPurposes, ['health_eligibility']);
    for (const p of purposes) assert.equal(allowsHealthAttributes(p), p === 'health_eligibility');
  });

  void it('cannot be extended at run time', () => {
    assert.throws(() => (purposes as string[]).push('politics'));
  });
});
