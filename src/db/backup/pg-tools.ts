// PostgreSQL's own programs (pg_basebackup, pg_dump, pg_restore, tar for base backups), run
// with the connection's password in the environment, never on a command line that `ps` shows.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../shared/errors';

/**
 * Where a PostgreSQL program lives: `TESSERA_PG_BIN`, else the newest Debian server version
 * (`/usr/lib/postgresql/N/bin`), else the PATH. Newer client programs read older servers.
 */
export function pgProgram(name: string): string {
  const fromEnv = process.env.TESSERA_PG_BIN;
  if (fromEnv) return join(fromEnv, name);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', name)))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin', name);
  }
  return name;
}

/** A connection URL without its password, and the password for PGPASSWORD. */
export function splitPassword(url: string): { url: string; password: string | undefined } {
  const parsed = new URL(url);
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  parsed.password = '';
  return { url: parsed.toString(), password };
}

/**
 * Runs a program to its end; each line it writes to standard error goes to `onLine` (its
 * progress). Fails with the program's last lines when it exits non-zero or cannot start.
 */
export async function runProgram(
  program: string,
  args: string[],
  options: { password?: string | undefined; onLine?: ((line: string) => void) | undefined } = {},
): Promise<void> {
  const env = { ...process.env };
  if (options.password !== undefined) env.PGPASSWORD = options.password;
  const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let partial = '';
  const take = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-4000);
    partial += text;
    const lines = partial.split(/\r|\n/);
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') options.onLine?.(line);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT')
      throw new DomainError(
        'NOT_FOUND',
        `${program} is not installed: install PostgreSQL's client programs (Debian postgresql-client-15), or set TESSERA_PG_BIN to their folder`,
        program,
      );
    throw e;
  });
  if (code !== 0) {
    const name = program.split('/').pop();
    throw new DomainError(
      'INTERNAL',
      `${name} failed (exit code ${code}): ${tail.trim().split('\n').slice(-5).join(' | ')}`,
      name,
    );
  }
}
