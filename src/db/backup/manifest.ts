// What a backup is, written beside its files as `manifest.json`: the engine and method that
// made it, when, the schema version it holds, and each file's size and SHA-256. Restore reads
// it first and checks every file against it before it writes anything, so a backup that was
// truncated on its way to tape, altered, or made for the other engine is refused whole.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../shared/errors';
import type { Engine } from '../types';

/** The manifest's name inside a backup folder. */
export const manifestName = 'manifest.json';
const formatName = 'tessera.backup';
const formatVersion = 1;

/** How a backup was made. */
export type BackupMethod = 'sqlite-vacuum-into' | 'pg-basebackup' | 'pg-dump';

/** One file of a backup. */
export interface BackupFile {
  /** The name inside the backup folder (may contain one `/`, as in `base/base.tar`). */
  name: string;
  bytes: number;
  sha256: string;
}

/** What `manifest.json` says. */
export interface BackupManifest {
  format: typeof formatName;
  formatVersion: typeof formatVersion;
  engine: Engine;
  method: BackupMethod;
  /** When the backup began: every write acknowledged before this is in it. */
  startedAt: string;
  finishedAt: string;
  /** The newest migration applied in the copy (the schema version), and how many were. */
  schemaVersion: string;
  migrationsApplied: number;
  files: BackupFile[];
  /** PostgreSQL base backups: the WAL positions a point-in-time recovery starts after. */
  wal?: { startLsn: string; timeline: number };
}

/** Reports bytes done of a total, for progress. */
export type Progress = (done: number, total: number) => void;

/** The SHA-256 of a file, read as a stream (a backup may be far larger than memory). */
export async function sha256File(path: string, onBytes?: (bytes: number) => void): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
  }
  return hash.digest('hex');
}

/** Describes a file of the backup folder `dir` for the manifest. */
export async function describeFile(
  dir: string,
  name: string,
  onBytes?: (bytes: number) => void,
): Promise<BackupFile> {
  const path = join(dir, name);
  return { name, bytes: statSync(path).size, sha256: await sha256File(path, onBytes) };
}

/** Builds the manifest's text. */
export function manifestText(manifest: Omit<BackupManifest, 'format' | 'formatVersion'>): string {
  const full: BackupManifest = { format: formatName, formatVersion, ...manifest };
  return `${JSON.stringify(full, null, 2)}\n`;
}

const refuse = (message: string, where: string): never => {
  throw new DomainError('VALIDATION_FAILED', message, where);
};

/** Reads and checks the shape of `dir/manifest.json`; refuses, saying where, what is wrong. */
export function readManifest(dir: string): BackupManifest {
  const path = join(dir, manifestName);
  if (!existsSync(dir)) refuse(`no backup at ${dir}: the folder does not exist`, dir);
  if (!existsSync(path)) refuse(`${dir} is not a Tessera backup: it has no ${manifestName}`, path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    refuse(`${path} is not valid JSON (${(e as Error).message}): the backup is damaged`, path);
  }
  const m = parsed as Partial<BackupManifest> | null;
  if (!m || typeof m !== 'object' || m.format !== formatName)
    refuse(`${path} is not a Tessera backup manifest`, `${path}: format`);
  if (m!.formatVersion !== formatVersion)
    refuse(
      `${path} has backup format ${String(m!.formatVersion)}; this Tessera reads format ${formatVersion}`,
      `${path}: formatVersion`,
    );
  if (m!.engine !== 'sqlite' && m!.engine !== 'postgres')
    refuse(`${path} names no engine this Tessera knows`, `${path}: engine`);
  for (const key of ['method', 'startedAt', 'finishedAt', 'schemaVersion'] as const)
    if (typeof m![key] !== 'string' || m![key] === '')
      refuse(`${path} lacks ${key}`, `${path}: ${key}`);
  if (!Array.isArray(m!.files) || m!.files.length === 0)
    refuse(`${path} lists no files`, `${path}: files`);
  m!.files!.forEach((f, i) => {
    const ok =
      f &&
      typeof f.name === 'string' &&
      /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)?$/.test(f.name) &&
      !f.name.split('/').includes('..') &&
      Number.isSafeInteger(f.bytes) &&
      typeof f.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(f.sha256);
    if (!ok)
      refuse(
        `${path}: file ${i + 1} is not described by a name, a size and a SHA-256`,
        `${path}: files[${i}]`,
      );
  });
  return m as BackupManifest;
}

/**
 * Checks every file of the backup against its manifest: present, of its size (a truncated
 * copy is named as such), and of its SHA-256. Reads only; throws on the first file that fails.
 */
export async function verifyFiles(
  dir: string,
  manifest: BackupManifest,
  progress?: Progress,
): Promise<void> {
  const total = manifest.files.reduce((n, f) => n + f.bytes, 0);
  let done = 0;
  for (const file of manifest.files) {
    const path = join(dir, file.name);
    if (!existsSync(path))
      refuse(`the backup is incomplete: ${file.name} is missing from ${dir}`, path);
    const size = statSync(path).size;
    if (size < file.bytes)
      refuse(
        `the backup is truncated: ${file.name} has ${size} bytes of the ${file.bytes} it was written with`,
        path,
      );
    if (size > file.bytes)
      refuse(`the backup is altered: ${file.name} has ${size} bytes, not ${file.bytes}`, path);
    const sha = await sha256File(path, (bytes) => {
      done += bytes;
      progress?.(done, total);
    });
    if (sha !== file.sha256)
      refuse(
        `the backup is damaged: ${file.name} does not match its SHA-256 in ${manifestName}`,
        path,
      );
  }
}
