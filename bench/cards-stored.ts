// Stored card issuance: cards issued per second through the whole operation (person read,
// region check, serial, Ed25519 signature, insert, audit, one transaction each) on SQLite,
// against the pure `issueCard` signing the same faces in the same run; then the time to
// re-sign the revocation list after revocations, and its size. Sequential: one core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemActor } from '../src/shared/access';
import { appContext, wireDomains } from '../src/app';
import {
  configureCredentials,
  currentRevocationList,
  generateIssuerKey,
  importSigningKey,
  issueCard,
  issuePersonCard,
  revokeCard,
} from '../src/credentials/index';
import { migrateToLatest, openDatabase } from '../src/db';
import { migrations } from '../src/modules';
import { loadDemoRegistry } from '../src/registry';
import { defaultRegions } from '../src/shared/regions';
import type { AppContext } from '../src/shared/context';

const cards = Number(process.env.BENCH_CARDS ?? 2000);
const revoked = Math.floor(cards / 4);

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-cards-'));
const db = await openDatabase({
  url: process.env.BENCH_MEMORY ? ':memory:' : join(dir, 'bench.db'),
});
await migrateToLatest(db, migrations);
const app: AppContext = appContext(db, {
  regions: defaultRegions,
  dataKey: randomBytes(32),
  statsCellMin: 10,
});
wireDomains(app);
configureCredentials(app, { keyEncryptionKey: randomBytes(32) });
const caller = { actor: systemActor('bench'), origin: 'bench', purpose: 'card_issuance' as const };
await loadDemoRegistry(app, caller, { people: cards, seed: 7 });
const people = await db.kysely.selectFrom('persons').select('id').limit(cards).execute();

let start = performance.now();
const serials: number[] = [];
for (const person of people) serials.push((await issuePersonCard(app, caller, person.id)).serial);
const storedRate = people.length / ((performance.now() - start) / 1000);

const pair = await generateIssuerKey();
const key = await importSigningKey(pair.privateJwk, pair.kid);
const face = {
  registryNumber: '123456789012',
  givenNames: 'María José',
  surnames: 'Pérez Rodríguez',
  dateOfBirth: '1984-01-18',
};
start = performance.now();
for (let i = 0; i < people.length; i++) {
  await issueCard({
    face,
    serial: i + 1,
    issuer: 'https://tessera.example',
    key,
    issuedAt: new Date(),
    expiresAt: new Date(Date.now() + 1e11),
  });
}
const pureRate = people.length / ((performance.now() - start) / 1000);

for (const serial of serials.slice(0, revoked))
  await revokeCard(app, caller, serial, { reason: 'bench' });
start = performance.now();
const list = await currentRevocationList(app);
const regenerateMs = performance.now() - start;
start = performance.now();
await currentRevocationList(app);
const cachedMs = performance.now() - start;

console.log(
  `cards issued and stored (SQLite): ${Math.round(storedRate)} /s per core (${people.length} cards)`,
);
console.log(`pure issueCard, same run:         ${Math.round(pureRate)} /s per core`);
console.log(`ratio stored / pure: ${(storedRate / pureRate).toFixed(2)}`);
console.log(
  `revocation list with ${revoked} revoked: re-signed in ${regenerateMs.toFixed(1)} ms, served from cache in ${cachedMs.toFixed(1)} ms, ${JSON.stringify(list).length} bytes`,
);
await db.close();
rmSync(dir, { recursive: true, force: true });
