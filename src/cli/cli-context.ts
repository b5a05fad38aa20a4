// What a domain's CLI commands receive from the `tessera` program: a way to open the configured
// application for the length of one command. Domains never open the database themselves.
import type { Permission, PermissionDeclaration } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import type { Settings } from '../shared/settings';

/** Runs `fn` with the configured application open, as the system actor `cli:<what>`. */
export type WithApp = <T>(
  what: string,
  fn: (app: AppContext, caller: Caller, settings: Settings) => Promise<T>,
) => Promise<T>;

/** The services every command registration receives. */
export interface CliContext {
  withApp: WithApp;
  /** Every permission of every domain (for `tessera permissions`). */
  permissions: Readonly<Record<Permission, PermissionDeclaration>>;
}
