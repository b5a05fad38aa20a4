// Helpers for this domain's tests: where the published vectors live, and keys from the JSON
// forms the published vectors use. Not part of the public surface.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { bytesToBase64Url, hexToBytes } from './bytes';
import { importPublicJwk } from './import-public-key';
import { importSigningKey } from './generate-issuer-key';
import type { SigningKey, VerificationKey } from './types';

/** The folder of published test vectors, inside the repository (see its PROVENANCE notes). */
export const vectorsDir = fileURLToPath(new URL('../../test/fixtures/vectors/', import.meta.url));

/** One vector file, parsed. */
export function readVector<T = Record<string, unknown>>(...path: string[]): T {
  return JSON.parse(readFileSync(join(vectorsDir, ...path), 'utf8')) as T;
}

/** Names of the JSON vectors in a folder, sorted. */
export function listVectors(...path: string[]): string[] {
  return readdirSync(join(vectorsDir, ...path))
    .filter((name) => name.endsWith('.json'))
    .sort();
}

/** A key as the COSE WG examples write it (`x`/`y`/`d` base64url or `x_hex`/`y_hex`/`d_hex`). */
export interface VectorKey {
  kty: string;
  crv: string;
  kid?: string;
  x?: string;
  y?: string;
  d?: string;
  x_hex?: string;
  y_hex?: string;
  d_hex?: string;
}

function b64(value: string | undefined, hex: string | undefined): string | undefined {
  return hex ? bytesToBase64Url(hexToBytes(hex)) : value;
}

function jwkOf(key: VectorKey): JsonWebKey {
  const jwk: JsonWebKey = { kty: key.kty, crv: key.crv, x: b64(key.x, key.x_hex) ?? '' };
  const y = b64(key.y, key.y_hex);
  if (y) jwk.y = y;
  const d = b64(key.d, key.d_hex);
  if (d) jwk.d = d;
  return jwk;
}

/** The verification key of a vector key. */
export function vectorPublicKey(key: VectorKey): Promise<VerificationKey> {
  return importPublicJwk(jwkOf(key), { kid: key.kid });
}

/** The signing key of a vector key. */
export function vectorSigningKey(key: VectorKey): Promise<SigningKey> {
  return importSigningKey(jwkOf(key), key.kid ?? 'test');
}

/** The text of the QR code in a PNG, as jsQR (a reader Tessera did not write) reads it. */
export function scanWithJsQr(png: Uint8Array): string | undefined {
  const image = PNG.sync.read(Buffer.from(png));
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

function findZbarimg(): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', 'command -v zbarimg'], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

const zbarimg = findZbarimg();

/** Why zbarimg tests are skipped here, or false when Debian's zbarimg is installed. */
export const skipWithoutZbarimg: string | false = zbarimg
  ? false
  : 'zbarimg is not installed (apt-get install zbar-tools; .ci/run installs it)';

/** The text of the QR code in a PNG, as Debian's zbarimg (ZBar, in C) reads it; undefined if none. */
export function scanWithZbarimg(png: Uint8Array): string | undefined {
  if (!zbarimg) throw new Error('zbarimg is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-zbar-'));
  try {
    const file = join(dir, 'card.png');
    writeFileSync(file, png);
    // --raw prints the data alone; exit status 4 means no symbol was found.
    const out = execFileSync(zbarimg, ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file], {
      encoding: 'utf8',
      // zbarimg complains on stderr that it finds no D-Bus here; that is not a result.
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.replace(/\n$/, '');
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
