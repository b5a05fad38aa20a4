import { join } from 'node:path';
import { openDatabase } from '../src/db';
import { prepareRecord, storedCandidates, findCandidates } from '../src/dedup/index';
import { candidateRows } from '../src/dedup/stored-keys';
import { dedupDataDir, loadRegistryLayout, seededRandom } from './dedup-data';
import { newPerson, vocabularyOf } from './dedup-scale';
const db = await openDatabase({ url: '/tmp/dedupscan/m1.db' });
const v = vocabularyOf(loadRegistryLayout(join(dedupDataDir, 'registry_es.csv')).records);
const random = seededRandom(3);
const t = { keys: [] as number[], rows: [] as number[], all: [] as number[], ids: [] as number[], rounds: [] as number[] };
for (let k = 0; k < 600; k++) {
  const probe = newPerson(`x${k}`, v, random);
  const p = prepareRecord(probe);
  let s = performance.now();
  const { ids } = await storedCandidates(db.kysely, p, 'sqlite');
  t.keys.push(performance.now() - s);
  s = performance.now();
  await candidateRows(db.kysely, ids);
  t.rows.push(performance.now() - s);
  t.ids.push(ids.length);
  s = performance.now();
  await findCandidates(db.kysely, { documentAttribute: null, matchOptions: {}, engine: 'sqlite' as const }, probe, new Map());
  t.all.push(performance.now() - s);
}
for (const [k, a] of Object.entries(t)) {
  a.sort((x, y) => x - y);
  console.log(k, 'p50', a[300]?.toFixed(2), 'p99', a[594]?.toFixed(2), 'max', a[599]?.toFixed(2));
}
