// A registration office's day, walked in Chromium at a phone's size, once in Spanish and once
// in English, against the whole server: an administrator creates a registrar for one region
// and a second administrator approves the role grant; the registrar signs in with TOTP,
// enrols a family of four in a household (one child known only by year of birth), tries to
// enrol an obvious duplicate and sees the candidates before saving, issues and prints a card
// and replaces it as lost; the card check at /verify refuses the old card and accepts the new
// one; the auditor finds the person by registry number and sees each of those reads in the
// access report. axe-core runs on every screen; every step leaves a screenshot at phone and
// laptop sizes in test-output/journey-<language>-*.png.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { insertGrant, insertStaff } from '../../src/auth';
import { wireDomains } from '../../src/app';
import { configureCredentials } from '../../src/credentials';
import { loadDemoRegistry } from '../../src/registry';
import { systemActor } from '../../src/shared/access';
import type { AppContext } from '../../src/shared/context';
import { testApp } from '../support/app';
import { openBrowserSession, screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible, newPersonPage, signInFirstTime } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';

const phone = { width: 390, height: 844 };
const laptop = { width: 1366, height: 768 };
const region = 'VE-M';

/** The words the journey expects to read, in each language. */
const said = {
  es: {
    grantWaits: /Otro administrador debe aprobarla/,
    approved: /Aprobada y ejecutada/,
    role: /Registro \(Miranda\)/,
    spouse: /Cónyuge/,
    valid: 'Tarjeta válida',
    revoked: /revocada/i,
    listsDownloaded: 'Listas descargadas.',
  },
  en: {
    grantWaits: /A second administrator must approve it/,
    approved: /Approved and carried out/,
    role: /Registration \(Miranda\)/,
    spouse: /Spouse/,
    valid: 'Valid card',
    revoked: /revoked/i,
    listsDownloaded: 'Lists downloaded.',
  },
} as const;

for (const language of ['es', 'en'] as const) {
  describe(
    `a registration office's day in Chromium (${language})`,
    { skip: skipWithoutChromium },
    () => {
      const words = said[language];
      let app: AppContext;
      let base = '';
      const contexts: BrowserContext[] = [];
      let firstPage: Page;
      let stop: () => Promise<void> = async () => {};
      const accounts = {
        adminA: { username: `admin.ana.${language}`, displayName: 'Ana Administradora', otp: '' },
        adminB: { username: `admin.beto.${language}`, displayName: 'Beto Administrador', otp: '' },
        auditor: { username: `auditora.${language}`, displayName: 'Inés Auditora', otp: '' },
      };
      const registrar = { username: `registradora.miranda.${language}`, otp: '' };
      let step = 0;

      before(async () => {
        const db = await createTestDatabase('sqlite');
        app = testApp(db.db);
        app.now = () => new Date();
        wireDomains(app);
        configureCredentials(app, {
          keyEncryptionKey: randomBytes(32),
          issuer: 'https://tessera.test',
        });
        const caller = { actor: systemActor('journey') };
        await loadDemoRegistry(app, caller, { people: 300, seed: 11 });
        await app.db.transaction(async (trx) => {
          for (const [key, account] of Object.entries(accounts)) {
            const made = await insertStaff(trx, app, caller, {
              username: account.username,
              displayName: account.displayName,
            });
            await insertGrant(
              trx,
              app,
              caller,
              made.account.id,
              key === 'auditor' ? 'auditor' : 'admin',
              '*',
            );
            account.otp = made.oneTimePassword;
          }
        });
        const session = await openBrowserSession(app);
        base = session.base;
        firstPage = session.page;
        stop = async () => {
          for (const c of contexts) await c.close();
          await session.stop();
          await db.dispose();
        };
      });

      after(async () => {
        await stop();
      });

      /** A page of its own for one person, speaking the journey's language. */
      async function personPage(): Promise<Page> {
        const made = await newPersonPage(firstPage);
        contexts.push(made.context);
        await made.context.addInitScript(
          (lang: string) => localStorage.setItem('tessera.language', lang),
          language,
        );
        return made.page;
      }

      /** axe-core on the screen, no sideways scroll on the phone, and screenshots at both sizes. */
      async function look(page: Page, name: string): Promise<void> {
        await assertAccessible(page, `${language} ${name}`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= phone.width, `${name}: no sideways scroll on a phone (${width} px)`);
        assert.equal(
          await page.evaluate(() => document.documentElement.lang),
          language,
          `${name}: lang`,
        );
        step += 1;
        const file = `${screenshots}journey-${language}-${String(step).padStart(2, '0')}-${name}`;
        await page.screenshot({ path: `${file}-phone.png`, fullPage: true });
        await page.setViewportSize(laptop);
        await page.screenshot({ path: `${file}-laptop.png`, fullPage: true });
        await page.setViewportSize(phone);
      }

      async function open(page: Page, path: string, ready: string): Promise<void> {
        await page.goto(`${base}/#${path}`);
        await page.waitForSelector(ready);
      }

      async function fill(
        page: Page,
        form: string,
        values: Record<string, string>,
        prefix = '',
      ): Promise<void> {
        for (const [name, value] of Object.entries(values)) {
          const selector = `${form} [name="${prefix}${name}"]`;
          const tag = await page.locator(selector).evaluate((e) => e.tagName);
          if (tag === 'SELECT') await page.selectOption(selector, value);
          else await page.fill(selector, value);
        }
      }

      let registrarPage: Page;
      let householdId = '';
      const family: string[] = [];
      let oldSerial = '';
      let newSerial = '';
      const oldCardPng = `${screenshots}journey-${language}-old-card.png`;
      const newCardPng = `${screenshots}journey-${language}-new-card.png`;

      it('the administrator creates a registrar for Miranda, and a second administrator approves the role', async () => {
        const a = await personPage();
        await signInFirstTime(a, base, {
          username: accounts.adminA.username,
          oneTimePassword: accounts.adminA.otp,
          newPassword: 'montaña verde de la guaira',
        });
        await look(a, 'admin-home');
        await open(a, '/staff', '#staff-create-form');
        await a.fill('#staff-create-form input[name=displayName]', 'Registradora de Miranda');
        await a.fill('#staff-create-form input[name=username]', registrar.username);
        await a.click('#staff-create-form button[type=submit]');
        await a.waitForSelector('#one-time-password');
        registrar.otp = ((await a.textContent('#one-time-password')) ?? '').trim();
        await look(a, 'staff-created');
        await a.click('#manage-new-account');
        await a.waitForSelector('#grant-form');
        await a.selectOption('#grant-form select[name=role]', 'registrar');
        await a.check(`#grant-form input[name=regions][value="${region}"]`);
        await a.fill(
          '#grant-form input[name=reason]',
          'Nueva registradora de la oficina de Los Teques',
        );
        await a.click('#grant-form button[type=submit]');
        await a.waitForSelector('#grant-form .notice[data-approval-id]');
        assert.match(
          (await a.textContent('#grant-form .notice[data-approval-id]')) ?? '',
          words.grantWaits,
        );
        await look(a, 'grant-requested');

        const b = await personPage();
        await signInFirstTime(b, base, {
          username: accounts.adminB.username,
          oneTimePassword: accounts.adminB.otp,
          newPassword: 'lluvia suave sobre el tamanaco',
        });
        await open(b, '/approvals', '#approvals-pending li[data-approval-id]');
        await look(b, 'approvals');
        const item = b.locator('#approvals-pending li[data-approval-id]').first();
        await item.locator('input[name=reason]').fill('Verificado con la jefa de la oficina');
        await item.locator('button[value=approve]').click();
        await b.waitForSelector('#approvals-outcome.notice.ok');
        assert.match((await b.textContent('#approvals-outcome')) ?? '', words.approved);
        await look(b, 'approved');
        await open(a, '/staff', `#staff-list tr[data-username="${registrar.username}"]`);
        assert.match(
          (await a.textContent(`#staff-list tr[data-username="${registrar.username}"]`)) ?? '',
          words.role,
        );
      });

      it('the registrar signs in with TOTP and enrols a family of four in a household', async () => {
        registrarPage = await personPage();
        const r = registrarPage;
        await signInFirstTime(r, base, {
          username: registrar.username,
          oneTimePassword: registrar.otp,
          newPassword: 'cielo nublado sobre el ávila',
        });
        await look(r, 'registrar-home');
        const address = { 'address.regionCode': region, 'address.locality': 'Los Teques' };
        const enrol = async (person: Record<string, string>): Promise<string> => {
          await fill(r, '#enrol-form', person);
          await r.click('#enrol-form button[type=submit]');
          await r.waitForSelector('#enrolled-number');
          return ((await r.textContent('#enrolled-number')) ?? '').trim();
        };
        await open(r, '/enrol', '#enrol-form');
        await look(r, 'enrol');
        family.push(
          await enrol({
            givenNames: 'Yusmary Coromoto',
            surname1: 'Betancourt',
            surname2: 'Quintero',
            birthDate: '1988-04-21',
            sex: 'F',
            ...address,
            'address.line': 'Calle Real, casa 14',
            phone: '0412-555-1234',
          }),
        );
        await look(r, 'enrolled');
        await r.click('#enrolled-new-household');
        await r.waitForSelector('#household-form');
        await fill(r, '#household-form', { ...address, 'address.line': 'Calle Real, casa 14' });
        await r.click('#household-form button[type=submit]');
        await r.waitForSelector('#members li.member');
        householdId =
          decodeURIComponent(new URL(r.url()).hash.split('/')[2] ?? '').split('?')[0] ?? '';
        assert.ok(householdId, 'the household has its own page');

        await r.click('#enroll-for-household, #enrol-for-household');
        await r.waitForSelector('#enrol-form');
        family.push(
          await enrol({
            givenNames: 'Wilmer José',
            surname1: 'Rondón',
            surname2: 'Salazar',
            birthDate: '1985-11-02',
            sex: 'M',
            ...address,
          }),
        );
        await r.click('#enrolled-to-household');
        await r.waitForSelector('#member-form');
        await r.selectOption('#member-form [name=relationship]', 'spouse');
        await r.fill('#member-form [name=reason]', 'vive en el hogar');
        await r.click('#member-form button[type=submit]');
        await r.waitForFunction(() => document.querySelectorAll('#members li.member').length === 2);
        const children = [
          { givenNames: 'Santiago Andrés', birthDate: '2014-02-03', sex: 'M' },
          { givenNames: 'Valentina', birthDate: '2017', sex: 'F' },
        ];
        for (const [i, child] of children.entries()) {
          await fill(
            r,
            '#birth-form',
            { ...child, surname1: 'Rondón', surname2: 'Betancourt' },
            'child.',
          );
          await r.click('#birth-form button[type=submit]');
          await r.waitForFunction(
            (n) => document.querySelectorAll('#members li.member').length === n,
            3 + i,
          );
        }
        const members = (await r.textContent('#members')) ?? '';
        assert.match(members, /Valentina/);
        assert.match(members, /2017/);
        assert.match(members, words.spouse);
        await look(r, 'household');
        const stored = await app.db.kysely
          .selectFrom('persons')
          .select(['birth_date', 'birth_date_precision', 'household_id', 'phone'])
          .where('household_id', '=', householdId)
          .execute();
        assert.equal(stored.length, 4, 'four people live in the household');
        assert.ok(stored.some((p) => p.birth_date === '2017' && p.birth_date_precision === 'year'));
        assert.ok(
          stored.some((p) => p.phone === '+584125551234'),
          'the phone is stored in E.164',
        );
      });

      it('the registrar tries to enrol an obvious duplicate and sees the candidates before saving', async () => {
        const r = registrarPage;
        const existing = await app.db.kysely
          .selectFrom('persons')
          .selectAll()
          .where('status', '=', 'active')
          .where('region_code', '=', region)
          .where('birth_date_precision', '=', 'day')
          .where('surname1', 'is not', null)
          .orderBy('id')
          .executeTakeFirstOrThrow();
        const before = (await app.db.kysely.selectFrom('persons').select('id').execute()).length;
        await open(r, '/enrol', '#enrol-form');
        await fill(r, '#enrol-form', {
          givenNames: existing.given_names,
          surname1: existing.surname1 ?? '',
          ...(existing.surname2 ? { surname2: existing.surname2 } : {}),
          birthDate: existing.birth_date,
          ...(existing.sex ? { sex: existing.sex } : {}),
          'address.regionCode': existing.region_code,
        });
        await r.click('#check-duplicates');
        await r.waitForSelector('#candidate-list article.candidate');
        const candidate = r.locator('#candidate-list article.candidate').first();
        assert.match((await candidate.textContent()) ?? '', new RegExp(existing.registry_number));
        assert.ok(((await candidate.locator('.candidate-reason').textContent()) ?? '').length > 5);
        await look(r, 'duplicate-candidates');
        const after = (await app.db.kysely.selectFrom('persons').select('id').execute()).length;
        assert.equal(after, before, 'nothing was saved');
      });

      it('the registrar issues and prints a card, then replaces it as lost', async () => {
        const r = registrarPage;
        const mother = family[0]!;
        await open(r, '/search', '#search-form');
        await r.fill('#search-form [name=q]', mother);
        await r.selectOption('#search-form [name=purpose]', 'card_issuance');
        await r.click('#search-form button[type=submit]');
        await r.waitForSelector('#results a');
        await look(r, 'search');
        await r.click('#results a');
        await r.waitForSelector('#cards');
        await look(r, 'person');
        await r.click('#issue-card-form button[type=submit]');
        await r.waitForSelector('#cards tr[data-serial][data-status=active]');
        oldSerial =
          (await r.getAttribute('#cards tr[data-serial][data-status=active]', 'data-serial')) ?? '';
        assert.ok(oldSerial);
        await r.click(`#cards button.records-view[data-serial="${oldSerial}"]`);
        await r.waitForSelector('#card-png');
        await r.waitForFunction(
          () => (document.getElementById('card-png') as HTMLImageElement | null)?.complete === true,
        );
        await look(r, 'card');
        writeFileSync(oldCardPng, await cardPng(r, oldSerial));
        await fill(r, '#replace-form', { reason: 'lost' });
        const note = r.locator('#replace-form [name=note]');
        if (await note.count()) await note.fill('Perdida en el autobús');
        await r.click('#replace-form button[type=submit]');
        await r.waitForSelector(`#cards tr[data-serial="${oldSerial}"]:not([data-status=active])`);
        newSerial =
          (await r.getAttribute('#cards tr[data-serial][data-status=active]', 'data-serial')) ?? '';
        assert.ok(newSerial && newSerial !== oldSerial, 'a new card replaces the old one');
        await look(r, 'card-replaced');
        writeFileSync(newCardPng, await cardPng(r, newSerial));
      });

      /** The card's face as the console's print button fetches it, with its purpose declared. */
      async function cardPng(page: Page, serial: string): Promise<Buffer> {
        const response = await page.request.get(`${base}/api/v1/cards/${serial}/face.png`, {
          headers: { 'x-purpose': 'card_issuance' },
        });
        assert.equal(response.status(), 200, await response.text().catch(() => ''));
        return response.body();
      }

      it('the card check at /verify refuses the old card and accepts the new one', async () => {
        const v = await personPage();
        await v.goto(`${base}/verify`);
        await v.click('#refresh');
        await v.waitForFunction(
          (text) => document.getElementById('message')?.textContent === text,
          words.listsDownloaded,
        );
        await v.setInputFiles('#photo', oldCardPng);
        await v.click('#check');
        await v.waitForSelector('#verdict:not([hidden])');
        assert.notEqual(await v.textContent('#verdict-title'), words.valid);
        assert.match((await v.textContent('#verdict')) ?? '', words.revoked);
        await look(v, 'verify-old-card');
        await v.setInputFiles('#photo', newCardPng);
        await v.click('#check');
        await v.waitForFunction(
          (text) => document.getElementById('verdict-title')?.textContent === text,
          words.valid,
        );
        await look(v, 'verify-new-card');
      });

      it('the auditor finds the person by registry number and sees each of those reads', async () => {
        const mother = family[0]!;
        const a = await personPage();
        await signInFirstTime(a, base, {
          username: accounts.auditor.username,
          oneTimePassword: accounts.auditor.otp,
          newPassword: 'río claro bajo el puente',
        });
        // The registrar's reads of her record during the day, each with its purpose.
        const person = await app.db.kysely
          .selectFrom('persons')
          .select('id')
          .where('registry_number', '=', mother)
          .executeTakeFirstOrThrow();
        const reads = await app.db.kysely
          .selectFrom('audit_subjects')
          .innerJoin('audit_log', 'audit_log.id', 'audit_subjects.audit_id')
          .select(['audit_log.operation'])
          .where('audit_subjects.person_id', '=', person.id)
          .execute();
        await open(a, '/access-report', '#access-report-form');
        await a.fill('#access-report-form [name=registryNumber]', mother);
        const purpose = a.locator('#access-report-form [name=purpose]');
        if (await purpose.count()) await purpose.selectOption('grievance');
        await a.click('#access-report-form button[type=submit]');
        await a.waitForSelector('#access-report [data-operation]');
        const operations = await a.$$eval('#access-report [data-operation]', (rows) =>
          rows.map((row) => row.getAttribute('data-operation')),
        );
        for (const read of reads)
          assert.ok(operations.includes(read.operation), `${read.operation} shown`);
        assert.ok(
          operations.some((o) => o?.startsWith('card.')),
          'the card issuance is there',
        );
        assert.ok(operations.includes('person.read'), 'the record read is there');
        const text = (await a.textContent('#access-report')) ?? '';
        assert.ok(!text.includes('person.read'), 'operations in words, not codes');
        await look(a, 'access-report');
      });
    },
  );
}
