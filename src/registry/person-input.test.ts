// Phone numbers as written at a counter, stored in E.164.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalisePhone, personInput } from './person-input';
import { personBody } from '../../test/support/app';
import { phoneCountryCodeFrom } from '../shared/settings';

void describe('phone numbers', () => {
  void it('reads national and international forms into E.164', () => {
    for (const written of [
      '0412-555-1234',
      '0412 5551234',
      '+58 412 555 1234',
      '0058 412 5551234',
      '(0412) 555.1234',
      '+584125551234',
    ])
      assert.deepEqual(normalisePhone(written, '58'), { e164: '+584125551234' }, written);
    assert.deepEqual(normalisePhone('020 7946 0958', '44'), { e164: '+442079460958' });
  });
  void it('refuses what cannot be a phone number', () => {
    for (const written of [
      'call me',
      '12345',
      '+0412555',
      '0412-555-1234 ext 2',
      '+58 412 555 1234 5678 9',
      '',
    ])
      assert.ok('problem' in normalisePhone(written, '58'), written);
  });
  void it('names the phone field when a person is refused for it', () => {
    const parsed = personInput.safeParse(personBody({ phone: 'llámame' }));
    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error?.issues[0]?.path, ['phone']);
    assert.equal(personInput.safeParse(personBody({ phone: '0412-555-1234' })).success, true);
  });
  void it('reads the calling code setting', () => {
    assert.equal(phoneCountryCodeFrom(undefined), '58');
    assert.equal(phoneCountryCodeFrom('+57'), '57');
    assert.throws(() => phoneCountryCodeFrom('Venezuela'), /TESSERA_PHONE_COUNTRY_CODE/);
  });
});
