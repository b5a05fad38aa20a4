// Where the folder adapter writes and how the HTTP adapters authenticate. The payout folder is
// the application's (`app.payoutFolder`, set by tests) or TESSERA_PAYOUT_DIR, by default
// `<data dir>/payouts`; a provider names only a subfolder of it, so that configuring a provider
// can never make the server write elsewhere. Tokens for providers come only from the
// environment, named by the provider's configuration, never from the database.
import { join, resolve } from 'node:path';
import { DomainError } from '../../shared/errors';
import type { AppContext } from '../../shared/context';

declare module '../../shared/context' {
  interface AppContext {
    /** Where payout files are written (a test's own folder); else from the environment. */
    payoutFolder?: string;
  }
}

/** The folder every provider's subfolder lives in. */
export function payoutFolder(app: AppContext): string {
  return resolve(
    app.payoutFolder ??
      process.env.TESSERA_PAYOUT_DIR ??
      join(process.env.TESSERA_DATA_DIR ?? './data', 'payouts'),
  );
}

/** The bearer token a provider's endpoint expects, from the environment variable it names. */
export function providerToken(envName: string | null): string | null {
  if (!envName) return null;
  const token = process.env[envName];
  if (!token)
    throw new DomainError(
      'INVALID_STATE',
      `The provider's token is read from ${envName}, which is not set.`,
      'authTokenEnv',
    );
  return token;
}
