// The registration office's screens in a real browser, against the real API: searching with a
// purpose (refused without one), by name and by registry number, a partial birth-date match
// marked as such; a person's record; a correction with a reason (and a version conflict said
// in words); a move; issuing, seeing, printing, replacing and revoking a card; and the
// confirmation asked before issuing to a record that awaits duplicate review. Each screen is
// checked with axe-core and for sideways scrolling at 390 px; screenshots in test-output/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { insertGrant, insertStaff } from '../../src/auth';
import { systemActor } from '../../src/shared/access';
import { wireDomains } from '../../src/app';
import { correctPerson, enrolPerson, loadDemoRegistry, type Person } from '../../src/registry';
import {
  createCycle,
  createProgramme,
  freezeCycle,
  generateEntitlements,
} from '../../src/programs';
import type { AppContext } from '../../src/shared/context';
import { staff, testApp, validPerson } from '../support/app';
import { openBrowserSession, screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible, signInFirstTime } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';

describe('registration office screens in Chromium', { skip: skipWithoutChromium }, () => {
  let page: Page;
  let base = '';
  let app: AppContext;
  let stop: () => Promise<void> = async () => {};
  let credentials = { username: 'registrador.records', password: '' };
  let eusebio: Person;
  let flagged: Person;
  const enrolledBy = staff('registrar', '*');

  before(async () => {
    const db = await createTestDatabase('sqlite');
    app = testApp(db.db);
    app.now = () => new Date();
    wireDomains(app);
    const caller = { actor: systemActor('browser-test') };
    await loadDemoRegistry(app, caller, { people: 200, seed: 5 });
    eusebio = await enrolPerson(
      app,
      enrolledBy,
      validPerson({
        givenNames: 'Eusebio',
        surname1: 'Rangel',
        surname2: 'Tovar',
        birthDate: '1968-11-02',
        sex: 'M',
        phone: '+584245550101',
        address: { regionCode: 'VE-A', locality: 'Caracas', line: 'Calle Real 4' },
      }),
    );
    // A longer name containing Eusebio's, enrolled later: the exact name still comes first.
    await enrolPerson(
      app,
      enrolledBy,
      validPerson({
        givenNames: 'Eusebio José',
        surname1: 'Rangel',
        surname2: 'Tovar',
        birthDate: '1999-04-20',
        sex: 'M',
        phone: '+584245550177',
        address: { regionCode: 'VE-D', locality: 'Maracay' },
      }),
    );
    await enrolPerson(
      app,
      enrolledBy,
      validPerson({
        givenNames: 'Teodora',
        surname1: 'Quiñones',
        surname2: 'Valle',
        birthDate: '1975',
        sex: 'F',
        phone: '+584245550202',
        address: { regionCode: 'VE-E', locality: 'Barinas' },
      }),
    );
    const ana = validPerson({
      givenNames: 'Ana Lucía',
      surname1: 'Montilla',
      surname2: 'Briceño',
      birthDate: '1979-05-21',
      phone: '+584141112233',
      address: { regionCode: 'VE-A', locality: 'Caracas' },
    });
    await enrolPerson(app, enrolledBy, ana);
    flagged = await enrolPerson(app, enrolledBy, {
      ...ana,
      givenNames: 'Ana Lucia',
      surname1: 'Briceno',
      surname2: 'Montila',
    });
    assert.ok(
      (flagged as Person & { duplicateReview?: unknown }).duplicateReview,
      'the second Ana waits for review',
    );
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
    // axe-core needs a page of a context the test made (not browser.newPage()): the same
    // phone-sized page, in its own context.
    const context = await session.page
      .context()
      .browser()!
      .newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        acceptDownloads: true,
      });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    stop = async () => {
      await context.close();
      await session.stop();
      await db.dispose();
    };
  });

  after(async () => {
    await stop();
  });

  async function signIn(): Promise<void> {
    await signInFirstTime(page, base, {
      username: credentials.username,
      oneTimePassword: credentials.password,
      newPassword: 'llovizna sobre el tepuy',
    });
  }

  /** axe-core finds nothing serious or critical, and nothing scrolls sideways at 390 px. */
  async function checkScreen(name: string): Promise<void> {
    await assertAccessible(page, name);
    const width = page.viewportSize()?.width ?? 0;
    if (width <= 390) {
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scroll <= width, `${name} scrolls sideways: ${scroll} > ${width}`);
    }
    await page.screenshot({ path: `${screenshots}records-${name}.png`, fullPage: true });
  }

  async function search(q: string, purpose: string, birthDate = ''): Promise<void> {
    await page.fill('#search-form input[name=q]', q);
    await page.fill('#search-form input[name=birthDate]', birthDate);
    if (purpose) await page.selectOption('#search-form select[name=purpose]', purpose);
    await page.click('#search-form button[type=submit]');
  }

  async function notice(form: string): Promise<string> {
    const found = page.locator(`${form} .notice.ok, ${form} .notice.error, ${form} .field-error`);
    await found.first().waitFor();
    return (await found.first().textContent()) ?? '';
  }

  it('searches: refused without a purpose, then by name, by number, and with a partial date', async () => {
    await signIn();
    await page.goto(base + '/#/search');
    await page.waitForSelector('#search-form');
    await search('Eusebio Rangel Tovar', '');
    await page.waitForSelector('#search-form .field-error');
    assert.match((await page.textContent('#search-form .field-error')) ?? '', /propósito/);
    assert.equal(await page.locator('#results').count(), 0, 'no results without a purpose');

    await search('eusebio rangel tovar', 'enrolment');
    await page.waitForSelector('#results li');
    const rows = page.locator('#results li');
    assert.equal(await rows.count(), 2);
    assert.equal(await rows.first().getAttribute('data-person'), eusebio.id, 'exact name first');
    assert.match((await rows.first().textContent()) ?? '', /Coincidencia exacta/);
    await checkScreen('search-es-390');

    await search(eusebio.registryNumber.replaceAll('-', ' '), 'enrolment');
    await page.waitForFunction(() => document.querySelectorAll('#results li').length === 1);
    assert.equal(await rows.first().getAttribute('data-person'), eusebio.id);

    await search('Teodora Quiñones', 'enrolment', '1975-06-15');
    await page.waitForSelector('#results li .partial-match');
    assert.match(
      (await page.textContent('#results li .partial-match')) ?? '',
      /solo año de nacimiento/,
    );
    await checkScreen('search-partial-es-390');

    await search('Nadie Inexistente Jamás', 'enrolment');
    await page.waitForSelector('#results-empty');
  });

  it('opens a record, corrects it with a reason, and says a version conflict in words', async () => {
    await search('Eusebio Rangel Tovar', 'enrolment');
    await page.waitForSelector(`#results li[data-person="${eusebio.id}"] a`);
    await page.click(`#results li[data-person="${eusebio.id}"] a`);
    await page.waitForSelector('#person-facts');
    assert.ok(page.url().includes('purpose=enrolment'), 'the purpose is carried');
    assert.equal(await page.textContent('[data-fact=registryNumber]'), eusebio.registryNumber);
    assert.equal(await page.textContent('[data-fact=sex]'), 'Hombre');
    assert.equal(await page.textContent('[data-fact=region]'), 'Distrito Capital');
    assert.equal(await page.locator('#duplicate-flag').count(), 0);
    assert.equal(await page.locator('#history li').count(), 1);
    await page.waitForSelector('#entitlements-empty');
    // A cycle of a programme he is eligible for: his record shows it, awaiting approval.
    const system = { actor: systemActor('fixtures') };
    const box = await createProgramme(app, system, {
      code: 'records_box',
      kind: 'basket',
      target: 'person',
      schedule: 'monthly',
      name: { es: 'Caja de prueba', en: 'Test box' },
      rule: 'age >= 18',
      benefit: {
        kind: 'basket',
        items: [{ code: 'rice', name: { es: 'Arroz', en: 'Rice' }, quantity: 2, unit: 'kg' }],
      },
      coPayment: 0n,
      currency: 'VES',
      serviceAreas: [{ regionCode: 'VE-A' }],
      retentionDays: 30,
      stagger: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    const cycle = await createCycle(app, system, {
      programmeId: box.id,
      label: '2026-12',
      opensOn: '2026-12-01',
      closesOn: '2026-12-31',
    });
    await freezeCycle(app, system, cycle.id);
    await generateEntitlements(app, system, cycle.id);
    await page.reload();
    await page.waitForSelector('#entitlements-list li[data-state=awaiting_approval]');
    assert.match(
      (await page.textContent('#entitlements-list')) ?? '',
      /Caja de prueba.*2026-12.*quedan 1 de 1.*pendiente de aprobación/,
    );
    await checkScreen('person-es-390');

    await page.fill('#edit-form input[name=birthPlace]', 'Barquisimeto');
    await page.fill('#edit-form input[name=reason]', 'Faltaba el lugar de nacimiento');
    await page.click('#edit-form button[type=submit]');
    assert.match(await notice('#edit-form'), /Corrección guardada/);
    await page.waitForFunction(() => document.querySelectorAll('#history li').length === 2);
    assert.equal(await page.textContent('[data-fact=birthPlace]'), 'Barquisimeto');
    assert.match((await page.textContent('#history li')) ?? '', /Faltaba el lugar/);

    // Someone else corrects the record meanwhile: the next save is refused, in words.
    await correctPerson(app, enrolledBy, eusebio.id, {
      phone: '+584245550109',
      reason: 'otra oficina actualizó el teléfono',
    });
    await page.fill('#edit-form input[name=birthPlace]', 'Barquisimeto, Lara');
    await page.fill('#edit-form input[name=reason]', 'Precisar el estado');
    await page.click('#edit-form button[type=submit]');
    await page.waitForSelector('#edit-form .notice.error[data-code=VERSION_CONFLICT]');
    assert.match(
      (await page.textContent('#edit-form .notice.error')) ?? '',
      /Otra persona cambió este registro/,
    );
    await page.waitForFunction(() => document.querySelectorAll('#history li').length === 3);
    assert.equal(await page.textContent('[data-fact=phone]'), '+584245550109');
  });

  it('sets a wallet PIN after an identity check, and refuses an easy one in words', async () => {
    await page.goto(`${base}/#/persons/${eusebio.id}?purpose=enrolment`);
    await page.waitForSelector('#wallet-closed');
    await page.selectOption('#pin-form select[name=identityDocument]', 'national_id_card');
    await page.fill('#pin-form input[name=pin]', '1234');
    await page.fill('#pin-form input[name=pinAgain]', '1234');
    await page.fill('#pin-form input[name=reason]', 'Entrega del monedero');
    await page.click('#pin-form button[type=submit]');
    await page.waitForSelector('#pin-form .field-error');
    assert.match(
      (await page.textContent('#pin-form .field-error')) ?? '',
      /los dígitos van seguidos/,
    );
    await page.fill('#pin-form input[name=pin]', '2719');
    await page.fill('#pin-form input[name=pinAgain]', '2791');
    await page.click('#pin-form button[type=submit]');
    await page.waitForFunction(() =>
      /no coinciden/.test(document.querySelector('#pin-form')?.textContent ?? ''),
    );
    await page.fill('#pin-form input[name=pinAgain]', '2719');
    await page.click('#pin-form button[type=submit]');
    await page.waitForFunction(() =>
      /PIN guardado/.test(document.querySelector('#pin-form')?.textContent ?? ''),
    );
    const stored = await app.db.kysely
      .selectFrom('wallet_pins')
      .select('pin_hash')
      .where('person_id', '=', eusebio.id)
      .executeTakeFirstOrThrow();
    assert.ok(!stored.pin_hash.includes('2719'));
    await checkScreen('person-wallet-es-390');
  });

  it('records a move to another region', async () => {
    await page.selectOption('#event-form select[name=kind]', 'address_change');
    await page.fill('#event-form input[name=occurredOn]', '2026-01-10');
    await page.selectOption('#event-form select[name="address.regionCode"]', 'VE-D');
    await page.fill('#event-form input[name="address.locality"]', 'Maracay');
    await page.fill('#event-form input[name=reason]', 'Se mudó con su hija');
    await page.click('#event-form button[type=submit]');
    assert.match(await notice('#event-form'), /Hecho registrado/);
    await page.waitForFunction(
      () => document.querySelector('[data-fact=region]')?.textContent === 'Aragua',
    );
  });

  it('issues a card, shows and prints its face, replaces it as lost, and revokes the new one', async () => {
    await page.waitForSelector('#cards-empty');
    await page.click('#issue-card-form button[type=submit]');
    await page.waitForSelector('#cards-table tr[data-status=active]');
    const first = Number(
      await page.getAttribute('#cards-table tr[data-status=active]', 'data-serial'),
    );
    assert.match(
      (await page.textContent(`tr[data-serial="${first}"] .card-status`)) ?? '',
      /Vigente/,
    );

    await page.click(`button.records-view[data-serial="${first}"]`);
    await page.waitForSelector('#card-png');
    await page.waitForFunction(() => {
      const img = document.getElementById('card-png') as HTMLImageElement | null;
      return Boolean(img && img.complete && img.naturalWidth > 0);
    });
    assert.ok((await page.getAttribute('#card-png', 'src'))?.startsWith('blob:'));
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => {
        (window as unknown as { printed: number }).printed++;
      };
    });
    await page.click('#print-card');
    assert.equal(await page.evaluate(() => (window as unknown as { printed: number }).printed), 1);
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('#download-pdf')]);
    assert.equal(pdf.suggestedFilename(), `tarjeta-${first}.pdf`);
    await checkScreen('cards-es-390');
    await page
      .locator('#cards')
      .screenshot({ path: `${screenshots}records-cards-section-es-390.png` });

    await page.selectOption('#replace-form select[name=reason]', 'lost');
    await page.fill('#replace-form input[name=note]', 'La perdió en el autobús');
    await page.click('#replace-form button[type=submit]');
    assert.match(await notice('#card-outcome'), /quedó reemplazada/);
    await page.waitForSelector(`#cards-table tr[data-serial="${first}"]:not([data-status=active])`);
    assert.match(
      (await page.textContent(`tr[data-serial="${first}"] .card-status`)) ?? '',
      /Reemplazada \(perdida\)/,
    );
    const second = Number(
      await page.getAttribute('#cards-table tr[data-status=active]', 'data-serial'),
    );
    assert.notEqual(second, first);
    assert.match(
      (await page.textContent(`tr[data-serial="${second}"] .card-status`)) ?? '',
      /Vigente/,
    );

    await page.fill('#revoke-form input[name=reason]', 'La persona pidió anularla');
    await page.click('#revoke-form button[type=submit]');
    assert.match(await notice('#card-outcome'), /revocada/);
    await page.waitForSelector(`#cards-table tr[data-serial="${second}"][data-status=revoked]`);
    assert.match(
      (await page.textContent(`tr[data-serial="${second}"] .card-status`)) ?? '',
      /Revocada/,
    );
  });

  it('warns on a record awaiting duplicate review and asks before issuing its card', async () => {
    await page.goto(`${base}/#/persons/${flagged.id}`);
    await page.waitForSelector('#purpose-form');
    await page.selectOption('#purpose-form select[name=purpose]', 'card_issuance');
    await page.click('#purpose-form button[type=submit]');
    await page.waitForSelector('#duplicate-flag');
    assert.match((await page.textContent('#duplicate-flag')) ?? '', /Posible registro duplicado/);
    await page.waitForSelector('#cards-empty');
    await page.click('#issue-card-form button[type=submit]');
    await page.waitForSelector('#confirm-duplicate-issue');
    assert.equal(await page.locator('#cards-table').count(), 0, 'nothing issued before confirming');
    await checkScreen('duplicate-confirm-es-390');
    await page.click('#cancel-issue');
    assert.equal(await page.locator('#confirm-duplicate-issue').count(), 0);
    await page.click('#issue-card-form button[type=submit]');
    await page.click('#confirm-issue');
    await page.waitForSelector('#cards-table tr[data-status=active]');
  });

  it('reads the same screens in English, and at a laptop’s size', async () => {
    await page.selectOption('#language', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.match((await page.textContent('#duplicate-flag')) ?? '', /Possible duplicate record/);
    await checkScreen('duplicate-en-390');
    await page.goto(`${base}/#/search`);
    await search('Teodora Quiñones', 'enrolment', '1975-06-15');
    await page.waitForSelector('#results li .partial-match');
    assert.match((await page.textContent('#results li .partial-match')) ?? '', /birth year only/);
    await checkScreen('search-en-390');
    await page.selectOption('#language', 'es');

    await page.setViewportSize({ width: 1366, height: 768 });
    await checkScreen('search-es-1366');
    await page.goto(`${base}/#/persons/${eusebio.id}?purpose=card_issuance`);
    await page.waitForSelector('#cards-table');
    await checkScreen('person-es-1366');
    await page.setViewportSize({ width: 390, height: 844 });
  });
});
