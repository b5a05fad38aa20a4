// The registration officer's console in Chromium: a family of four enrolled into a household
// (one child known only by year of birth), an obvious duplicate caught before saving, a phone
// in national form stored in E.164, and a pair decided in the review queue. axe-core on every
// screen; screenshots at phone and laptop sizes in Spanish, and once in English.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { insertGrant, insertStaff } from '../../src/auth';
import { systemActor } from '../../src/shared/access';
import { wireDomains } from '../../src/app';
import { loadDemoRegistry } from '../../src/registry';
import type { AppContext } from '../../src/shared/context';
import { testApp } from '../support/app';
import { openBrowserSession, screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible, newPersonPage, signInFirstTime } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';

describe('registration console in Chromium', { skip: skipWithoutChromium }, () => {
  let page: Page;
  let base = '';
  let app: AppContext;
  let stop: () => Promise<void> = async () => {};
  let credentials = { username: 'registrador.enrol', password: '' };

  before(async () => {
    const db = await createTestDatabase('sqlite');
    app = testApp(db.db);
    app.now = () => new Date();
    wireDomains(app);
    const caller = { actor: systemActor('browser-test') };
    await loadDemoRegistry(app, caller, { people: 300, seed: 5 });
    const made = await app.db.transaction(async (trx) => {
      const m = await insertStaff(trx, app, caller, {
        username: credentials.username,
        displayName: 'Registrador',
      });
      await insertGrant(trx, app, caller, m.account.id, 'registrar', '*');
      return m;
    });
    credentials = { ...credentials, password: made.oneTimePassword };
    const session = await openBrowserSession(app);
    base = session.base;
    // axe-core needs a page of a context the test opened itself.
    page = (await newPersonPage(session.page)).page;
    stop = async () => {
      await session.stop();
      await db.dispose();
    };
    await signIn();
  });

  after(async () => {
    await stop();
  });

  async function signIn(): Promise<void> {
    await signInFirstTime(page, base, {
      username: credentials.username,
      oneTimePassword: credentials.password,
      newPassword: 'montaña alta sobre el lago',
    });
  }

  /** axe-core finds nothing serious; nothing scrolls sideways at phone width; screenshots. */
  async function check(name: string): Promise<void> {
    await assertAccessible(page, name);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${name}: no sideways scroll at 390 px (${width})`);
    await page.screenshot({ path: `${screenshots}console-${name}-390.png`, fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.screenshot({ path: `${screenshots}console-${name}-1366.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
  }

  async function fillPerson(form: string, p: Record<string, string>, prefix = ''): Promise<void> {
    for (const [name, value] of Object.entries(p)) {
      const selector = `${form} [name="${prefix}${name}"]`;
      const tag = await page.locator(selector).evaluate((e) => e.tagName);
      if (tag === 'SELECT') await page.selectOption(selector, value);
      else await page.fill(selector, value);
    }
  }

  async function enrol(p: Record<string, string>): Promise<string> {
    await fillPerson('#enrol-form', p);
    await page.click('#enrol-form button[type=submit]');
    await page.waitForSelector('#enrolled-number');
    return ((await page.textContent('#enrolled-number')) ?? '').trim();
  }

  const address = { 'address.regionCode': 'VE-A', 'address.locality': 'Caracas' };
  let pairsBefore = 0;

  it('enrols a family of four into a household, one child with a year of birth only', async () => {
    await page.goto(base + '/#/enrol');
    await page.waitForSelector('#enrol-form');
    await check('enrol');
    const mother = await enrol({
      givenNames: 'Yusmary Coromoto',
      surname1: 'Betancourt',
      surname2: 'Quintero',
      birthDate: '1988-04-21',
      sex: 'F',
      ...address,
      'address.line': 'Calle Real de Petare, casa 14',
      phone: '0412-555-1234',
    });
    assert.match(mother, /\w{4,}/);
    await check('enrolled');
    const stored = await app.db.kysely
      .selectFrom('persons')
      .select(['id', 'phone'])
      .where('registry_number', '=', mother)
      .executeTakeFirstOrThrow();
    assert.equal(stored.phone, '+584125551234', 'the national form is stored in E.164');

    await page.click('#enrolled-new-household');
    await page.waitForSelector('#household-form');
    assert.equal(await page.inputValue('#household-form [name=headNumber]'), mother);
    await page.selectOption('#household-form [name="address.regionCode"]', 'VE-A');
    await page.fill('#household-form [name="address.locality"]', 'Caracas');
    await page.fill('#household-form [name="address.line"]', 'Calle Real de Petare, casa 14');
    await check('households');
    await page.click('#household-form button[type=submit]');
    await page.waitForSelector('#members li.member');

    await page.click('#enrol-for-household');
    await page.waitForSelector('#enrol-form');
    await enrol({
      givenNames: 'Wilmer José',
      surname1: 'Rondón',
      surname2: 'Salazar',
      birthDate: '1985-11',
      sex: 'M',
      ...address,
      phone: '+58 414 555 9876',
    });
    await page.click('#enrolled-to-household');
    await page.waitForSelector('#member-form');
    await page.selectOption('#member-form [name=relationship]', 'spouse');
    await page.fill('#member-form [name=reason]', 'vive en el hogar');
    await page.click('#member-form button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#members li.member').length === 2);

    const children = [
      { givenNames: 'Santiago Andrés', birthDate: '2014-02-03', sex: 'M' },
      { givenNames: 'Valentina', birthDate: '2017', sex: 'F' },
    ];
    for (const [i, child] of children.entries()) {
      await fillPerson(
        '#birth-form',
        { ...child, surname1: 'Rondón', surname2: 'Betancourt' },
        'child.',
      );
      await page.click('#birth-form button[type=submit]');
      await page.waitForFunction(
        (n) => document.querySelectorAll('#members li.member').length === n,
        3 + i,
      );
    }
    const text = (await page.textContent('#members')) ?? '';
    assert.match(text, /Valentina/);
    assert.match(text, /2017/);
    assert.match(text, /Cónyuge/);
    await check('household');

    // The father becomes head; the mother is then his spouse.
    const father = page.locator('#members li.member', { hasText: 'Wilmer' });
    await father.locator('button.make-head').click();
    await father.locator('[name=formerHeadRelationship]').selectOption('spouse');
    await father.locator('[name=reason]').fill('acuerdo de la familia');
    await father.locator('form.head-form button[type=submit]').click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#members li.member')].some(
        (li) =>
          li.textContent?.includes('Wilmer') &&
          li.querySelector('.member-relationship')?.textContent === 'Encabeza el hogar',
      ),
    );
    const valentina = await app.db.kysely
      .selectFrom('persons')
      .select(['birth_date', 'birth_date_precision', 'household_id'])
      .where('given_names', '=', 'Valentina')
      .where('surname1', '=', 'Rondón')
      .executeTakeFirstOrThrow();
    assert.deepEqual([valentina.birth_date, valentina.birth_date_precision], ['2017', 'year']);
    assert.ok(valentina.household_id);
  });

  it('shows the candidates of an obvious duplicate before saving, and saves only on an explicit choice', async () => {
    const existing = await app.db.kysely
      .selectFrom('persons')
      .selectAll()
      .where('status', '=', 'active')
      .where('region_code', '=', 'VE-A')
      .where('surname1', 'is not', null)
      .where('birth_date_precision', '=', 'day')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    pairsBefore = (await app.db.kysely.selectFrom('dedup_pairs').select('id').execute()).length;
    await page.goto(base + '/#/enrol');
    await page.waitForSelector('#enrol-form');
    await fillPerson('#enrol-form', {
      givenNames: existing.given_names,
      surname1: existing.surname1 ?? '',
      ...(existing.surname2 ? { surname2: existing.surname2 } : {}),
      birthDate: existing.birth_date,
      ...(existing.sex ? { sex: existing.sex } : {}),
      'address.regionCode': existing.region_code,
      ...(existing.locality ? { 'address.locality': existing.locality } : {}),
    });
    // Typing screens the entry on its own, before anything is saved.
    await page.waitForSelector('#candidate-list article.candidate').catch(async (e: unknown) => {
      throw new Error(`no candidates: ${await page.textContent('main')}`, { cause: e });
    });
    const card = page.locator('#candidate-list article.candidate').first();
    assert.match((await card.textContent()) ?? '', new RegExp(existing.registry_number));
    assert.match((await card.locator('.candidate-reason').textContent()) ?? '', /coincide/);
    assert.equal(
      await card.locator('a.open-existing').getAttribute('href'),
      `#/persons/${existing.id}`,
    );
    await check('enrol-candidates');
    await page.click('#enrol-form button[type=submit]');
    await page.waitForSelector('#candidates .notice.error');
    assert.equal(await page.locator('#enrolled-number').count(), 0, 'not saved without a choice');
    await page.check('#save-anyway');
    await page.click('#enrol-form button[type=submit]');
    await page.waitForSelector('#enrolled-number');
    await page.waitForSelector('#enrolled-flagged');
    const pairsAfter = (await app.db.kysely.selectFrom('dedup_pairs').select('id').execute())
      .length;
    assert.ok(pairsAfter > pairsBefore, 'the server flagged the pair for review');
  });

  it('decides a pair in the duplicate queue', async () => {
    await page.goto(base + '/#/duplicates');
    await page.waitForSelector('#pairs li');
    await check('duplicates');
    await page.locator('#pairs li a.button').first().click();
    await page.waitForSelector('#pair-compare');
    await page.waitForSelector('#decision-form');
    await check('pair');
    await page.check('#decision-form input[value=different_people]');
    await page.fill('#decision-form [name=reason]', 'fechas y teléfonos distintos');
    await page.click('#decision-form button[type=submit]');
    await page.waitForSelector('.notice.ok');
    await page.waitForFunction(
      () => !document.querySelector('#decision-form') && !!document.querySelector('#pair-status'),
    );
    assert.match((await page.textContent('#pair-status')) ?? '', /Personas distintas/);
  });

  it('speaks English when asked', async () => {
    await page.selectOption('#language', 'en');
    await page.goto(base + '/#/enrol');
    await page.waitForSelector('#enrol-form');
    assert.match((await page.textContent('main')) ?? '', /Given names/);
    await check('enrol-en');
    await page.goto(base + '/#/duplicates?status=different_people');
    await page.waitForSelector('#pairs li');
    await check('duplicates-en');
    await page.selectOption('#language', 'es');
  });
});
