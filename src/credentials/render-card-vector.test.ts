// The bulk print path draws faces as vectors and real text, written directly as PDF
// (render-card-sheet.ts). Read back by programs Tessera did not write: Debian's poppler
// rasterises the PDF (pdftoppm), extracts its text (pdftotext) and lists its fonts (pdffonts),
// and zbarimg reads every QR on the page, each of which must verify. A face the vector path
// cannot draw (a name in a script DejaVu Sans lacks) falls back to the raster and still scans.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateIssuerKey, importSigningKey } from './generate-issuer-key';
import { importPublicJwk } from './import-public-key';
import { issueCard } from './issue-card';
import { renderCardSheetPdf } from './render-card-pdf';
import { pt, sheetSlot } from './render-card-sheet';
import { cardWidthMm } from './render-card-svg';
import type { CardArtwork } from './render-card-svg';
import { skipWithoutZbarimg } from './test-support';
import { verifyCard } from './verify-card';

function has(command: string): boolean {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

const skip =
  skipWithoutZbarimg ||
  (has('pdftoppm') && has('pdftotext') && has('pdffonts') && has('pdfinfo')
    ? false
    : 'poppler-utils is not installed (apt-get install poppler-utils; .ci/run installs it)');

void test(
  'a vector print sheet rasterises with poppler, scans with zbarimg and verifies',
  { skip },
  async () => {
    const pair = await generateIssuerKey();
    const key = await importSigningKey(pair.privateJwk, pair.kid);
    const verification = await importPublicJwk(pair.publicJwk);
    const issuedAt = new Date('2026-01-01T00:00:00Z');
    const expiresAt = new Date('2031-01-01T00:00:00Z');
    const names = ['Ñandú Ágata', 'José Ángel', '李明'];
    const cards: CardArtwork[] = [];
    for (const [i, givenNames] of names.entries()) {
      const face = {
        registryNumber: `1234-5678-901${i}`,
        givenNames,
        surnames: 'Pérez Rodríguez',
        dateOfBirth: '1984-01-18',
      };
      const { qrText } = await issueCard({
        face,
        serial: 100 + i,
        issuer: 'https://id.example.gob.ve',
        key,
        issuedAt,
        expiresAt,
      });
      cards.push({ face, qrText, serial: 100 + i, expiresAt });
    }
    const dir = mkdtempSync(join(tmpdir(), 'tessera-vector-'));
    try {
      const pdf = join(dir, 'sheet.pdf');
      writeFileSync(pdf, await renderCardSheetPdf(cards, { includeBacks: true, vector: true }));
      execFileSync('pdftoppm', ['-r', '200', '-png', '-f', '1', '-l', '1', pdf, join(dir, 'page')]);
      const png = join(dir, 'page-1.png');
      const read = execFileSync(
        'zbarimg',
        ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', png],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      )
        .split('\n')
        .filter((line) => line !== '');
      assert.deepEqual(read.sort(), cards.map((c) => c.qrText).sort(), 'every QR on the page');
      for (const text of read) {
        const verdict = await verifyCard(text, { keys: [verification], now: issuedAt });
        assert.equal(verdict.reason, 'VALID');
      }
      // The vector faces carry their words as text; the raster fallback does not.
      const words = execFileSync('pdftotext', [pdf, '-'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      for (const expected of [
        'Ñandú Ágata',
        'José Ángel',
        'Pérez Rodríguez',
        'Tarjeta de identidad',
      ]) {
        assert.ok(words.includes(expected), `${expected} in the PDF's text`);
      }
      assert.ok(!words.includes('李明'), 'the face DejaVu Sans cannot draw is a raster');
      const fonts = execFileSync('pdffonts', [pdf], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      // Both faces embedded as subsets (a tag before the name, "sub" yes), with ToUnicode.
      assert.match(fonts, /[A-Z]{6}\+DejaVuSans-Bold\s+CID TrueType\s+Identity-H\s+yes yes yes/);
      assert.match(fonts, /[A-Z]{6}\+DejaVuSans\s+CID TrueType\s+Identity-H\s+yes yes yes/);
      // The backs, on the page after their fronts, in the card language.
      const pages = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
      assert.match(pages, /Pages:\s+2\n/);
      const back = execFileSync('pdftotext', ['-f', '2', '-l', '2', pdf, '-'], {
        encoding: 'utf8',
      });
      for (const expected of ['Sobre esta tarjeta', '¿Perdida o robada?', 'tarjeta n.º', '101.']) {
        assert.ok(back.includes(expected), `${expected} on the backs`);
      }
      assert.ok(!words.slice(0, words.indexOf('Sobre esta')).includes('¿Perdida'), 'fronts first');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

void test(
  'an English sheet prints every word in English, and a name too long is squeezed to its box',
  { skip },
  async () => {
    const pair = await generateIssuerKey();
    const key = await importSigningKey(pair.privateJwk, pair.kid);
    const verification = await importPublicJwk(pair.publicJwk);
    const issuedAt = new Date('2026-01-01T00:00:00Z');
    const expiresAt = new Date('2031-01-01T00:00:00Z');
    const face = {
      registryNumber: '1234-5678-9012',
      // Past every name limit: the second line is squeezed to its box (SVG textLength).
      givenNames: 'WWWWWWWWWWWWWWW MMMMMMMMMMMMMMM WWWWWWWWWWWWWW MMMMM Wilhelmina',
      surnames: 'Smith',
      dateOfBirth: '1984-01-18',
      sex: 'male' as const,
    };
    const { qrText } = await issueCard({
      face,
      serial: 7,
      issuer: 'https://x.example',
      key,
      issuedAt,
      expiresAt,
    });
    const card: CardArtwork = {
      face,
      qrText,
      serial: 7,
      expiresAt,
      language: 'en',
      issuerName: 'the Registry & Co',
    };
    const dir = mkdtempSync(join(tmpdir(), 'tessera-vector-'));
    try {
      const pdf = join(dir, 'sheet.pdf');
      writeFileSync(pdf, await renderCardSheetPdf([card], { includeBacks: true, vector: true }));
      const words = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
      for (const expected of [
        'Identity card',
        'Surnames',
        'Given names',
        'Registry number',
        'Date of birth',
        'Expires',
        'Card no.',
        'About this card',
        'the Registry & Co',
        'Lost or stolen?',
        'quoting card no. 7.',
      ]) {
        assert.ok(words.includes(expected), `${expected} in the PDF's text`);
      }
      for (const spanish of ['Tarjeta', 'Apellidos', 'Sobre esta'])
        assert.ok(!words.includes(spanish));
      // The squeezed name ends inside its box, before the QR: its words are all there, and the
      // QR beside it still scans and verifies.
      const bbox = execFileSync('pdftotext', ['-bbox', '-f', '1', '-l', '1', pdf, '-'], {
        encoding: 'utf8',
      });
      const wilhelmina = /<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>Wilhelmina</.exec(
        bbox,
      );
      assert.ok(wilhelmina, bbox.slice(0, 400));
      const qrLeftPt = (pt(cardWidthMm) * 502) / 856; // frontQrBox.x, in points from the card's left
      assert.ok(
        Number(wilhelmina[1]) < sheetSlot(0, false).x + qrLeftPt,
        'the name stops before the QR',
      );
      execFileSync('pdftoppm', ['-r', '200', '-png', '-f', '1', '-l', '1', pdf, join(dir, 'page')]);
      const read = execFileSync(
        'zbarimg',
        ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', join(dir, 'page-1.png')],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      ).trim();
      assert.equal(read, qrText);
      assert.equal(
        (await verifyCard(read, { keys: [verification], now: issuedAt })).reason,
        'VALID',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
