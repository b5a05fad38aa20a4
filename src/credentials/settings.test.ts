// Card settings from the environment: the issuer is a URI and the card language is known,
// or the start stops with the reason in both languages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateIssuerKey, importSigningKey } from './generate-issuer-key';
import { isIssuerUri, issueCard } from './issue-card';
import {
  cardIssuerDefault,
  cardIssuerFromEnv,
  cardLanguageFromEnv,
  credentialSettingsFromEnv,
} from './settings';

void test('TESSERA_CARD_ISSUER must be an absolute URI; the default is one', () => {
  assert.equal(cardIssuerFromEnv(undefined), cardIssuerDefault);
  assert.equal(cardIssuerFromEnv('https://id.example.gob.ve'), 'https://id.example.gob.ve');
  assert.equal(cardIssuerFromEnv('urn:ve:registro'), 'urn:ve:registro');
  for (const bad of ['tessera', 'id.example.gob.ve', 'https://', 'https://a b', '']) {
    assert.throws(() => cardIssuerFromEnv(bad), /TESSERA_CARD_ISSUER.*absolute URI.*URI absoluta/);
  }
  assert.equal(isIssuerUri(`https://${'a'.repeat(130)}`), false);
});

void test('TESSERA_CARD_LANGUAGE is es (the default) or en', () => {
  assert.equal(cardLanguageFromEnv(undefined), 'es');
  assert.equal(cardLanguageFromEnv('en'), 'en');
  assert.throws(() => cardLanguageFromEnv('fr'), /TESSERA_CARD_LANGUAGE.*es, en.*debe ser/);
  const english = credentialSettingsFromEnv({ TESSERA_CARD_LANGUAGE: 'en' });
  assert.deepEqual(english.artwork, {
    language: 'en',
    title: 'Identity card',
    issuerName: 'the Tessera registry',
    reportLost: 'at any registration office',
  });
  assert.equal(credentialSettingsFromEnv({}).artwork.title, 'Tarjeta de identidad');
});

void test('a card is not issued with a bare name as its issuer', async () => {
  const pair = await generateIssuerKey();
  const key = await importSigningKey(pair.privateJwk, pair.kid);
  await assert.rejects(
    issueCard({
      face: { registryNumber: 'VE-1', givenNames: 'Ana', surnames: 'Díaz', dateOfBirth: '1990' },
      serial: 1,
      issuer: 'VE',
      key,
      issuedAt: new Date('2025-01-01T00:00:00Z'),
      expiresAt: new Date('2030-01-01T00:00:00Z'),
    }),
    { code: 'BAD_INPUT', message: /issuer must be an absolute URI/ },
  );
});
