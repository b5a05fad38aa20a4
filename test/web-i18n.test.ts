// Every word of the web app exists in Spanish and in English: the catalogs have the same keys,
// none empty, and every reason code the verifier can return has words in both.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { reasonMessages } from '../src/credentials/verifier';
import { errorStatus } from '../src/shared/errors';
import { errorCatalog } from '../web/i18n/errors';
import { languages, reasonCatalog, verifyCatalog } from '../web/i18n/verify';
import { catalogs as consoleCatalogs } from '../web/console/i18n';
import { meCatalogs } from '../web/me/i18n';
import { roles } from '../src/shared/access';
import { purposes } from '../src/shared/purposes';

it('has every card-check key in both languages, none empty, none left untranslated', () => {
  const [first, ...rest] = languages;
  const keys = Object.keys(verifyCatalog[first]).sort();
  for (const language of rest)
    assert.deepEqual(Object.keys(verifyCatalog[language]).sort(), keys, language);
  for (const language of languages)
    for (const key of keys) {
      const words = verifyCatalog[language][key as keyof (typeof verifyCatalog)['es']];
      assert.ok(words.trim().length > 0, `${language} ${key}`);
    }
  const same = keys.filter(
    (k) =>
      verifyCatalog.es[k as keyof (typeof verifyCatalog)['es']] ===
      verifyCatalog.en[k as keyof (typeof verifyCatalog)['es']],
  );
  assert.deepEqual(same, [], 'the same words in both languages: not translated');
});

it('has words for every verifier reason code in both languages', () => {
  const codes = Object.keys(reasonMessages).sort();
  for (const language of languages) {
    assert.deepEqual(Object.keys(reasonCatalog[language]).sort(), codes, language);
    for (const code of codes)
      assert.ok(reasonCatalog[language][code as keyof typeof reasonMessages].length > 10);
  }
  assert.equal(reasonCatalog.en.REVOKED, reasonMessages.REVOKED, 'English is the verifier’s own');
});

it('has words for every server refusal code in both languages, and they differ', () => {
  const codes = Object.keys(errorStatus).sort();
  for (const language of languages)
    assert.deepEqual(Object.keys(errorCatalog[language]).sort(), codes, language);
  for (const code of codes) {
    const key = code as keyof typeof errorStatus;
    assert.notEqual(errorCatalog.es[key], errorCatalog.en[key], code);
  }
});

it('has every console key in both languages, none empty, with the same placeholders', () => {
  const keys = Object.keys(consoleCatalogs.es).sort();
  assert.deepEqual(Object.keys(consoleCatalogs.en).sort(), keys, 'the same keys in English');
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of keys) {
    const es = consoleCatalogs.es[key as keyof typeof consoleCatalogs.es];
    const en = consoleCatalogs.en[key as keyof typeof consoleCatalogs.es];
    assert.ok(es.trim() && en.trim(), `${key} has words in both`);
    assert.deepEqual(placeholders(es), placeholders(en), `${key}: the same placeholders`);
  }
  for (const code of purposes) assert.ok(`me.purpose.${code}` in meCatalogs.es, `purpose ${code}`);
});

it('names every role and every purpose in words in both languages', () => {
  for (const code of roles) assert.ok(`role.${code}` in consoleCatalogs.es, `role ${code}`);
  for (const code of purposes)
    assert.ok(`purpose.${code}` in consoleCatalogs.es, `purpose ${code}`);
});

it('has every cardholder-portal key in both languages, translated, with the same placeholders', () => {
  const keys = Object.keys(meCatalogs.es).sort();
  assert.deepEqual(Object.keys(meCatalogs.en).sort(), keys, 'the same keys in English');
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of keys) {
    const es = meCatalogs.es[key as keyof typeof meCatalogs.es];
    const en = meCatalogs.en[key as keyof typeof meCatalogs.es];
    assert.ok(es.trim() && en.trim(), `${key} has words in both`);
    assert.notEqual(es, en, `${key}: not translated`);
    assert.deepEqual(placeholders(es), placeholders(en), `${key}: the same placeholders`);
  }
  for (const code of purposes) assert.ok(`me.purpose.${code}` in meCatalogs.es, `purpose ${code}`);
});
