// What the point-of-service browser tests share: a point ready to hand over, made through the
// domains' own operations (two people in its region — one with a printed card, one without
// but with a phone — a food box and a fuel quota with a co-payment, each with an approved cycle
// open today, an operator assigned to the point signing in for the first time, and a device
// registered and waiting for its code); a Y4M video of the card for Chromium's fake camera;
// a Chromium of its own with that camera; and the operator's enrolment of the device on /pos.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { insertGrant, insertStaff, totpCode } from '../../src/auth';
import { configureCredentials, issuePersonCard, renderStoredCard } from '../../src/credentials';
import { createPoint, registerDevice, setPointOperator } from '../../src/distribution';
import {
  approveCycle,
  createCycle,
  createProgramme,
  entitlementId,
  freezeCycle,
  generateEntitlements,
  type ProgrammeInput,
} from '../../src/programs';
import { enrolPerson } from '../../src/registry';
import { systemActor } from '../../src/shared/access';
import type { Caller } from '../../src/shared/context';
import { distinctPerson, staff } from './app';
import { screenshots } from './browser';
import type { TestServer } from './http';

const chromiumPath = '/usr/bin/chromium';
const system: Caller = { actor: systemActor('pos-browser-test') };

/**
 * A Y4M video (YUV 4:2:0, full-range BT.601, as C420jpeg says) of a PNG on a white
 * background with a margin, for Chromium's fake camera. Every frame is the same picture.
 */
export function y4mOfPng(png: Buffer, frames = 2): Buffer {
  const card = PNG.sync.read(png);
  const margin = 96;
  const width = (card.width + 2 * margin + 1) & ~1;
  const height = (card.height + 2 * margin + 1) & ~1;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  for (let y = 0; y < card.height; y++)
    for (let x = 0; x < card.width; x++) {
      const from = (y * card.width + x) * 4;
      const to = ((y + margin) * width + (x + margin)) * 3;
      const alpha = card.data[from + 3]! / 255;
      for (let c = 0; c < 3; c++)
        rgb[to + c] = Math.round(card.data[from + c]! * alpha + 255 * (1 - alpha));
    }
  const yPlane = Buffer.alloc(width * height);
  const uPlane = Buffer.alloc((width / 2) * (height / 2));
  const vPlane = Buffer.alloc((width / 2) * (height / 2));
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      yPlane[y * width + x] = clamp(0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!);
    }
  for (let y = 0; y < height; y += 2)
    for (let x = 0; x < width; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((y + dy) * width + (x + dx)) * 3;
        r += rgb[i]! / 4;
        g += rgb[i + 1]! / 4;
        b += rgb[i + 2]! / 4;
      }
      const at = (y / 2) * (width / 2) + x / 2;
      uPlane[at] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      vPlane[at] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  const frame = Buffer.concat([Buffer.from('FRAME\n'), yPlane, uPlane, vPlane]);
  return Buffer.concat([
    Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`),
    ...Array.from({ length: frames }, () => frame),
  ]);
}

function programme(code: string, overrides: Partial<ProgrammeInput>): ProgrammeInput {
  return {
    code,
    kind: 'basket',
    target: 'person',
    schedule: 'monthly',
    name: { es: 'Caja de alimentos', en: 'Food box' },
    rule: 'age >= 0',
    benefit: {
      kind: 'basket',
      items: [{ code: 'box', name: { es: 'Caja CLAP', en: 'Food box' }, quantity: 1, unit: 'box' }],
    },
    coPayment: 0n,
    currency: 'VES',
    serviceAreas: [{ regionCode: 'VE-A' }],
    retentionDays: 30,
    stagger: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ...overrides,
  } as ProgrammeInput;
}

/** A person of the fixture. */
export interface PosPerson {
  id: string;
  registryNumber: string;
  birthDate: string;
}

/** What `posFixture` made. */
export interface PosFixture {
  pointId: string;
  /** A has a printed card; B has none, and a phone on record. */
  a: PosPerson;
  b: PosPerson;
  food(p: PosPerson): string;
  fuel(p: PosPerson): string;
  operator: { staffId: string; username: string; oneTimePassword: string; newPassword: string };
  enrolmentCode: string;
  /** The printed card's PNG (in test-output/) and the fake camera's video of it. */
  cardPng: string;
  video: string;
  /** Removes the video's folder. */
  cleanUp(): void;
}

/** Makes the point, its people, programmes, operator and registered device; renders the card. */
export async function posFixture(t: TestServer, name: string): Promise<PosFixture> {
  mkdirSync(screenshots, { recursive: true });
  // The browser's clock is real (TOTP, card validity, the pack's expiry): so is the server's.
  t.app.now = () => new Date();
  configureCredentials(t.app, {
    keyEncryptionKey: randomBytes(32),
    issuer: 'https://tessera.test',
  });
  const today = new Date().toISOString().slice(0, 10);
  const people: PosPerson[] = [];
  for (const [given, phone] of [
    ['Yusmary', '+584125550101'],
    ['Eleazar', '+584145554567'],
  ] as const) {
    const p = { ...distinctPerson(given), phone };
    const made = await enrolPerson(t.app, system, p);
    people.push({ id: made.id, registryNumber: made.registryNumber, birthDate: p.birthDate });
  }
  const [a, b] = people as [PosPerson, PosPerson];
  const registrar = staff('registrar', '*', 'card_issuance');
  const card = await issuePersonCard(t.app, registrar, a.id);
  const png = await renderStoredCard(t.app, registrar, card.serial, { format: 'png' });
  const cardPng = `${screenshots}${name}-card.png`;
  writeFileSync(cardPng, png.body);
  // The fake camera's video: a throwaway file, not something for people to look at.
  const videoDir = mkdtempSync(join(tmpdir(), 'tessera-pos-camera-'));
  const video = join(videoDir, 'card.y4m');
  writeFileSync(video, y4mOfPng(Buffer.from(png.body)));

  const admin: Caller = { actor: { ...systemActor('pos-admin'), kind: 'system' } };
  const approver: Caller = { actor: systemActor('pos-approver') };
  const food = await createProgramme(t.app, admin, programme(`food_${name}`, {}));
  const fuel = await createProgramme(
    t.app,
    admin,
    programme(`fuel_${name}`, {
      kind: 'quota',
      name: { es: 'Combustible', en: 'Fuel' },
      benefit: {
        kind: 'quota',
        item: {
          code: 'gasoline',
          name: { es: 'Gasolina', en: 'Gasoline' },
          quantity: 40,
          unit: 'l',
        },
      },
      coPayment: 50n,
    }),
  );
  const month = today.slice(0, 7);
  const [y, m] = month.split('-').map(Number);
  const lastDay = new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10);
  const cycles: string[] = [];
  for (const p of [food, fuel]) {
    const c = await createCycle(t.app, admin, {
      programmeId: p.id,
      label: month,
      opensOn: `${month}-01`,
      closesOn: lastDay,
    });
    await freezeCycle(t.app, admin, c.id);
    await generateEntitlements(t.app, admin, c.id);
    await approveCycle(t.app, approver, c.id);
    cycles.push(c.id);
  }
  const point = await createPoint(t.app, system, {
    code: 'DEP-CAND',
    name: 'Depósito La Candelaria',
    kind: 'food_depot',
    regionCode: 'VE-A',
    programmeIds: [food.id, fuel.id],
  });
  const username = `operadora.${name}`;
  const made = await t.app.db.transaction(async (trx) => {
    const s = await insertStaff(trx, t.app, system, {
      username,
      displayName: 'Operadora del depósito',
    });
    await insertGrant(trx, t.app, system, s.account.id, 'operator', ['VE-A']);
    return s;
  });
  await setPointOperator(t.app, system, point.id, made.account.id, true);
  const device = await registerDevice(t.app, system, {
    pointId: point.id,
    name: 'Teléfono del mostrador',
    offlineDailyCap: 300,
  });
  return {
    pointId: point.id,
    a,
    b,
    food: (p) => entitlementId(cycles[0]!, p.id),
    fuel: (p) => entitlementId(cycles[1]!, p.id),
    operator: {
      staffId: made.account.id,
      username,
      oneTimePassword: made.oneTimePassword,
      newPassword: 'mostrador de la candelaria',
    },
    enrolmentCode: device.enrolmentCode,
    cardPng,
    video,
    cleanUp: () => rmSync(videoDir, { recursive: true, force: true }),
  };
}

/** A Chromium of its own whose camera shows `video`, and a 360 × 640 phone page on `base`. */
export async function phoneWithCamera(
  base: string,
  video: string,
): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  const context = await browser.newContext({
    viewport: { width: 360, height: 640 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  await context.grantPermissions(['camera'], { origin: base });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  return { browser, context, page };
}

/**
 * On /pos with no device yet: the operator's first sign-in there (the console's own: TOTP
 * enrolment, recovery codes, a new password), ending on the device's enrolment form.
 */
export async function signInOnPos(page: Page, f: PosFixture): Promise<void> {
  await page.waitForSelector('#enrol #sign-in-form');
  await page.fill('#sign-in-form input[name=username]', f.operator.username);
  await page.fill('#sign-in-form input[name=password]', f.operator.oneTimePassword);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#enrol-secret');
  const secret = ((await page.textContent('#enrol-secret')) ?? '').trim();
  await page.fill('#enrol-form input[name=code]', totpCode(secret, Date.now()));
  await page.click('#enrol-form button[type=submit]');
  await page.click('#recovery-done');
  await page.fill('#password-form input[name=currentPassword]', f.operator.oneTimePassword);
  await page.fill('#password-form input[name=newPassword]', f.operator.newPassword);
  await page.fill('#password-form input[name=repeatPassword]', f.operator.newPassword);
  await page.click('#password-form button[type=submit]');
  await page.waitForSelector('#enrol-device-form');
}

/** Types the enrolment code; ends on the home screen. */
export async function enrolOnPos(page: Page, f: PosFixture): Promise<void> {
  await page.fill('#enrol-device-form input[name=code]', f.enrolmentCode.toLowerCase());
  await page.click('#enrol-device-form button[type=submit]');
  await page.waitForSelector('#home');
}
