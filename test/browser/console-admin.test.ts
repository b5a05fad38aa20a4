// The administrator's screens in a real browser, end to end against the real API: one
// administrator creates a registrar account and asks for its role, a second administrator
// approves it in the approvals queue, the staff list then shows the role; one's own request
// cannot be decided (the server's refusal is said in words); a token is created and revoked;
// a key rotation is requested; an auditor sees the queue. axe-core on each screen;
// screenshots at a phone's and a laptop's size, in Spanish and in English.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { insertGrant, insertStaff } from '../../src/auth';
import { systemActor } from '../../src/shared/access';
import { wireDomains } from '../../src/app';
import { testApp } from '../support/app';
import { openBrowserSession, screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible, newPersonPage, signInFirstTime } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';

const phone = { width: 390, height: 844 };
const laptop = { width: 1366, height: 768 };

describe('administrator console in Chromium', { skip: skipWithoutChromium }, () => {
  let pageA: Page;
  let pageB: Page;
  let contexts: BrowserContext[] = [];
  let base = '';
  let app: ReturnType<typeof testApp>;
  let stop: () => Promise<void> = async () => {};
  const accounts: Record<'ana' | 'beto' | 'ines', { username: string; oneTimePassword: string }> = {
    ana: { username: 'admin.ana', oneTimePassword: '' },
    beto: { username: 'admin.beto', oneTimePassword: '' },
    ines: { username: 'auditora.ines', oneTimePassword: '' },
  };
  const displayNames = { ana: 'Ana Admin', beto: 'Beto Admin', ines: 'Inés Auditora' };

  before(async () => {
    const db = await createTestDatabase('sqlite');
    app = testApp(db.db);
    app.now = () => new Date();
    wireDomains(app);
    const caller = { actor: systemActor('browser-test') };
    await app.db.transaction(async (trx) => {
      for (const key of ['ana', 'beto', 'ines'] as const) {
        const made = await insertStaff(trx, app, caller, {
          username: accounts[key].username,
          displayName: displayNames[key],
        });
        await insertGrant(
          trx,
          app,
          caller,
          made.account.id,
          key === 'ines' ? 'auditor' : 'admin',
          '*',
        );
        accounts[key].oneTimePassword = made.oneTimePassword;
      }
    });
    const session = await openBrowserSession(app);
    base = session.base;
    const personA = await newPersonPage(session.page);
    const personB = await newPersonPage(session.page);
    pageA = personA.page;
    pageB = personB.page;
    contexts = [personA.context, personB.context];
    stop = async () => {
      for (const c of contexts) await c.close();
      await session.stop();
      await db.dispose();
    };
  });

  after(async () => {
    await stop();
  });

  async function open(page: Page, path: string, ready: string): Promise<void> {
    // Going to the address already shown would not load the screen again: reload it.
    const target = `${base}/#${path}`;
    if (page.url() === target) await page.reload();
    else await page.goto(target);
    await page.waitForSelector(ready);
  }

  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: `${screenshots}console-admin-${name}.png`, fullPage: true });
  }

  const newRegistrar = 'registradora.miranda';

  it('admin A creates a registrar account and asks to grant the registrar role in Miranda', async () => {
    await signInFirstTime(pageA, base, {
      ...accounts.ana,
      newPassword: 'montaña verde de la guaira',
    });
    assert.ok(await pageA.locator('nav.menu a[href="#/approvals"]').count(), 'approvals in menu');
    await open(pageA, '/staff', '#staff-list');
    assert.match((await pageA.textContent('#staff-list')) ?? '', /Administración \(Todo el país\)/);
    await assertAccessible(pageA, 'staff list');
    await pageA.fill('#staff-create-form input[name=displayName]', 'Registradora de Miranda');
    await pageA.fill('#staff-create-form input[name=username]', newRegistrar);
    await pageA.click('#staff-create-form button[type=submit]');
    await pageA.waitForSelector('#one-time-password');
    const otp = (await pageA.textContent('#one-time-password')) ?? '';
    assert.match(otp, /^[\w-]{20,}$/, 'a one-time password');
    await pageA.waitForSelector(`#staff-list tr[data-username="${newRegistrar}"]`);
    assert.match(
      (await pageA.textContent(`#staff-list tr[data-username="${newRegistrar}"]`)) ?? '',
      /Sin funciones/,
    );
    await shoot(pageA, 'staff-created-390');
    await pageA.click('#manage-new-account');
    await pageA.waitForSelector('#grant-form');
    await assertAccessible(pageA, 'staff account');
    // No region chosen: said at the regions, before anything is sent.
    await pageA.selectOption('#grant-form select[name=role]', 'registrar');
    await pageA.fill(
      '#grant-form input[name=reason]',
      'Nueva registradora de la oficina de Los Teques',
    );
    await pageA.click('#grant-form button[type=submit]');
    await pageA.waitForSelector('#grant-form fieldset.invalid .field-error');
    assert.match((await pageA.textContent('#grant-form')) ?? '', /al menos una región/);
    await pageA.check('#grant-form input[name=regions][value="VE-M"]');
    await pageA.click('#grant-form button[type=submit]');
    await pageA.waitForSelector('#grant-form .notice[data-approval-id]');
    const said = (await pageA.textContent('#grant-form .notice[data-approval-id]')) ?? '';
    assert.match(said, /Otro administrador debe aprobarla/);
    assert.equal(await pageA.locator('#grant-form .notice.error').count(), 0, 'no stale error');
    await shoot(pageA, 'grant-requested-390');
  });

  it('shows one’s own request as waiting for another person, and says the server’s refusal in words', async () => {
    await open(pageA, '/approvals', '#approvals-pending li[data-approval-id]');
    const item = pageA.locator('#approvals-pending li[data-approval-id]').first();
    assert.match(
      (await item.textContent()) ?? '',
      /Dar la función Registro en la región Miranda a registradora\.miranda \(Registradora de Miranda\)/,
    );
    assert.match((await item.textContent()) ?? '', /admin\.ana \(Ana Admin\)/);
    assert.match(
      (await item.textContent()) ?? '',
      /Nueva registradora de la oficina de Los Teques/,
    );
    assert.ok(await item.locator('.waiting-other').count(), 'waiting for another person');
    assert.equal(await item.locator('form').count(), 0, 'no decision form on one’s own request');
    await assertAccessible(pageA, 'approvals (own request)');
    await shoot(pageA, 'approvals-own-390');
    // A view that wrongly offered the decision still meets the server's refusal, in words.
    await pageA.route('**/api/v1/approvals', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { items: Array<{ mine: boolean }> };
      await route.fulfill({
        response,
        json: { items: body.items.map((i) => ({ ...i, mine: false })) },
      });
    });
    await pageA.reload();
    await pageA.waitForSelector('#approvals-pending form[id^=decision-form-]');
    await pageA.fill('#approvals-pending form input[name=reason]', 'La apruebo yo misma');
    await pageA.click('#approvals-pending form button[value=approve]');
    await pageA.waitForSelector('#approvals-pending form .notice.error');
    assert.match(
      (await pageA.textContent('#approvals-pending form .notice.error')) ?? '',
      /una persona distinta de quien la pidió/,
    );
    await pageA.unroute('**/api/v1/approvals');
  });

  it('admin B approves the grant in the queue, and the staff list then shows the role', async () => {
    await signInFirstTime(pageB, base, {
      ...accounts.beto,
      newPassword: 'lluvia suave sobre el tamanaco',
    });
    await open(pageB, '/approvals', '#approvals-pending li[data-approval-id]');
    const item = pageB.locator('#approvals-pending li[data-approval-id]').first();
    assert.match((await item.textContent()) ?? '', /Pedida por/);
    assert.equal(await item.locator('.waiting-other').count(), 0);
    await assertAccessible(pageB, 'approvals (someone else’s request)');
    await shoot(pageB, 'approvals-decide-390');
    // A decision needs a reason: the browser asks before sending.
    await item.locator('input[name=reason]').fill('Verificado con la jefa de la oficina');
    await item.locator('button[value=approve]').click();
    await pageB.waitForSelector('#approvals-outcome.notice.ok');
    assert.match(
      (await pageB.textContent('#approvals-outcome')) ?? '',
      /Aprobada y ejecutada: Dar la función Registro/,
    );
    await pageB.waitForSelector('#approvals-decided li[data-status=approved]');
    assert.match(
      (await pageB.textContent('#approvals-decided li[data-status=approved]')) ?? '',
      /admin\.beto \(Beto Admin\).*Verificado con la jefa/s,
    );
    await shoot(pageB, 'approvals-decided-390');
    await open(pageA, '/staff', `#staff-list tr[data-username="${newRegistrar}"]`);
    assert.match(
      (await pageA.textContent(`#staff-list tr[data-username="${newRegistrar}"]`)) ?? '',
      /Registro \(Miranda\)/,
    );
  });

  it('creates an API token narrowed to one permission and region, then revokes it with a reason', async () => {
    await open(pageA, '/tokens', '#token-create-form');
    // The form appears before the permissions' words arrive (they are fetched): wait for them.
    await pageA
      .waitForFunction(
        () =>
          /Ver las cuentas de personal/.test(
            document.querySelector('#token-create-form')?.textContent ?? '',
          ),
        undefined,
        { timeout: 10_000 },
      )
      .catch(() => {});
    assert.match(
      (await pageA.textContent('#token-create-form')) ?? '',
      /Ver las cuentas de personal/,
      'permissions in words',
    );
    await assertAccessible(pageA, 'tokens');
    await pageA.fill('#token-create-form input[name=name]', 'Tableta de Petare');
    await pageA.check('#token-create-form input[name=permissions][value="staff:read"]');
    await pageA.check('#token-create-form input[name=regions][value="VE-M"]');
    await pageA.fill('#token-create-form input[name=expiresInDays]', '30');
    await pageA.click('#token-create-form button[type=submit]');
    await pageA.waitForSelector('#token-secret');
    assert.ok(((await pageA.textContent('#token-secret')) ?? '').length > 20, 'the token, once');
    const row = pageA.locator('#token-list tr[data-name="Tableta de Petare"]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /Ver las cuentas de personal.*Miranda.*Vigente/s);
    await shoot(pageA, 'token-created-390');
    await row.locator('button.revoke-token').click();
    await pageA.fill('#token-revoke-form input[name=reason]', 'La tableta se perdió');
    await pageA.click('#token-revoke-form button[type=submit]');
    await pageA.waitForFunction(() =>
      /Revocada/.test(
        document.querySelector('#token-list tr[data-name="Tableta de Petare"] .token-status')
          ?.textContent ?? '',
      ),
    );
    await assertAccessible(pageA, 'tokens after revoking');
    await shoot(pageA, 'token-revoked-390');
    const audited = await app.db.kysely
      .selectFrom('audit_log')
      .select('details')
      .where('operation', '=', 'token.revoke')
      .execute();
    assert.match(JSON.stringify(audited), /La tableta se perdió/, 'the reason is audited');
  });

  it('asks to rotate the issuer key; an expired request is marked so in the queue', async () => {
    await open(pageA, '/keys', '#key-rotate-form');
    await assertAccessible(pageA, 'keys');
    await pageA.fill('#key-rotate-form input[name=reason]', 'Rotación anual de la clave');
    await pageA.click('#key-rotate-form button[type=submit]');
    await pageA.waitForSelector('#key-rotate-filed');
    assert.match((await pageA.textContent('#key-rotate-filed')) ?? '', /debe aprobarla/);
    await shoot(pageA, 'keys-390');
    await app.db.kysely
      .updateTable('approvals')
      .set({ expires_at: new Date(Date.now() - 60_000).toISOString() })
      .where('operation', '=', 'keys.rotate')
      .execute();
    await open(pageB, '/approvals', '#approvals-pending li[data-status=expired]');
    const expired = pageB.locator('#approvals-pending li[data-status=expired]');
    assert.match((await expired.textContent()) ?? '', /Rotar la clave emisora.*Caducada/s);
    assert.equal(await expired.locator('form').count(), 0, 'an expired request cannot be decided');
  });

  it('in English, at a laptop’s size', async () => {
    await pageB.setViewportSize(laptop);
    await pageB.selectOption('#language', 'en');
    for (const [path, ready, name] of [
      ['/staff', '#staff-list', 'staff'],
      ['/tokens', '#token-list', 'tokens'],
      ['/keys', '#key-rotate-form', 'keys'],
      ['/approvals', '#approvals-decided li', 'approvals'],
    ] as const) {
      await open(pageB, path, ready);
      assert.equal(await pageB.evaluate(() => document.documentElement.lang), 'en');
      await assertAccessible(pageB, `${name} in English`);
      await shoot(pageB, `${name}-1366-en`);
    }
    assert.match(
      (await pageB.textContent('#approvals-decided')) ?? '',
      /Grant role Registration in region Miranda to registradora\.miranda/,
    );
    await pageB.selectOption('#language', 'es');
    for (const [path, ready, name] of [
      ['/staff', '#staff-list', 'staff'],
      ['/approvals', '#approvals-decided li', 'approvals'],
    ] as const) {
      await open(pageB, path, ready);
      await shoot(pageB, `${name}-1366`);
    }
  });

  it('an auditor sees the queue and the staff list, but cannot create accounts', async () => {
    await pageB.setViewportSize(phone);
    await pageB.click('#sign-out');
    await pageB.waitForSelector('#sign-in-form');
    await signInFirstTime(pageB, base, {
      ...accounts.ines,
      newPassword: 'niebla clara en el páramo',
    });
    await open(pageB, '/approvals', '#approvals-decided li');
    await open(pageB, '/staff', '#staff-list');
    assert.equal(await pageB.locator('#staff-create-form').count(), 0);
    assert.equal(await pageB.locator('nav.menu a[href="#/tokens"]').count(), 0);
    await assertAccessible(pageB, 'staff list for an auditor');
  });
});
