import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  foldText,
  normaliseDocument,
  normaliseGivenNames,
  normalisePhone,
  normaliseSurname,
  parseBirthDate,
  dayNumberOf,
  prepareRecord,
} from './normalise';

void describe('normalisation of Spanish-language names', () => {
  void it('folds case, accents and punctuation', () => {
    assert.equal(foldText('  JOSÉ-María  Núñez '), 'jose maria nunez');
    assert.equal(foldText('Mª  Ángeles'), 'ma angeles');
  });

  void it('drops particles from given names and keeps compound names as tokens', () => {
    assert.deepEqual(normaliseGivenNames('María de los Ángeles').tokens, ['maria', 'angeles']);
    assert.deepEqual(normaliseGivenNames('Juan Carlos').tokens, ['juan', 'carlos']);
    assert.deepEqual(normaliseGivenNames('María José').tokens, ['maria', 'jose']);
  });

  void it('keeps initials and expands written abbreviations', () => {
    assert.deepEqual(normaliseGivenNames('M. José').tokens, ['m', 'jose']);
    assert.deepEqual(normaliseGivenNames('Mª José').tokens, ['maria', 'jose']);
    assert.deepEqual(normaliseGivenNames('Fco. Javier').tokens, ['francisco', 'javier']);
  });

  void it('replaces common nicknames by the full name', () => {
    const cases: [string, string][] = [
      ['Pepe', 'jose'],
      ['Paco', 'francisco'],
      ['Lola', 'dolores'],
      ['Chucho', 'jesus'],
      ['Chuy', 'jesus'],
      ['Nacho', 'ignacio'],
      ['Memo', 'guillermo'],
      ['Lupe', 'guadalupe'],
      ['Toño', 'antonio'],
      ['Conchita', 'concepcion'],
      ['Meche', 'mercedes'],
    ];
    for (const [nick, full] of cases)
      assert.deepEqual(normaliseGivenNames(nick).tokens, [full], nick);
    assert.deepEqual(normaliseGivenNames('Juanca').tokens, ['juan', 'carlos']);
  });

  void it('removes particles from surnames and reads "de Pérez" as a married name', () => {
    assert.deepEqual(normaliseSurname('De La Cruz'), { main: ['cruz'], married: '' });
    assert.deepEqual(normaliseSurname('del Valle'), { main: ['valle'], married: '' });
    assert.deepEqual(normaliseSurname('González de Pérez'), {
      main: ['gonzalez'],
      married: 'perez',
    });
    assert.deepEqual(normaliseSurname('San Martín'), { main: ['sanmartin'], married: '' });
  });

  void it('splits two surnames typed into the first field', () => {
    assert.deepEqual(
      prepareRecord({ id: 'a', givenNames: 'Ana', surname1: 'Pérez González' }).surnames,
      ['perez', 'gonzalez'],
    );
  });

  void it('reduces phones, documents and dates to comparable forms', () => {
    assert.equal(normalisePhone('+58 414-123 4567'), normalisePhone('0414 1234567'));
    assert.equal(normaliseDocument('V-012.345.678'), '12345678');
    assert.equal(normaliseDocument(''), '');
    assert.deepEqual(parseBirthDate('1980'), { year: 1980, month: 0, day: 0 });
    assert.deepEqual(parseBirthDate('1980-07'), { year: 1980, month: 7, day: 0 });
    assert.deepEqual(parseBirthDate('1980-07-15'), { year: 1980, month: 7, day: 15 });
    assert.deepEqual(parseBirthDate('19800715'), { year: 1980, month: 7, day: 15 });
    assert.deepEqual(parseBirthDate('not a date'), { year: 0, month: 0, day: 0 });
  });

  void it('accepts any calendar date, centuries-old ones too, and only real ones', () => {
    assert.deepEqual(parseBirthDate('1712-03-09'), { year: 1712, month: 3, day: 9 });
    assert.deepEqual(parseBirthDate('0850-06-30'), { year: 850, month: 6, day: 30 });
    assert.deepEqual(parseBirthDate('1600-02-29'), { year: 1600, month: 2, day: 29 });
    // 1700 and 1900 were not leap years; a day no month has keeps the year and month.
    assert.deepEqual(parseBirthDate('1700-02-29'), { year: 1700, month: 2, day: 0 });
    assert.deepEqual(parseBirthDate('1980-04-31'), { year: 1980, month: 4, day: 0 });
    assert.deepEqual(parseBirthDate('19551192'), { year: 1955, month: 11, day: 0 });
    assert.deepEqual(parseBirthDate('1955-13-01'), { year: 1955, month: 0, day: 0 });
    assert.deepEqual(parseBirthDate('0000-01-01'), { year: 0, month: 0, day: 0 });
  });

  void it('counts days across any century, so old dates one day apart are seen as such', () => {
    const day = (birthDate: string) => prepareRecord({ id: 'a', givenNames: 'Ana', birthDate });
    assert.equal(dayNumberOf(1970, 1, 1), 0);
    assert.equal(dayNumberOf(1, 1, 1), -719_162);
    assert.equal(day('0099-12-31').dayNumber + 1, day('0100-01-01').dayNumber);
    assert.equal(day('1899-12-31').dayNumber + 1, day('1900-01-01').dayNumber);
    // Date.UTC would read the year 0050 as 1950: the two must be a century apart.
    assert.equal(day('1950-05-05').dayNumber - day('0050-05-05').dayNumber, 693_960);
    assert.equal(day('0850-06-30').dateDigits, '08500630');
  });
});
