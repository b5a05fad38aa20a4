// Stored card issuance, against the pure signing rate measured in the same run (SQLite):
//  1. one card per transaction through `issuePersonCard` (person read, region check, serial,
//     Ed25519 signature, insert, audit), for the first --single people;
//  2. a bulk issuance job (`runCardJob`) for everyone else: a batch per transaction;
//  3. the pure `issueCard` signing the same number of faces, one at a time and in batches
//     awaited together (as the job signs), so the ratio is against the faster of the two;
//  4. the print sheets of --sheet-cards of the job’s cards (A4 vector PDFs with backs, files of
//     80 cards, drawn by --sheet-workers worker threads), as a ratio to the pure signing rate:
//     the target is half of it (issue 15);
//  5. the time to re-sign the revocation list after revoking a quarter of the single cards.
// The last line is one JSON object with the figures.
//
//   npx tsx bench/cards-stored.ts [--people 20000] [--single 2000] [--sheet-cards 4000]
//                                 [--sheet-workers N (default one a core, at most 4)]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { systemActor } from '../src/shared/access';
import { appContext, wireDomains } from '../src/app';
import {
  configureCredentials,
  createPeopleCardJob,
  currentRevocationList,
  generateIssuerKey,
  importSigningKey,
  issueCard,
  issuePersonCard,
  renderCardJobSheets,
  revokeCard,
  runCardJob,
  sheetWorkersDefault,
} from '../src/credentials/index';
import { migrateToLatest, openDatabase } from '../src/db';
import { migrations } from '../src/modules';
import { loadDemoRegistry } from '../src/registry';
import { defaultRegions } from '../src/shared/regions';
import type { AppContext } from '../src/shared/context';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: process.env.BENCH_CARDS ?? '20000' },
    single: { type: 'string', default: '2000' },
    'sheet-cards': { type: 'string', default: '4000' },
    'sheet-workers': { type: 'string' },
  },
});
const total = Number(values.people);
const single = Math.min(Number(values.single), Math.floor(total / 2));
const sheetCards = Number(values['sheet-cards']);
const sheetWorkers =
  values['sheet-workers'] === undefined ? sheetWorkersDefault() : Number(values['sheet-workers']);
const sheetsPerFile = 80;
const targetRatio = 0.5;

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-cards-'));
const db = await openDatabase({ url: join(dir, 'bench.db') });
await migrateToLatest(db, migrations);
const app: AppContext = appContext(db, {
  regions: defaultRegions,
  dataKey: randomBytes(32),
  statsCellMin: 10,
});
wireDomains(app);
configureCredentials(app, { keyEncryptionKey: randomBytes(32) });
const caller = { actor: systemActor('bench'), origin: 'bench', purpose: 'card_issuance' as const };
await loadDemoRegistry(app, caller, { people: total, seed: 7 });
const people = await db.kysely
  .selectFrom('persons')
  .select('id')
  .where('status', '=', 'active')
  .orderBy('id')
  .execute();
const rssBefore = process.memoryUsage().rss;

// 1. One card per transaction.
let start = performance.now();
const serials: number[] = [];
for (const person of people.slice(0, single)) {
  serials.push((await issuePersonCard(app, caller, person.id)).serial);
}
const singleRate = single / ((performance.now() - start) / 1000);

// 2. The bulk job for the rest.
const rest = people.slice(single).map((p) => p.id);
start = performance.now();
const job = await createPeopleCardJob(app, caller, rest);
let rssPeak = process.memoryUsage().rss;
const done = await runCardJob(app, caller, job.id, {
  onBatch: () => void (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)),
});
const bulkSeconds = (performance.now() - start) / 1000;
const bulkRate = done.issued / bulkSeconds;

// 3. Pure signing of as many faces, sequential and in awaited batches of 500.
const pair = await generateIssuerKey();
const key = await importSigningKey(pair.privateJwk, pair.kid);
const face = {
  registryNumber: '123456789012',
  givenNames: 'María José',
  surnames: 'Pérez Rodríguez',
  dateOfBirth: '1984-01-18',
};
const sign = (serial: number) =>
  issueCard({
    face,
    serial,
    issuer: 'https://tessera.example',
    key,
    issuedAt: new Date(),
    expiresAt: new Date(Date.now() + 1e11),
  });
const pureCount = done.issued;
start = performance.now();
for (let i = 0; i < pureCount; i++) await sign(i + 1);
const pureSequential = pureCount / ((performance.now() - start) / 1000);
start = performance.now();
for (let i = 0; i < pureCount; i += 500) {
  await Promise.all(
    Array.from({ length: Math.min(500, pureCount - i) }, (_, k) => sign(i + k + 1)),
  );
}
const pureBatched = pureCount / ((performance.now() - start) / 1000);
const pureRate = Math.max(pureSequential, pureBatched);

// 4. Print sheets of the job's first --sheet-cards cards, in files of 80 as a campaign prints
// them: reading and auditing each file's cards, drawing, compressing and writing it.
start = performance.now();
const sheets = await renderCardJobSheets(app, caller, job.id, {
  outDir: join(dir, 'sheets'),
  cardsPerFile: Math.min(sheetsPerFile, sheetCards),
  filesMax: Math.ceil(sheetCards / sheetsPerFile),
  workers: sheetWorkers,
});
const sheetSeconds = (performance.now() - start) / 1000;
const sheetRate = sheets.cards / sheetSeconds;
const sheetRatio = sheetRate / pureRate;

// 5. The revocation list after revocations.
const revoked = Math.floor(single / 4);
for (const serial of serials.slice(0, revoked)) {
  await revokeCard(app, caller, serial, { reason: 'bench' });
}
start = performance.now();
const list = await currentRevocationList(app);
const regenerateMs = performance.now() - start;

const ratio = bulkRate / pureRate;
const load = (await import('node:os')).loadavg()[0]!;
console.log(`people: ${people.length} active; machine load ${load.toFixed(2)}`);
console.log(`one card per transaction:  ${Math.round(singleRate)} cards/s (${single} cards)`);
console.log(
  `bulk job:                  ${Math.round(bulkRate)} cards/s (${done.issued} cards in ${bulkSeconds.toFixed(1)} s; skipped ${JSON.stringify(done.skipped)})`,
);
console.log(
  `pure signing, same run:    ${Math.round(pureSequential)}/s one at a time, ${Math.round(pureBatched)}/s in batches of 500`,
);
console.log(`ratio bulk / pure: ${ratio.toFixed(2)} (target ≥ ${targetRatio})`);
console.log(
  `RSS: ${Math.round(rssBefore / 2 ** 20)} MB before the job, ${Math.round(rssPeak / 2 ** 20)} MB at its peak`,
);
console.log(
  `print sheets (vector PDF, with backs): ${Math.round(sheetRate)} cards/s (${sheets.cards} cards in ${sheets.written} files, ${sheetSeconds.toFixed(1)} s, ${sheetWorkers} workers)`,
);
console.log(`ratio sheets / pure: ${sheetRatio.toFixed(2)} (target ≥ ${targetRatio})`);
console.log(
  `revocation list with ${revoked} revoked: re-signed in ${regenerateMs.toFixed(1)} ms, ${JSON.stringify(list).length} bytes`,
);
console.log(
  JSON.stringify({
    bench: 'cards-stored',
    engine: 'sqlite',
    people: people.length,
    singleCardsPerSecond: Math.round(singleRate),
    bulkCardsPerSecond: Math.round(bulkRate),
    pureSequentialPerSecond: Math.round(pureSequential),
    pureBatchedPerSecond: Math.round(pureBatched),
    ratioBulkToPure: Number(ratio.toFixed(3)),
    targetRatio,
    rssBeforeMb: Math.round(rssBefore / 2 ** 20),
    rssPeakMb: Math.round(rssPeak / 2 ** 20),
    sheetCardsPerSecond: Math.round(sheetRate),
    sheetCards: sheets.cards,
    sheetWorkers,
    ratioSheetsToPure: Number(sheetRatio.toFixed(3)),
    revocationRegenerateMs: Number(regenerateMs.toFixed(1)),
    load: Number(load.toFixed(2)),
  }),
);
await db.close();
rmSync(dir, { recursive: true, force: true });
