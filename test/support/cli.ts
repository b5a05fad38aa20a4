// Runs the `tessera` program as an operator's shell would, against a test database: each
// call a new process, with its exit code, standard output and standard error.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { tesseraProgram } from './program';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What one run of the program did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A runner of `tessera …` on the database at `url()`, with its own data key and `dataDir`
 * (read when each command runs, so the database may be created after the runner).
 */
export function tesseraRunner(
  url: () => string,
  dataDir: string,
): (...args: string[]) => Promise<CliRun> {
  const dataKey = randomBytes(32).toString('base64');
  return (...args) =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [...tesseraProgram(), ...args],
        {
          cwd: root,
          env: {
            ...process.env,
            NODE_TEST_CONTEXT: '',
            TESSERA_DATABASE_URL: url(),
            TESSERA_DATA_KEY: dataKey,
            TESSERA_DATA_DIR: dataDir,
            TESSERA_LOG: 'off',
          },
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
}
