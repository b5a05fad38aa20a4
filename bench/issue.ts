// Cards signed per second (claims → CWT → COSE_Sign1 with Ed25519 → zlib → Base45), against a
// bare Ed25519 signature of the same Sig_structure bytes with the same primitive (WebCrypto),
// measured in the same run. Sequential awaits: one core's worth of work. Target (issue 9):
// ratio ≥ 0.50. The last line is the figures as one JSON object.
import { generateIssuerKey, importSigningKey, issueCard } from '../src/credentials/index';
import { decodeCard } from '../src/credentials';
import { buildSigStructure } from '../src/credentials';

const iterations = 10_000;
const rounds = 3;

const pair = await generateIssuerKey();
const key = await importSigningKey(pair.privateJwk, pair.kid);
const issuedAt = new Date('2025-03-01T00:00:00Z');
const expiresAt = new Date('2035-03-01T00:00:00Z');
const face = {
  registryNumber: 'VE-0012-3456-7',
  givenNames: 'María José',
  surnames: 'Pérez Rodríguez',
  dateOfBirth: '1984-01-18',
  sex: 'female' as const,
};

async function issue(n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await issueCard({
      face,
      serial: i,
      issuer: 'https://id.example.gob.ve',
      key,
      issuedAt,
      expiresAt,
    });
  }
  return n / ((performance.now() - start) / 1000);
}

const { message } = await decodeCard(
  (
    await issueCard({
      face,
      serial: 1,
      issuer: 'https://id.example.gob.ve',
      key,
      issuedAt,
      expiresAt,
    })
  ).qrText,
);
const toBeSigned = new Uint8Array(
  buildSigStructure(message.protectedBytes, undefined, message.payload),
);

async function bare(n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++)
    await globalThis.crypto.subtle.sign('Ed25519', key.privateKey, toBeSigned);
  return n / ((performance.now() - start) / 1000);
}

await bare(1_000);
await issue(1_000);
const bareRates: number[] = [];
const issueRates: number[] = [];
for (let r = 0; r < rounds; r++) {
  bareRates.push(await bare(iterations));
  issueRates.push(await issue(iterations));
}
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const bareRate = median(bareRates);
const issueRate = median(issueRates);
console.log(`bare Ed25519 sign (WebCrypto): ${Math.round(bareRate)} /s per core`);
console.log(`cards signed:                  ${Math.round(issueRate)} /s per core`);
const ratio = issueRate / bareRate;
console.log(
  `ratio cards / bare sign: ${ratio.toFixed(2)} (target ≥ 0.50) ${ratio >= 0.5 ? 'OK' : 'BELOW TARGET'}`,
);
console.log(
  JSON.stringify({
    bench: 'issue',
    bareSignsPerSecond: Math.round(bareRate),
    cardsSignedPerSecond: Math.round(issueRate),
    ratio: Number(ratio.toFixed(3)),
    ratioMin: 0.5,
  }),
);
