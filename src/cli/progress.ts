import cliProgress from 'cli-progress';

/**
 * A progress bar with rate and time left on a terminal; plain periodic lines otherwise. The
 * rate counts only what this session did: a resumed job passes what was done before it.
 */
export function progressBar(
  label: string,
  total: number,
  /** When the work began (for the rate), if before the bar appears. */
  startedAt: number = Date.now(),
  /** Done before this session (a resumed job): shown in the count, not in the rate. */
  doneBefore = 0,
): { update(done: number): void; stop(): void } {
  const rateOf = (done: number, now: number): number =>
    Math.max(0, done - doneBefore) / Math.max(0.001, (now - startedAt) / 1000);
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
        stream: process.stderr,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, doneBefore, { rate: 0 });
    return {
      update: (done) => bar.update(done, { rate: Math.round(rateOf(done, Date.now())) }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update(done) {
      const now = Date.now();
      if (now - last < 2000 && done < total) return;
      last = now;
      const rate = rateOf(done, now);
      const left = rate > 0 ? Math.round((total - done) / rate) : 0;
      process.stderr.write(
        `${label}: ${done}/${total} (${Math.round((100 * done) / Math.max(total, 1))}%), ${Math.round(rate)}/s, ~${left}s left\n`,
      );
    },
    stop() {},
  };
}
