// How a test starts the `tessera` program as its own process: from the build of the sources
// that the test runner makes first (scripts/build-server.ts; TESSERA_TEST_PROGRAM names it),
// which starts in half the time; or, for a test file run by itself without that build, from
// the sources through tsx. Either way the arguments go before the command's own.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What to pass to `process.execPath` before the command's arguments. */
export function tesseraProgram(): string[] {
  const built = process.env.TESSERA_TEST_PROGRAM;
  if (built && existsSync(built)) return [built];
  return ['--import', 'tsx', `${root}src/main.ts`];
}
