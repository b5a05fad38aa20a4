// Trains the default model and writes src/dedup/default-model.json: m and u counted over
// the blocked pairs of the training half of registry_es.csv (split by person), so that the
// other half stays unseen for an honest held-out figure (see bench/dedup.ts). `--em`
// trains by EM without labels instead; on this registry EM mistakes households for
// persons (siblings agree on surnames, address and phone), which is why labels are used.
// Run: npx tsx bench/dedup-train.ts
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { estimateFromLabels, trainModel } from '../src/dedup/index';
import { dedupDataDir, loadRegistryLayout, seededRandom } from './dedup-data';
import { isTrainingPerson } from './dedup-split';

const set = loadRegistryLayout(join(dedupDataDir, 'registry_es.csv'));
const training = set.records.filter((r) => isTrainingPerson(set.personOf.get(r.id) ?? r.id));
const useEm = process.argv.includes('--em');
const model = useEm
  ? trainModel(training, {
      random: seededRandom(20_250_501),
      trainedOn: `EM on unlabelled pairs of registry_es.csv, training half (${training.length} records); u from 1,000,000 random pairs; seed 20250501`,
      estimateU: process.argv.includes('--estimate-u'),
    })
  : estimateFromLabels(
      training,
      (a, b) => set.personOf.get(a) === set.personOf.get(b),
      `m and u counted over the blocked pairs of registry_es.csv, training half only (${training.length} records of the persons whose id hashes even); the other half is held out`,
    );
const out = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'dedup',
  'default-model.json',
);
writeFileSync(out, JSON.stringify(model, null, 2) + '\n');
console.log(`wrote ${out}`);
for (const c of model.comparisons) {
  console.log(
    c.name,
    c.levels.map((l) => `${l.label}: ${Math.log2(l.m / l.u).toFixed(1)}`).join('; '),
  );
}
console.log('prior', model.priorMatchProbability);
