import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldText } from './normalise';
import { spanishPhonetic } from './phonetic';

const key = (s: string): string => spanishPhonetic(foldText(s));

void describe('Spanish phonetic key', () => {
  void it('merges letters that sound alike in Latin American Spanish', () => {
    const same: [string, string][] = [
      ['Vásquez', 'Basquez'], // b/v
      ['Vázquez', 'Vasquez'], // z/s
      ['Cecilia', 'Sesilia'], // c before e/i
      ['Jiménez', 'Giménez'], // g/j before e/i
      ['Yolanda', 'Llolanda'], // ll/y
      ['Hernández', 'Ernandez'], // silent h
      ['Quintero', 'Kintero'], // qu/k
      ['Carrillo', 'Carillo'], // double letters
      ['Guevara', 'Guebara'],
      ['Xiomara', 'Jiomara'],
      ['Wilmer', 'Vilmer'],
    ];
    for (const [a, b] of same) assert.equal(key(a), key(b), `${a} ~ ${b}`);
  });

  void it('keeps apart names that sound different', () => {
    assert.notEqual(key('Gómez'), key('Jiménez'));
    assert.notEqual(key('Castro'), key('Castillo'));
    assert.notEqual(key('Chacón'), key('Cacón'));
    assert.notEqual(key('Gerardo'), key('Gregorio'));
  });

  void it('returns an empty key for an empty word', () => {
    assert.equal(spanishPhonetic(''), '');
  });
});
