import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { earlierCandidates, planBlocks, sharesBlock } from './block-plan';
import { createDedupIndex, weakBlockRecordsMax } from './dedup-index';
import { checkEnrolment } from './match';
import { prepareRecord } from './normalise';
import type { MatchRecord } from './types';

/** Small caps, so that a handful of records makes a block too big. */
const caps = { blockRecordsMax: 3, weakBlockRecordsMax: 2 };

function candidatesOf(records: readonly MatchRecord[]): Set<number>[] {
  const prepared = records.map(prepareRecord);
  const plan = planBlocks(prepared, caps);
  const stamp = new Int32Array(records.length);
  const out = new Int32Array(records.length);
  return records.map((_, i) => new Set(out.subarray(0, earlierCandidates(plan, i, stamp, out))));
}

/** Eight people called José González Pérez in one town, two born in each of four years. */
const namesakes: MatchRecord[] = Array.from({ length: 8 }, (_, i) => ({
  id: `p${i}`,
  givenNames: 'José',
  surname1: 'González',
  surname2: 'Pérez',
  birthDate: String(1980 + Math.floor(i / 2)),
  regionCode: 'VE-A',
  locality: 'Caracas',
}));

void describe('block plan', () => {
  void it('splits a block too big for its cap by a further field instead of dropping it', () => {
    const plan = planBlocks(namesakes.map(prepareRecord), caps);
    assert.ok(plan.blocksSplit > 0);
    assert.equal(plan.blocksDropped, 0);
    assert.equal(plan.recordsWithoutBlock, 0);
    const found = candidatesOf(namesakes);
    // Each later namesake is still compared with the one born in the same year...
    for (let i = 1; i < 8; i += 2) assert.ok(found[i]?.has(i - 1), `p${i} keeps p${i - 1}`);
    // ...and not with the other six, which the year tells apart.
    for (let i = 2; i < 8; i += 2) assert.equal(found[i]?.size, 0, `p${i} has no earlier twin`);
    assert.ok(sharesBlock(plan, 3, 2));
    assert.ok(!sharesBlock(plan, 3, 1));
  });

  void it('counts the records left with no block when no further field tells them apart', () => {
    // Same name, no date, no place: neither split can cut the block.
    const bare: MatchRecord[] = Array.from({ length: 5 }, (_, i) => ({
      id: `b${i}`,
      givenNames: 'José',
      surname1: 'González',
      surname2: 'Pérez',
    }));
    // One of them has a phone number of their own: that block (of one) keeps them.
    const records = [...bare, { ...bare[0]!, id: 'b5', phone: '+584121234567' }];
    const plan = planBlocks(records.map(prepareRecord), caps);
    assert.ok(plan.blocksDropped > 0);
    assert.equal(plan.recordsWithoutBlock, 5);
    assert.deepEqual(
      candidatesOf(records).map((s) => s.size),
      [0, 0, 0, 0, 0, 0],
    );
  });

  void it('keeps a block within its cap whole, as before', () => {
    const plan = planBlocks(namesakes.slice(0, 3).map(prepareRecord), caps);
    assert.equal(plan.blocksSplit > 0, true, 'the weak keys (cap 2) are split');
    const found = candidatesOf(namesakes.slice(0, 3));
    // g+ss holds all three (cap 3): the third is compared with both earlier ones.
    assert.deepEqual([...(found[2] ?? [])].sort(), [0, 1]);
  });
});

void describe('in-memory index', () => {
  // More people born on one day than the weak cap, in two towns; nothing else shared.
  const sameDay = Array.from({ length: weakBlockRecordsMax + 2 }, (_, i): MatchRecord => ({
    id: `day-${i}`,
    givenNames: `Nombre${String.fromCharCode(97 + i)}`,
    surname1: `Apellido${String.fromCharCode(97 + i)}`,
    birthDate: '1971-03-14',
    regionCode: 'VE-A',
    locality: i % 2 === 0 ? 'Caracas' : 'Petare',
  }));

  void it('splits a key that outgrows its cap instead of dropping it', () => {
    const index = createDedupIndex();
    for (const r of sameDay) index.add(r);
    const probe = {
      id: 'probe',
      givenNames: 'Otro',
      surname1: 'Distinto',
      birthDate: '1971-03-14',
      regionCode: 'VE-A',
      locality: 'Petare',
    };
    const check = checkEnrolment(index, probe, { includeDistinct: true });
    assert.equal(check.comparedCount, sameDay.filter((r) => r.locality === 'Petare').length);
    assert.equal(check.withoutBlock, false);
  });

  void it('says when every block of a record is too big even split', () => {
    const index = createDedupIndex();
    for (let i = 0; i < weakBlockRecordsMax + 2; i++)
      index.add({ id: `bare-${i}`, givenNames: '', birthDate: '1902-07-07' });
    const check = checkEnrolment(index, { id: 'probe', givenNames: '', birthDate: '1902-07-07' });
    assert.equal(check.comparedCount, 0);
    assert.equal(check.withoutBlock, true);
  });
});
