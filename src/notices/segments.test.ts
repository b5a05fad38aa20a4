// Segment counting, as a phone receives a text: GSM 03.38 (160 septets, 153 per part, the
// extension table at two septets and never split) or UCS-2 (70 units, 67 per part, surrogate
// pairs kept whole), and the cost of a send in integer minor units.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countSegments, encodeGsm7, gsmSeptets, sendCost } from './segments';
import { noticeTemplates } from './templates';

describe('SMS segments', () => {
  it('knows the real GSM 03.38 table: ñ and é are in it, á is not', () => {
    assert.equal(gsmSeptets('ñ'), 1);
    assert.equal(gsmSeptets('Ñ'), 1);
    assert.equal(gsmSeptets('é'), 1);
    assert.equal(gsmSeptets('ü'), 1);
    assert.equal(gsmSeptets('¿'), 1);
    assert.equal(gsmSeptets('¡'), 1);
    assert.equal(gsmSeptets('á'), undefined);
    assert.equal(gsmSeptets('í'), undefined);
    assert.equal(gsmSeptets('ó'), undefined);
    assert.equal(gsmSeptets('ú'), undefined);
    for (const c of '€[]{}^~\\|') assert.equal(gsmSeptets(c), 2, c);
    assert.equal(gsmSeptets('😀'), undefined);
  });

  it('counts a short GSM-7 text with ñ as one message', () => {
    const s = countSegments('Señor Muñoz: su código es 123456');
    // "ó" is not GSM: this one is UCS-2; without it, GSM-7.
    assert.equal(s.encoding, 'ucs2');
    assert.deepEqual(s.nonGsm, ['ó']);
    const g = countSegments('Señor Muñoz: su codigo es 123456. ¿Preguntas? él responde');
    assert.equal(g.encoding, 'gsm7');
    assert.equal(g.parts, 1);
    assert.equal(g.units, [...'Señor Muñoz: su codigo es 123456. ¿Preguntas? él responde'].length);
  });

  it('holds exactly 160 GSM septets in one message and splits 161 into 153 + 8', () => {
    assert.equal(countSegments('a'.repeat(160)).parts, 1);
    const s = countSegments('ñ'.repeat(161));
    assert.equal(s.encoding, 'gsm7');
    assert.equal(s.parts, 2);
    assert.equal(s.unitsPerPart, 153);
    assert.deepEqual(s.unitsInParts, [153, 8]);
    assert.equal(s.partTexts.join(''), 'ñ'.repeat(161));
  });

  it('counts € and the other extension characters as two septets, never split across parts', () => {
    assert.equal(countSegments('€').units, 2);
    assert.equal(countSegments('€'.repeat(80)).parts, 1, '160 septets');
    assert.equal(countSegments('€'.repeat(80) + 'a').parts, 2, '161 septets');
    // 152 septets, then € would need 153 and 154: it moves whole to the next part.
    const s = countSegments('a'.repeat(152) + '€' + 'b'.repeat(10));
    assert.equal(s.encoding, 'gsm7');
    assert.deepEqual(s.unitsInParts, [152, 12]);
    assert.equal(s.partTexts[0], 'a'.repeat(152));
    assert.ok(s.partTexts[1]!.startsWith('€'));
  });

  it('sends a text with á as UCS-2: 70 in one message, 67 per part', () => {
    assert.equal(countSegments('á'.repeat(70)).parts, 1);
    const s = countSegments('Está listo: ' + 'x'.repeat(60));
    assert.equal(s.encoding, 'ucs2');
    assert.deepEqual(s.nonGsm, ['á']);
    assert.equal(s.units, 72);
    assert.equal(s.parts, 2);
    assert.deepEqual(s.unitsInParts, [67, 5]);
  });

  it('counts an emoji as two UCS-2 units and keeps the pair in one part', () => {
    assert.equal(countSegments('😀').units, 2);
    assert.equal(countSegments('😀').characters, 1);
    assert.equal(countSegments('😀'.repeat(35)).parts, 1, '70 units');
    const s = countSegments('a'.repeat(66) + '😀' + 'b');
    assert.equal(s.units, 69);
    assert.equal(s.parts, 1);
    const long = countSegments('a'.repeat(66) + '😀' + 'b'.repeat(10));
    assert.deepEqual(long.unitsInParts, [66, 12], 'the pair does not split at unit 67');
    assert.ok(long.partTexts[1]!.startsWith('😀'));
  });

  it('counts an empty text as no message', () => {
    assert.equal(countSegments('').parts, 0);
  });

  it('costs parts × recipients × price per part in bigint minor units', () => {
    assert.equal(sendCost(2, 3000, 45n), 270_000n);
    assert.equal(sendCost(0, 10, 45n), 0n);
    assert.equal(sendCost(3, 25_000_000, 1_000_000n), 75_000_000_000_000n);
    assert.throws(() => sendCost(1.5, 1, 1n), RangeError);
    assert.throws(() => sendCost(1, -1, 1n), RangeError);
  });

  it('encodes GSM-7 as unpacked septets with the escape for the extension table', () => {
    assert.deepEqual([...encodeGsm7('@ñ€')], [0x00, 0x7d, 0x1b, 0x65]);
    assert.deepEqual([...encodeGsm7('Aa')], [0x41, 0x61]);
    assert.deepEqual([...encodeGsm7('ÆÉ')], [0x1c, 0x1f]);
    assert.throws(() => encodeGsm7('á'), RangeError);
  });

  it('keeps every system text in GSM-7 and the same values in both languages', () => {
    for (const [name, t] of Object.entries(noticeTemplates)) {
      assert.equal(countSegments(t.es).encoding, 'gsm7', `${name} es`);
      assert.equal(countSegments(t.en).encoding, 'gsm7', `${name} en`);
      const values = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(values(t.es), values(t.en), name);
    }
  });
});
