import cliProgress from 'cli-progress';

/** A progress bar with rate and time left on a terminal; plain periodic lines otherwise. */
export function progressBar(
  label: string,
  total: number,
  /** When the work began (for the rate), if before the bar appears. */
  startedAt: number = Date.now(),
): { update(done: number): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
        stream: process.stderr,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = startedAt;
    bar.start(total, 0, { rate: 0 });
    return {
      update: (done) =>
        bar.update(done, {
          rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)),
        }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  const started = startedAt;
  return {
    update(done) {
      const now = Date.now();
      if (now - last < 2000 && done < total) return;
      last = now;
      const seconds = (now - started) / 1000;
      const rate = done / Math.max(seconds, 0.001);
      const left = rate > 0 ? Math.round((total - done) / rate) : 0;
      process.stderr.write(
        `${label}: ${done}/${total} (${Math.round((100 * done) / Math.max(total, 1))}%), ${Math.round(rate)}/s, ~${left}s left\n`,
      );
    },
    stop() {},
  };
}
