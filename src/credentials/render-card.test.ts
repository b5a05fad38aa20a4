// Issue → render → decode with an independent QR reader (jsQR) → verify. And the QR sizes
// this format needs, measured for a typical card and for the longest names allowed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import jsQR from 'jsqr';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { encodeQr } from './encode-qr';
import { generateIssuerKey, importSigningKey } from './generate-issuer-key';
import { importPublicJwk } from './import-public-key';
import { issueCard } from './issue-card';
import { nameCharsMax } from '../shared/limits';
import { renderCardBackSvg, renderCardFrontSvg } from './render-card-svg';
import { renderCardPdf, renderCardSheetPdf } from './render-card-pdf';
import { renderCardPng } from './render-card-png';
import { verifyCard } from './verify-card';
import type { CardArtwork } from './render-card-svg';
import type { CardFace } from './types';

const pair = await generateIssuerKey();
const key = await importSigningKey(pair.privateJwk, pair.kid);
const verification = await importPublicJwk(pair.publicJwk);
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

async function artwork(face: CardFace, serial = 123456): Promise<CardArtwork> {
  const { qrText } = await issueCard({ face, serial, issuer: 'VE', key, issuedAt, expiresAt });
  return {
    face,
    qrText,
    serial,
    expiresAt,
    title: 'Tessera identity card',
    issuerName: 'the Registry',
    reportLost: 'at tessera.example/lost or 0800-TESSERA',
  };
}

function readQr(png: Uint8Array): string | undefined {
  const image = PNG.sync.read(Buffer.from(png));
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

void describe('card rendering', () => {
  void test('a card rendered to PNG at 300 dpi decodes with jsQR and verifies as valid', async () => {
    const card = await artwork(typical);
    const png = renderCardPng(renderCardFrontSvg(card));
    const image = PNG.sync.read(Buffer.from(png));
    assert.equal(image.width, 1011);
    const scanned = readQr(png);
    assert.equal(scanned, card.qrText);
    const verdict = await verifyCard(scanned ?? '', { keys: [verification], now });
    assert.equal(verdict.reason, 'VALID');
    assert.equal(verdict.claims?.lastName, 'Pérez Rodríguez');
  });

  void test('the front shows the face fields; the back explains the card and how to report it lost', async () => {
    const card = await artwork(typical);
    const front = renderCardFrontSvg(card);
    for (const text of [
      'María José',
      'Pérez Rodríguez',
      'VE-0012-3456-7',
      '1984-01-18',
      '2035-03-01',
    ]) {
      assert.ok(front.includes(text), text);
    }
    const back = renderCardBackSvg(card);
    assert.match(back, /No benefit may be refused/);
    assert.match(back, /0800-TESSERA/);
    assert.match(
      renderCardFrontSvg({ ...card, face: { ...typical, surnames: '<script>&' } }),
      /&#60;script&#62;&#38;/,
    );
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

  void test('QR versions at error correction M: a typical card fits version 10 or better', async () => {
    // Varied letters, so that compression gains nothing a real long name would not give.
    const varied = (alphabet: string): string =>
      Array.from(
        { length: nameCharsMax },
        (_, i) => [...alphabet][(i * 7 + 3) % [...alphabet].length],
      ).join('');
    const longLatin = varied('abcdefghijklmnopqrstuvwxyzáéíóúñüABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const longDevanagari = varied('कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह');
    const reversed = (text: string): string => [...text].reverse().join('');
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
      const { qrText } = await issueCard({
        face,
        serial: 12_345_678,
        issuer: 'VE',
        key,
        issuedAt,
        expiresAt,
      });
      const qr = encodeQr(qrText, 'M');
      console.log(`QR at level M, ${label}: ${qrText.length} characters, version ${qr.version}`);
      if (label === 'typical')
        assert.ok(qr.version <= 10, `typical card needs version ${qr.version}`);
      const card = { ...(await artwork(face, 12_345_678)) };
      assert.equal(readQr(renderCardPng(renderCardFrontSvg(card))), card.qrText, `${label} scans`);
    }
  });
});
