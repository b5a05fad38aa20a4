// Commands contributed by other domains (card verification, audit). Each domain exports a
// register function; listing them here keeps main.ts independent of their internals.
import type { Command } from 'commander';

/** Registers the commands of the credentials and privacy domains. */
export async function registerOptionalCommands(program: Command): Promise<void> {
  const modules: { path: string; fn: string }[] = [
    { path: '../credentials/cli-verify', fn: 'registerVerifyCommand' },
    { path: '../privacy/cli-audit', fn: 'registerAuditCommands' },
    { path: '../credentials/cli-keys', fn: 'registerKeyCommands' },
    { path: '../dedup/cli-dedup', fn: 'registerDedupCommands' },
  ];
  for (const m of modules) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(m.path)) as Record<string, unknown>;
    } catch (e) {
      if (
        (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
        String(e).includes(m.path.slice(3))
      )
        continue;
      throw e;
    }
    const register = mod[m.fn];
    if (typeof register === 'function') (register as (p: Command) => void)(program);
  }
}
