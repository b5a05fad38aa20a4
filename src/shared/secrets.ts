// Secrets come only from the environment or from a file that only its owner can read.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Reads a secret file, refusing one that group or others can read. */
export function readSecretFile(path: string): Buffer {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new Error(
      `${path} is readable by others (mode ${mode.toString(8)}): run chmod 600 ${path}`,
    );
  }
  return readFileSync(path);
}

/**
 * A 32-byte key: from the environment variable (base64), else from the file, which is created
 * with mode 600 on first use so that the embedded default works with no set-up.
 */
export function loadOrCreateKey(envValue: string | undefined, file: string): Buffer {
  if (envValue) return decodeKey(envValue, 'environment');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return decodeKey(readSecretFile(file).toString('utf8').trim(), file);
}

function decodeKey(text: string, where: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`the key from ${where} must be 32 bytes, base64-encoded`);
  return key;
}
