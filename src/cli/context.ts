import { systemActor } from '../auth/actor';
import type { AppContext, Caller } from '../shared/context';
import { createApp, settingsFromEnv, type Settings } from '../app';

/** Opens the configured database for a CLI command, runs fn, and closes it. */
export async function withApp<T>(
  what: string,
  fn: (app: AppContext, caller: Caller, settings: Settings) => Promise<T>,
): Promise<T> {
  const settings = settingsFromEnv();
  const app = await createApp(settings);
  const caller: Caller = { actor: systemActor(`cli:${what}`), origin: 'cli' };
  try {
    return await fn(app, caller, settings);
  } finally {
    await app.db.close();
  }
}
