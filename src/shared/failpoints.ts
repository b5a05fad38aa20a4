// Failpoints: named places where a test may make the server die, to prove what survives. A
// failpoint fires only when its name is listed in TESSERA_FAILPOINTS (comma-separated), which no
// deployment sets; then the process kills itself with SIGKILL at that exact place — no cleanup,
// no reply, as a power cut or the kernel's OOM killer would. (After etcd's and TiKV's
// failpoints.)

/** Every failpoint, and where it is. */
export const failpointNames = [
  /** A redemption committed, its reply not yet sent. */
  'redemption.after_commit',
] as const;
/** A failpoint's name. */
export type Failpoint = (typeof failpointNames)[number];

const armed = new Set((process.env.TESSERA_FAILPOINTS ?? '').split(',').map((s) => s.trim()));

/** Kills this process at once with SIGKILL when the failpoint is armed. */
export function failpoint(name: Failpoint): void {
  if (armed.has(name)) process.kill(process.pid, 'SIGKILL');
}
