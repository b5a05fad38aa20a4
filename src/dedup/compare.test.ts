import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  birthDateLevels,
  comparePlace,
  compareBirthDates,
  compareGivenNames,
  compareSurnames,
  comparisons,
  givenNameLevels,
  nullLevel,
} from './compare';
import { prepareRecord } from './normalise';
import type { MatchRecord } from './types';

const rec = (fields: Partial<MatchRecord>): ReturnType<typeof prepareRecord> =>
  prepareRecord({ id: 'x', givenNames: '', ...fields });

function givenLevel(a: string, b: string): string {
  return (
    givenNameLevels[compareGivenNames(rec({ givenNames: a }), rec({ givenNames: b }))] ?? 'null'
  );
}

function surnameLevel(a: [string, string?], b: [string, string?]): string {
  const level = compareSurnames(
    rec(a[1] === undefined ? { surname1: a[0] } : { surname1: a[0], surname2: a[1] }),
    rec(b[1] === undefined ? { surname1: b[0] } : { surname1: b[0], surname2: b[1] }),
  );
  return comparisons.find((c) => c.name === 'surnames')?.levels[level] ?? 'null';
}

function dateLevel(a: string, b: string): string {
  return birthDateLevels[compareBirthDates(rec({ birthDate: a }), rec({ birthDate: b }))] ?? 'null';
}

void describe('given-name comparison', () => {
  void it('has a level for each kind of agreement', () => {
    assert.equal(givenLevel('María José', 'MARIA JOSE'), 'exact');
    assert.equal(givenLevel('Pepe', 'José'), 'exact');
    assert.equal(givenLevel('Juan Carlos', 'Juan'), 'compatible (extra name or initial)');
    assert.equal(givenLevel('M. José', 'María José'), 'compatible (extra name or initial)');
    assert.equal(givenLevel('Yelitza', 'Yelitsa'), 'typo or phonetic');
    assert.equal(givenLevel('Jiomara', 'Xiomara'), 'typo or phonetic');
    assert.equal(givenLevel('Ana Sofía', 'Sofía'), 'one name shared');
    assert.equal(givenLevel('Rafael', 'Graciela'), 'different');
  });

  void it('keeps siblings with different names apart', () => {
    assert.equal(givenLevel('Nelly', 'Víctor'), 'different');
    assert.equal(givenLevel('María Elena', 'María Teresa'), 'one name shared');
  });
});

void describe('surname comparison (crosswise)', () => {
  void it('recognises swapped, misspelt and missing surnames', () => {
    assert.equal(surnameLevel(['Pérez', 'González'], ['PEREZ', 'GONZALEZ']), 'both exact');
    assert.equal(surnameLevel(['Pérez', 'González'], ['González', 'Pérez']), 'both exact, swapped');
    assert.equal(
      surnameLevel(['Vásquez', 'Briceño'], ['Basquez', 'Briceno']),
      'both agree with typos',
    );
    assert.equal(
      surnameLevel(['Pérez', 'González'], ['González']),
      'one agrees exactly, other missing',
    );
    assert.equal(
      surnameLevel(['Contreras', 'Gómez'], ['Conteras']),
      'one agrees with a typo, other missing',
    );
    assert.equal(
      surnameLevel(['Pérez', 'González'], ['Pérez', 'Rodríguez']),
      'one agrees, other differs',
    );
    assert.equal(surnameLevel(['Pérez', 'González'], ['Rivas', 'Soto']), 'different');
    assert.equal(
      surnameLevel(['De La Cruz', 'Figueroa'], ['Figueroa', 'de la Cruz']),
      'both exact, swapped',
    );
  });

  void it('lets a married name "de Pérez" meet the husband\'s surname', () => {
    assert.equal(
      surnameLevel(['González de Pérez', 'Rivas'], ['Pérez', 'Soto']),
      'one agrees, other differs',
    );
  });

  void it('gives no evidence when a side has no surname', () => {
    assert.equal(compareSurnames(rec({}), rec({ surname1: 'Pérez' })), nullLevel);
  });
});

void describe('birth-date comparison', () => {
  void it('has a level for each usual error', () => {
    assert.equal(dateLevel('1980-07-15', '1980-07-15'), 'exact');
    assert.equal(dateLevel('1980', '1980-07-15'), 'same year, one side year only');
    assert.equal(dateLevel('1980-03-04', '1980-04-03'), 'day and month swapped');
    assert.equal(dateLevel('1980-07-31', '1980-08-01'), 'one day apart');
    assert.equal(dateLevel('1998-07-17', '1988-07-17'), 'one digit off');
    assert.equal(dateLevel('1980-02-10', '1980-09-25'), 'same year only');
    assert.equal(dateLevel('1950-02-10', '1980-09-25'), 'different');
    assert.equal(compareBirthDates(rec({}), rec({ birthDate: '1980' })), nullLevel);
  });
});

void describe('document, phone and place comparisons', () => {
  const level = (name: string, a: Partial<MatchRecord>, b: Partial<MatchRecord>): string => {
    const c = comparisons.find((x) => x.name === name);
    return c?.levels[c.compare(rec(a), rec(b))] ?? 'null';
  };

  void it('sees a document number one digit off or transposed', () => {
    assert.equal(
      level('document_number', { documentNumber: 'V-14390035' }, { documentNumber: '14390035' }),
      'exact',
    );
    assert.equal(
      level('document_number', { documentNumber: 'V-14390035' }, { documentNumber: 'V-14390065' }),
      'one digit off or transposed',
    );
    assert.equal(
      level('document_number', { documentNumber: 'V-14390035' }, { documentNumber: 'V-14390305' }),
      'one digit off or transposed',
    );
    assert.equal(
      level('document_number', { documentNumber: 'V-14390035' }, { documentNumber: 'V-27966566' }),
      'different',
    );
    assert.equal(level('document_number', { documentNumber: 'V-14390035' }, {}), 'null');
  });

  void it('compares phones and places', () => {
    assert.equal(level('phone', { phone: '+584146779397' }, { phone: '04146779397' }), 'exact');
    assert.equal(
      comparePlace(
        rec({ regionCode: 'VE-K', locality: 'Carora' }),
        rec({ regionCode: 'VE-K', locality: 'Barquisimeto' }),
      ),
      1,
    );
  });
});

void describe("names written in each other's field", () => {
  void it('has a level of its own in both name comparisons', () => {
    const a = rec({ givenNames: 'Isla', surname1: 'Hall' });
    const b = rec({ givenNames: 'Hall', surname1: 'Isla' });
    assert.equal(givenNameLevels[compareGivenNames(a, b)], 'swapped with a surname');
    const surnames = comparisons.find((c) => c.name === 'surnames');
    assert.equal(surnames?.levels[compareSurnames(a, b)], 'swapped with the given name');
  });

  void it('is not claimed when only one direction agrees', () => {
    const a = rec({ givenNames: 'Isla', surname1: 'Hall' });
    const b = rec({ givenNames: 'Hall', surname1: 'Ramírez' });
    assert.equal(givenNameLevels[compareGivenNames(a, b)], 'different');
  });
});

void describe('given names and birth date together', () => {
  void it('still counts the birth date when a given name is missing', () => {
    const joint = comparisons.find((c) => c.name === 'given_names_and_birth_date');
    const a = rec({ birthDate: '1983-11-06' });
    const b = rec({ givenNames: 'Lola', birthDate: '1983-11-06' });
    assert.equal(joint?.levels[joint.compare(a, b)], 'given missing, birth date exact');
    assert.equal(joint?.compare(rec({}), rec({})), nullLevel);
  });

  void it('reads English diminutives alongside Spanish ones', () => {
    assert.equal(givenLevel('Rob', 'Robert'), 'exact');
    assert.equal(givenLevel('Pepe', 'José'), 'exact');
  });
});
