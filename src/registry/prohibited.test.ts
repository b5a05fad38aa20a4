import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prohibitedCategoryOf, prohibitedTopicIn } from './prohibited';

describe('prohibited attribute detection', () => {
  it('catches prohibited topics in names, whatever their spelling', () => {
    for (const name of [
      'voted_2024',
      'votedIn2024',
      'voto_2018',
      'partido',
      'partido_politico',
      'militancia',
      'twitter_handle',
      'instagramUser',
      'religion',
      'iglesia',
      'afiliacion_sindical',
      'sindicato',
      'orientacion_sexual',
      'asistio_a_marcha',
      'participacion_electoral',
      'simpatizante',
      'Religión',
      'ELECCIONES_2024',
      'vota_en',
      'centro_de_votacion',
      'voter_id',
    ]) {
      assert.ok(prohibitedTopicIn(name), `${name} should be caught`);
    }
  });

  it('lets legitimate attributes through, including near misses', () => {
    for (const name of [
      'disability',
      'household_income',
      'partida_de_nacimiento',
      'electricity_meter',
      'union_libre',
      'estado_civil',
      'sex',
      'education_level',
      'number_of_children',
      'pension_number',
      'employment_status',
      'devoted_caregiver',
      'pivot_table',
    ]) {
      assert.equal(prohibitedTopicIn(name), null, `${name} should be allowed`);
    }
  });

  it('recognises prohibited category names and their aliases', () => {
    assert.equal(prohibitedCategoryOf('religion'), 'religion');
    assert.equal(prohibitedCategoryOf('Political'), 'political_opinion');
    assert.equal(prohibitedCategoryOf('sexual orientation'), 'sexual_life');
    assert.equal(prohibitedCategoryOf('trade_union'), 'trade_union');
    assert.equal(prohibitedCategoryOf('health'), null);
  });
});
