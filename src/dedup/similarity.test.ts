import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { damerauLevenshtein, jaroWinkler } from './similarity';

void describe('string similarity', () => {
  void it('computes Jaro–Winkler as published', () => {
    assert.ok(Math.abs(jaroWinkler('martha', 'marhta') - 0.9611) < 1e-3);
    assert.ok(Math.abs(jaroWinkler('dwayne', 'duane') - 0.84) < 1e-3);
    assert.equal(jaroWinkler('rodriguez', 'rodriguez'), 1);
    assert.equal(jaroWinkler('', 'ana'), 0);
  });

  void it('counts a transposition as one edit', () => {
    assert.equal(damerauLevenshtein('gonzalez', 'gonzlaez'), 1);
    assert.equal(damerauLevenshtein('perez', 'peres'), 1);
    assert.equal(damerauLevenshtein('perez', 'pere'), 1);
    assert.equal(damerauLevenshtein('ana', 'luis'), 4);
    assert.equal(damerauLevenshtein('', 'abc'), 3);
  });

  void it('stops early past the limit', () => {
    assert.equal(damerauLevenshtein('contreras', 'gutierrez', 1), 2);
  });
});
