import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { checkEnrolment, defaultModel, findDuplicatePairs, scorePair } from './match';
import { createDedupIndex } from './dedup-index';
import { findDuplicatePairsInParallel } from './find-duplicates-parallel';
import { formatExplanation } from './model';
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
    const compiled = compileModel(defaultModel);
    assert.equal(compiled.weights.length, comparisons.length);
    comparisons.forEach((def, c) => {
      assert.equal(compiled.weights[c]?.length, def.levels.length, def.name);
      for (const w of compiled.weights[c] ?? []) assert.ok(Number.isFinite(w), def.name);
    });
    // A blocked pair is more likely two people than one: the prior weighs against a match.
    assert.ok(compiled.priorWeight < 0);
    // The same document number is strong evidence for one person, a different one against.
    const doc = comparisons.findIndex((def) => def.name === 'document_number');
    const level = (label: string) => comparisons[doc]!.levels.indexOf(label);
    assert.ok(compiled.weights[doc]![level('exact')]! > 8);
    assert.ok(compiled.weights[doc]![level('different')]! < -8);
  });

  void it('refuses a model that does not fit the comparisons', () => {
    const renamed = {
      ...defaultModel,
      comparisons: defaultModel.comparisons.map((c, i) =>
        i === 0
          ? { ...c, levels: [{ ...c.levels[0]!, label: 'renamed' }, ...c.levels.slice(1)] }
          : c,
      ),
    };
    assert.throws(() => compileModel(renamed), /level .*renamed is unknown/);
    const short = { ...defaultModel, comparisons: defaultModel.comparisons.slice(1) };
    assert.throws(() => compileModel(short), /does not fit/);
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

  // Pairs from the fixture, found by reading it: the same person with a clerk's errors, and
  // different people of one household (twins, a father and the son who carries his names).
  const pairKey = (a: string, b: string): string => [a, b].sort().join('|');
  let found: Map<string, ScoredPair> | undefined;
  const foundPairs = (): Map<string, ScoredPair> =>
    (found ??= new Map(
      [...findDuplicatePairs(records, { explain: false })].map((p) => [
        pairKey(p.leftId, p.rightId),
        p,
      ]),
    ));

  void it('finds known duplicates: typos, swapped surnames, capitals, a year-only birth date', () => {
    const duplicates: [string, string, string][] = [
      ['R0000387', 'R0006978', 'Medina / Medicna, same document and phone'],
      ['R0000260', 'R0000844', 'Sarmen / Carmen Verónica, born 1982 / 1984, same document'],
      ['R0001227', 'R0005747', 'Núñez Mújica / Mújica Núñez, one without phone'],
      ['R0001999', 'R0003936', 'HUGO MORALES GUERRERO / Hugo Morales Guerrero'],
      ['R0002564', 'R0007938', 'Díaz Chacón born 2024-12-02 / Chacón Díaz born 2024'],
      ['R0002352', 'R0006964', 'SANTIAGO DAVID NsÑEZ / Santiago David Núñez Salazar'],
    ];
    for (const [a, b, what] of duplicates) {
      assert.equal(personOf.get(a), personOf.get(b), `${what}: one person in the fixture`);
      const pair = foundPairs().get(pairKey(a, b));
      assert.ok(pair, `${what}: found`);
      assert.notEqual(pair.outcome, 'distinct', what);
    }
    assert.equal(foundPairs().get(pairKey('R0000387', 'R0006978'))?.outcome, 'same_person');
  });

  void it('does not match known different people of one household', () => {
    const distinct: [string, string, string][] = [
      ['R0000239', 'R0013562', 'twins Nelly and Gustavo Torres Castillo'],
      ['R0000592', 'R0022675', 'twin sisters Raquel Eglis and Milagros Bolívar Soto'],
      ['R0000094', 'R0008274', 'Antonio Wilmer Rojas, born 1950, and his son, born 2024'],
    ];
    for (const [a, b, what] of distinct) {
      assert.ok(personOf.has(a) && personOf.has(b), `${what}: in the fixture`);
      assert.notEqual(personOf.get(a), personOf.get(b), `${what}: two people in the fixture`);
      assert.equal(foundPairs().get(pairKey(a, b)), undefined, `${what}: not matched`);
    }
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

void describe('a missing birth date', () => {
  const joint = comparisons.findIndex((c) => c.name === 'given_names_and_birth_date');
  const weightOf = (pair: ScoredPair, level: string): number | undefined =>
    pair.explanation.find((e) => e.comparison === 'given_names_and_birth_date' && e.level === level)
      ?.weight;
  const { birthDate: _none, ...undated } = base;

  void it('weighs as unknown: the given names still count, the date neither way', () => {
    const missing = scorePair(base, { ...undated, id: 'b' });
    const wrong = scorePair(base, { ...base, id: 'b', birthDate: '1961-02-17' });
    const exact = scorePair(base, { ...base, id: 'b' });
    assert.ok(missing.matchWeight > wrong.matchWeight, 'better than a different date');
    assert.ok(missing.matchWeight < exact.matchWeight, 'worse than the same date');
    const given = weightOf(missing, 'given exact, birth date missing') ?? 0;
    assert.ok(given > 0, `agreeing given names count (${given})`);
    const stranger = scorePair(
      { ...base, givenNames: 'Rosa' },
      { ...undated, id: 'b', givenNames: 'Wilmer' },
    );
    assert.ok((weightOf(stranger, 'given different, birth date missing') ?? 0) < 0);
  });

  void it('is not turned into evidence by the model file', () => {
    // A model whose 'missing' levels say that duplicates rarely lack a date.
    const skewed = {
      ...defaultModel,
      comparisons: defaultModel.comparisons.map((c, i) =>
        i !== joint
          ? c
          : {
              ...c,
              levels: c.levels.map((l) =>
                l.label.endsWith('birth date missing') ? { ...l, m: 1e-6, u: 0.05 } : l,
              ),
            },
      ),
    };
    const level = comparisons[joint]!.levels.indexOf('given exact, birth date missing');
    const shipped = compileModel(defaultModel).weights[joint]![level]!;
    assert.equal(compileModel(skewed).weights[joint]![level], shipped);
    assert.ok(shipped > 0);
  });
});
