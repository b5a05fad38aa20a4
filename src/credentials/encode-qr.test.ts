// The card QR encoder against the qrcode package it replaces on the print path: for texts of
// every length band, at every level, both must choose the same version and mask and draw the
// same modules — and a symbol must still scan (render-card.test.ts reads cards with zbarimg).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeQr, encodeQrReference } from './encode-qr';
import type { QrErrorCorrection } from './encode-qr';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

// A small deterministic generator, so that a failure names a text that can be rerun.
function texts(seed: number, count: number, maxLength: number): string[] {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 8;
  };
  return Array.from({ length: count }, () => {
    const length = 1 + (next() % maxLength);
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[next() % alphabet.length];
    return text;
  });
}

void test('alphanumeric symbols match the qrcode package module for module', () => {
  const levels: QrErrorCorrection[] = ['L', 'M', 'Q', 'H'];
  const versions = new Set<number>();
  let compared = 0;
  for (const level of levels) {
    for (const text of [...texts(7, 150, 700), ...texts(11, 20, 4296)]) {
      let reference;
      try {
        reference = encodeQrReference(text, level);
      } catch {
        assert.throws(() => encodeQr(text, level), `${text.length} characters at ${level}`);
        continue;
      }
      const ours = encodeQr(text, level);
      const where = `${text.length} characters at ${level}: ${text.slice(0, 40)}`;
      assert.equal(ours.version, reference.version, where);
      assert.equal(ours.mask, reference.mask, where);
      assert.deepEqual(ours.modules, reference.modules, where);
      versions.add(ours.version);
      compared++;
    }
  }
  assert.ok(compared > 500, `${compared} symbols compared`);
  // Both the packed (sides ≤ 64) and the byte-wise mask scoring were exercised.
  assert.ok([...versions].some((v) => v <= 11) && [...versions].some((v) => v > 11));
});

void test('a card QR text (Base45 of a signed card) is encoded the same way', () => {
  const card = `HC1:${'6BF+70790T9WJWG.FKY*4GO0.O1CV2 O5 N2FBBRW1*70HS8WY04AC*WIFN0AHCD8KD97TK0F90KECTHGWJC0FDC:5AIA%G7X+AQB9746HS80:54IBQF60R6$A80X6S1BTYACG6M+9XG8KIAWNA91AY%67092L4WJCT3EHS8XJC$+DXJCCWENF6OF63W5NW6WF6%JC QE/IAYJC5LEW34U3ET7DXC9 QE-ED8%E.JCBECB1A-:8$96646AL60A60S6Q$D.UDRYA 96NF6L/5QW6307KQEPD09WEQDD+Q6TW6FA7C466KCN9E%961A6DL6FA7D46JPCT3E5JDLA7$Q6E464W5TG6..DX%DZJC6/DTZ9 QE5$CB$DA/D JC1/D3Z8WED1ECW.CCWE.Y92OAGY8MY9L+9MPCG/D5 C5IA5N9$PC5$CUZCY$5Y$527B+A4KZNQG5TKOWWD9FL%I8U$F7O2IBM85CWOC%LEZU4R/BXHDAHN 11$CA5MRI:AONFN7091K9FKIGIY%VWSSSU9%01FO2*FTPQ3C3F'}`;
  const ours = encodeQr(card);
  const reference = encodeQrReference(card);
  assert.equal(ours.version, reference.version);
  assert.deepEqual(ours.modules, reference.modules);
  assert.equal(ours.isDark(0, 0), true, 'the finder pattern’s corner');
});

void test('text outside the alphanumeric alphabet is still encoded (byte mode)', () => {
  const symbol = encodeQr('https://example.org/a?b=c');
  assert.ok(symbol.version >= 2);
  assert.equal(symbol.modules.length, symbol.size * symbol.size);
});
