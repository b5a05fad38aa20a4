// The bulk print path draws faces as vectors and real text. Read back by programs Tessera did
// not write: Debian's poppler rasterises the PDF (pdftoppm) and extracts its text (pdftotext),
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
  (has('pdftoppm') && has('pdftotext') && has('pdffonts')
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
      assert.match(fonts, /DejaVuSans-Bold\S*\s+CID TrueType\s+Identity-H\s+yes/, fonts);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
