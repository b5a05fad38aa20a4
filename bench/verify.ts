// Card verifications per second per core, for the full offline pipeline (Base45 → inflate →
// CBOR → COSE → Ed25519 signature → claims and checks), against a bare Ed25519 verify of the
// same Sig_structure bytes with the same primitive (WebCrypto), measured in the same run.
// Sequential awaits: one verification in flight at a time, so one core's worth of work.
// Target (issues 4 and 9): ratio ≥ 0.70. The last line is the figures as one JSON object.
import {
  decodeCard,
  generateIssuerKey,
  importPublicJwk,
  importSigningKey,
  issueCard,
  verifyCard,
} from '../src/credentials/index';
import { buildSigStructure } from '../src/credentials';

const iterations = 20_000;
const rounds = 3;

const pair = await generateIssuerKey();
const signingKey = await importSigningKey(pair.privateJwk, pair.kid);
const key = await importPublicJwk(pair.publicJwk);
const issuedAt = new Date('2025-03-01T00:00:00Z');
const { qrText } = await issueCard({
  face: {
    registryNumber: 'VE-0012-3456-7',
    givenNames: 'María José',
    surnames: 'Pérez Rodríguez',
    dateOfBirth: '1984-01-18',
    sex: 'female',
  },
  serial: 123_456,
  issuer: 'https://id.example.gob.ve',
  key: signingKey,
  issuedAt,
  expiresAt: new Date('2035-03-01T00:00:00Z'),
});
const now = new Date('2026-01-01T00:00:00Z');
const { message } = await decodeCard(qrText);
const signature = new Uint8Array(message.signature);
const toBeSigned = new Uint8Array(
  buildSigStructure(message.protectedBytes, undefined, message.payload),
);
const subtle = globalThis.crypto.subtle;

async function bare(n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    if (!(await subtle.verify('Ed25519', key.publicKey, signature, toBeSigned)))
      throw new Error('bare verify failed');
  }
  return n / ((performance.now() - start) / 1000);
}

async function pipeline(n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    if (!(await verifyCard(qrText, { keys: [key], now })).valid)
      throw new Error('card did not verify');
  }
  return n / ((performance.now() - start) / 1000);
}

await bare(2_000);
await pipeline(2_000);
const bareRates: number[] = [];
const pipelineRates: number[] = [];
for (let r = 0; r < rounds; r++) {
  bareRates.push(await bare(iterations));
  pipelineRates.push(await pipeline(iterations));
}
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const bareRate = median(bareRates);
const pipelineRate = median(pipelineRates);
const ratio = pipelineRate / bareRate;
console.log(`QR text: ${qrText.length} characters`);
console.log(`bare Ed25519 verify (WebCrypto):  ${Math.round(bareRate)} /s per core`);
console.log(`full card verification pipeline: ${Math.round(pipelineRate)} /s per core`);
console.log(
  `ratio pipeline / bare: ${ratio.toFixed(2)} (target ≥ 0.70) ${ratio >= 0.7 ? 'OK' : 'BELOW TARGET'}`,
);
console.log(
  JSON.stringify({
    bench: 'verify',
    qrTextChars: qrText.length,
    bareVerifiesPerSecond: Math.round(bareRate),
    cardVerificationsPerSecond: Math.round(pipelineRate),
    ratio: Number(ratio.toFixed(3)),
    ratioMin: 0.7,
  }),
);
