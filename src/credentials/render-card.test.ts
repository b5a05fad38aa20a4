// Issue → render → decode with two QR readers Tessera did not write (jsQR, and Debian's
// zbarimg) → verify. Every change to what a card holds or shows is read back this way. And
// the QR sizes this format needs, measured for a typical card and for the longest names.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { decodeCard } from './decode-card';
import { encodeQr } from './encode-qr';
import { generateIssuerKey, importSigningKey } from './generate-issuer-key';
import { importPublicJwk } from './import-public-key';
import { issueCard } from './issue-card';
import { nameCharsMax } from '../shared/limits';
import {
  frontQrBox,
  frontTextRight,
  renderCardBackSvg,
  renderCardFrontSvg,
} from './render-card-svg';
import { renderCardPdf, renderCardSheetPdf } from './render-card-pdf';
import { renderCardPng } from './render-card-png';
import { scanWithJsQr, scanWithZbarimg, skipWithoutZbarimg } from './test-support';
import { verifyCard } from './verify-card';
import type { CardArtwork } from './render-card-svg';
import type { CardFace } from './types';

const pair = await generateIssuerKey();
const key = await importSigningKey(pair.privateJwk, pair.kid);
const verification = await importPublicJwk(pair.publicJwk);
const issuer = 'https://id.example.gob.ve';
const issuedAt = new Date('2025-03-01T00:00:00Z');
const expiresAt = new Date('2035-03-01T00:00:00Z');
const now = new Date('2026-01-01T00:00:00Z');
const typical: CardFace = {
  registryNumber: 'VE-0012-3456-7',
  givenNames: 'María José',
  surnames: 'Pérez Rodríguez',
  dateOfBirth: '1984-01-18',
  sex: 'female',
};

async function artwork(
  face: CardFace,
  options: { serial?: number; language?: 'es' | 'en'; includePhoto?: boolean } = {},
): Promise<CardArtwork> {
  const serial = options.serial ?? 123456;
  const includePhoto = options.includePhoto ?? false;
  const { qrText } = await issueCard({
    face,
    serial,
    issuer,
    key,
    issuedAt,
    expiresAt,
    includePhoto,
  });
  return {
    face: includePhoto ? face : { ...face, photo: undefined },
    qrText,
    serial,
    expiresAt,
    language: options.language ?? 'en',
    issuerName: 'the Registry',
    reportLost: 'at tessera.example/lost or 0800-TESSERA',
  };
}

// Reads the front's QR with both readers and verifies what they read.
async function scanAndVerify(card: CardArtwork, label = 'card'): Promise<Record<string, unknown>> {
  const png = renderCardPng(renderCardFrontSvg(card));
  const byJsQr = scanWithJsQr(png);
  assert.equal(byJsQr, card.qrText, `${label}: jsQR reads the QR`);
  if (!skipWithoutZbarimg) assert.equal(scanWithZbarimg(png), card.qrText, `${label}: zbarimg`);
  const verdict = await verifyCard(byJsQr ?? '', { keys: [verification], now });
  assert.equal(verdict.reason, 'VALID', `${label}: ${verdict.message}`);
  return verdict.claims ?? {};
}

// Varied letters, so that compression gains nothing a real long name would not give.
const varied = (alphabet: string, length = nameCharsMax): string =>
  Array.from({ length }, (_, i) => [...alphabet][(i * 7 + 3) % [...alphabet].length]).join('');
const reversed = (text: string): string => [...text].reverse().join('');
const longLatin = varied('abcdefghijklmnopqrstuvwxyzáéíóúñüABCDEFGHIJKLMNOPQRSTUVWXYZ');
const longDevanagari = varied('कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह');

void describe('card rendering', () => {
  void test('a card rendered to PNG at 300 dpi decodes with jsQR and zbarimg and verifies', async () => {
    const card = await artwork(typical);
    const png = renderCardPng(renderCardFrontSvg(card));
    assert.equal(PNG.sync.read(Buffer.from(png)).width, 1011);
    const claims = await scanAndVerify(card);
    assert.equal(claims.lastName, 'Pérez Rodríguez');
  });

  void test('the QR carries the full name beside the names, the date as YYYYMMDD and a URI issuer', async () => {
    const card = await artwork(typical);
    const claims = await scanAndVerify(card);
    assert.equal(claims.fullName, 'María José Pérez Rodríguez');
    assert.equal(claims.firstName, 'María José');
    assert.equal(claims.lastName, 'Pérez Rodríguez');
    assert.equal(claims.dateOfBirth, '19840118');
    assert.equal((await decodeCard(card.qrText)).cwt.issuer, issuer);
  });

  void test('a birth known by year or month is written YYYY0000 or YYYYMM00, and still scans', async () => {
    for (const [dateOfBirth, written] of [
      ['1950', '19500000'],
      ['1950-07', '19500700'],
    ] as const) {
      const card = await artwork({ ...typical, dateOfBirth });
      const claims = await scanAndVerify(card, dateOfBirth);
      assert.equal(claims.dateOfBirth, written);
      assert.ok(
        renderCardFrontSvg(card).includes(`>${dateOfBirth}<`),
        'the face shows it as known',
      );
    }
  });

  void test('the front and back are in English or Spanish, as the deployment says', async () => {
    const english = await artwork(typical, { language: 'en' });
    const front = renderCardFrontSvg(english);
    for (const text of [
      'Identity card',
      'Given names',
      'María José',
      'Pérez Rodríguez',
      'VE-0012-3456-7',
      '1984-01-18',
      '2035-03-01',
    ]) {
      assert.ok(front.includes(text), text);
    }
    const back = renderCardBackSvg(english);
    assert.match(back, /No benefit may be refused/);
    assert.match(back, /0800-TESSERA/);
    const { issuerName: _name, reportLost: _report, ...plain } = english;
    const spanish: CardArtwork = { ...plain, language: 'es' };
    const frontEs = renderCardFrontSvg(spanish);
    for (const text of [
      'Tarjeta de identidad',
      'Apellidos',
      'Nombres',
      'Fecha de nacimiento',
      'Vence',
    ]) {
      assert.ok(frontEs.includes(text), text);
    }
    assert.ok(!frontEs.includes('Given names'));
    const backEs = renderCardBackSvg(spanish);
    assert.match(backEs, /Ningún beneficio puede negarse/);
    assert.match(backEs, /en cualquier oficina de registro/);
    assert.match(backEs, /el registro Tessera/);
    await scanAndVerify(spanish, 'Spanish front');
    assert.match(
      renderCardFrontSvg({ ...english, face: { ...typical, surnames: '<script>&' } }),
      /&#60;script&#62;&#38;/,
    );
  });

  void test('a long given name never runs into the QR code', async () => {
    const longest: [string, CardFace][] = [
      ['64 W', { ...typical, givenNames: 'W'.repeat(nameCharsMax) }],
      ['64 Ж', { ...typical, givenNames: 'Ж'.repeat(nameCharsMax) }],
      [
        'words',
        { ...typical, givenNames: 'Wilhelmina Maximiliana de la Santísima Trinidad Mmmmmm' },
      ],
      ['Latin', { ...typical, givenNames: longLatin, surnames: reversed(longLatin) }],
    ];
    for (const [label, face] of longest) {
      for (const withPhoto of [false, true]) {
        const card = await artwork(withPhoto ? { ...face, photo } : face, {
          includePhoto: withPhoto,
        });
        const png = renderCardPng(renderCardFrontSvg(card));
        const image = PNG.sync.read(Buffer.from(png));
        const scale = image.width / 856;
        const quietZone = (4 * frontQrBox.size) / (encodeQr(card.qrText).size + 8);
        // From the text box's edge to where the QR's first module may be: all white.
        const [x0, x1] = [frontTextRight + 1, frontQrBox.x + quietZone - 1].map((u) =>
          Math.round(u * scale),
        );
        for (let y = Math.round(75 * scale); y < Math.round(525 * scale); y++) {
          for (let x = x0 as number; x <= (x1 as number); x++) {
            const at = (y * image.width + x) * 4;
            assert.ok(
              (image.data[at] as number) > 200,
              `${label}${withPhoto ? ' with photo' : ''}: ink at (${x}, ${y}) between the name and the QR`,
            );
          }
        }
        await scanAndVerify(card, label);
      }
    }
  });

  void test('with the photo on, the face goes in key 62 (not 16/17) and is printed on the front', async () => {
    const card = await artwork({ ...typical, photo }, { includePhoto: true });
    const claims = await scanAndVerify(card, 'photo');
    assert.deepEqual(claims.face, [
      { data: Buffer.from(photo.bytes).toString('base64'), format: 0, subFormat: 0 },
    ]);
    assert.equal(claims.photo, undefined);
    assert.equal(claims.photoFormat, undefined);
    const front = renderCardFrontSvg(card);
    assert.ok(
      front.includes(`href="data:image/png;base64,${Buffer.from(photo.bytes).toString('base64')}"`),
    );
    // The photo's pixels are on the printed face: its centre is the photo's colour, not paper.
    const image = PNG.sync.read(Buffer.from(renderCardPng(front)));
    const scale = image.width / 856;
    const at = (Math.round(177 * scale) * image.width + Math.round(102 * scale)) * 4;
    assert.ok(
      (image.data[at + 2] as number) > 120 && (image.data[at] as number) < 200,
      'photo printed',
    );
    // Off (the default), neither the QR nor the face carries it.
    const off = await artwork({ ...typical, photo });
    assert.equal((await scanAndVerify(off, 'photo off')).face, undefined);
    assert.ok(!renderCardFrontSvg(off).includes('<image'));
  });

  void test('the single-card PDF is ID-1 size; the A4 sheet holds eight cards and their backs', async () => {
    const card = await artwork(typical);
    const single = await PDFDocument.load(await renderCardPdf(card));
    const { width, height } = single.getPage(0).getSize();
    assert.equal(single.getPageCount(), 2);
    assert.equal(Math.round((width / 72) * 25.4 * 10), 856);
    assert.equal(Math.round((height / 72) * 25.4 * 10), 540);
    const sheet = await PDFDocument.load(
      await renderCardSheetPdf(Array(9).fill(card), { includeBacks: true }),
    );
    assert.equal(sheet.getPageCount(), 4);
    assert.equal(Math.round((sheet.getPage(0).getSize().width / 72) * 25.4), 210);
  });

  void test('QR versions at error correction M with a URI issuer: a typical card fits version 11', async () => {
    const cases: [string, CardFace][] = [
      ['typical', typical],
      [
        'longest names, Latin',
        { ...typical, givenNames: longLatin, surnames: reversed(longLatin) },
      ],
      [
        'longest names, Devanagari (3 bytes a letter)',
        { ...typical, givenNames: longDevanagari, surnames: reversed(longDevanagari) },
      ],
    ];
    for (const [label, face] of cases) {
      const card = await artwork(face, { serial: 12_345_678 });
      const qr = encodeQr(card.qrText, 'M');
      console.log(
        `QR at level M, ${label}, issuer ${issuer}: ${card.qrText.length} characters, version ${qr.version}`,
      );
      if (label === 'typical')
        assert.ok(qr.version <= 11, `typical card needs version ${qr.version}`);
      await scanAndVerify(card, label);
    }
  });
});

// A 24 × 32 PNG portrait (a colour gradient), as small as a card photo should be.
const photo = ((): { bytes: Uint8Array; format: 'png' } => {
  const png = new PNG({ width: 24, height: 32 });
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 24; x++) {
      const i = (y * 24 + x) * 4;
      png.data[i] = 40 + x * 4;
      png.data[i + 1] = 90 + y * 3;
      png.data[i + 2] = 170;
      png.data[i + 3] = 255;
    }
  }
  return { bytes: new Uint8Array(PNG.sync.write(png)), format: 'png' };
})();
