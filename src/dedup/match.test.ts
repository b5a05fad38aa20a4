import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import {
  checkEnrolment,
  createDedupIndex,
  defaultModel,
  findDuplicatePairs,
  findDuplicatePairsInParallel,
  formatExplanation,
  scorePair,
} from './index';
import { compareRecords, comparisons } from './compare';
import { compileModel } from './model';
import { prepareRecord } from './normalise';
import { surnameFrequencies, surnameFrequencyAdjustment } from './term-frequency';
import type { MatchRecord, ScoredPair } from './types';

const base: MatchRecord = {
  id: 'a',
  givenNames: 'Germán Simón',
  surname1: 'Velásquez',
  surname2: 'Torres',
  birthDate: '1992-08-03',
  sex: 'M',
  regionCode: 'VE-M',
  locality: 'Los Teques',
  phone: '+584243532335',
};

void describe('scoring pairs', () => {
  void it('loads and compiles the default model', () => {
    assert.doesNotThrow(() => compileModel(defaultModel));
    assert.ok(defaultModel.trainedOn.length > 0);
  });

  void it('flags the same person enrolled again with a typo and swapped surnames', () => {
    const again = { ...base, id: 'b', surname1: 'Torres', surname2: 'Belásquez' };
    const pair = scorePair(base, again);
    assert.notEqual(pair.outcome, 'distinct');
    assert.match(formatExplanation(pair.explanation), /surnames both agree with typos \+/);
  });

  void it('explains each field with its weight', () => {
    const pair = scorePair(
      { ...base, documentNumber: 'V-30053180' },
      { ...base, id: 'b', documentNumber: 'V-30053180', birthDate: '1992-03-08' },
    );
    const doc = pair.explanation.find((e) => e.comparison === 'document_number');
    assert.equal(doc?.level, 'exact');
    assert.ok((doc?.weight ?? 0) > 0);
    assert.ok(pair.explanation.some((e) => e.level.includes('day and month swapped')));
  });

  void it('keeps twins apart: same surnames, date, address and phone, different names', () => {
    const twin = { ...base, id: 'b', givenNames: 'Gladys', sex: 'F' };
    assert.equal(scorePair(base, twin).outcome, 'distinct');
  });

  void it('keeps siblings apart: same surnames and address, other name and date', () => {
    const { phone: _own, ...household } = base;
    const sibling = { ...household, id: 'b', givenNames: 'Javier Iván', birthDate: '2008-07-03' };
    assert.equal(scorePair(base, sibling).outcome, 'distinct');
  });

  void it("keeps a son who carries his father's name apart from the father", () => {
    const father = { ...base, id: 'f', birthDate: '1965-02-11', documentNumber: 'V-6601178' };
    const son = { ...base, id: 's', birthDate: '1992-08-03', documentNumber: 'V-27095747' };
    assert.equal(scorePair(father, son).outcome, 'distinct');
  });

  void it('keeps people with the same name but different documents from an automatic merge', () => {
    const other = { ...base, id: 'b', documentNumber: 'V-11614936' };
    assert.notEqual(
      scorePair({ ...base, documentNumber: 'V-27966566' }, other).outcome,
      'same_person',
    );
  });
});

void describe('enrolment check against a live index', () => {
  void it('finds the registered person and leaves the index unchanged', () => {
    const index = createDedupIndex();
    index.add(base);
    index.add({ ...base, id: 'sister', givenNames: 'Gladys', sex: 'F', birthDate: '1995-01-02' });
    const check = checkEnrolment(index, {
      ...base,
      id: 'new',
      givenNames: 'German Simon',
      surname1: 'Torres',
      surname2: 'Velasquez',
    });
    assert.notEqual(check.outcome, 'distinct');
    assert.equal(check.candidates[0]?.rightId, 'a');
    assert.equal(check.candidates.length, 1);
    assert.equal(index.size, 2);
  });

  void it('forgets a removed record', () => {
    const index = createDedupIndex();
    index.add(base);
    assert.equal(index.remove('a'), true);
    assert.equal(checkEnrolment(index, { ...base, id: 'new' }).outcome, 'distinct');
    assert.equal(index.remove('a'), false);
  });
});

// Every record of the first 1,000 people of registry_es.csv (see the fixture's PROVENANCE.md).
void describe('a slice of registry_es.csv', () => {
  const path = new URL(
    '../../test/fixtures/dedup/registry_es-first-1000-people.csv',
    import.meta.url,
  );
  const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
  const personOf = new Map(rows.map((r) => [r.record_id ?? '', r.person_id ?? '']));
  const records: MatchRecord[] = rows.map((r) => {
    const out: Record<string, string> = { id: r.record_id ?? '', givenNames: r.given_names ?? '' };
    const fields: [string, string | undefined][] = [
      ['surname1', r.first_surname],
      ['surname2', r.second_surname],
      ['birthDate', r.date_of_birth],
      ['sex', r.sex],
      ['regionCode', r.region],
      ['locality', r.locality],
      ['documentNumber', r.document_number],
      ['phone', r.phone],
    ];
    for (const [k, v] of fields) if (v !== undefined && v !== '') out[k] = v;
    return out as unknown as MatchRecord;
  });

  void it('finds the same pairs on several threads as on one', async () => {
    const key = (p: ScoredPair): string => `${p.leftId}|${p.rightId}|${p.outcome}|${p.matchWeight}`;
    const one = [...findDuplicatePairs(records, { explain: false })].map(key).sort();
    const two = (await findDuplicatePairsInParallel(records, { explain: false, threads: 2 }))
      .map(key)
      .sort();
    assert.deepEqual(two, one);
  });

  void it('flags most true duplicates and very few different people', () => {
    let truePositives = 0;
    let falsePositives = 0;
    let autoFalse = 0;
    for (const pair of findDuplicatePairs(records, { explain: false })) {
      const same = personOf.get(pair.leftId) === personOf.get(pair.rightId);
      if (same) truePositives++;
      else falsePositives++;
      if (!same && pair.outcome === 'same_person') autoFalse++;
    }
    const sizes = new Map<string, number>();
    for (const p of personOf.values()) sizes.set(p, (sizes.get(p) ?? 0) + 1);
    const truePairs = [...sizes.values()].reduce((s, n) => s + (n * (n - 1)) / 2, 0);
    assert.ok(truePairs > 0);
    assert.ok(truePositives / truePairs >= 0.9, `recall ${truePositives}/${truePairs}`);
    assert.ok(
      truePositives / (truePositives + falsePositives) >= 0.97,
      `precision with ${falsePositives} false`,
    );
    assert.equal(autoFalse, 0);
  });
});

void describe('surname frequency', () => {
  void it('lowers, and never raises, the weight of a shared common surname', () => {
    const a = prepareRecord({ id: 'a', givenNames: 'Joshua', surname1: 'Green' });
    const b = prepareRecord({ id: 'b', givenNames: 'Joshua', surname1: 'Green' });
    const compiled = compileModel(defaultModel);
    const levels = compareRecords(a, b, new Int8Array(comparisons.length));
    const common = surnameFrequencies([a, b, a, b]);
    const rare = { counts: new Map([['green', 1]]), total: 1_000_000 };
    assert.ok(surnameFrequencyAdjustment(compiled, common, a, b, levels) < 0);
    assert.equal(surnameFrequencyAdjustment(compiled, rare, a, b, levels), 0);
  });
});
