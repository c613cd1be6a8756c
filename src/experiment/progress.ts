/**
 * Progress on stderr: a cli-progress bar on a terminal, plain lines (every 10 %) otherwise, so logs
 * and pipes stay readable. Node only.
 */

import cliProgress from 'cli-progress';

/** A progress sink. */
export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** No output. */
export const silentProgress: Progress = { update() {}, stop() {} };

/** Progress for `label` on `stream` (default stderr): a bar on a TTY, lines otherwise. */
export function progressFor(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} [{bar}] {percentage}% | {value}/{total} replicates | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  const t0 = performance.now();
  let lastDecile = -1;
  return {
    update(done, total) {
      const decile = Math.floor((10 * done) / total);
      if (decile === lastDecile) return;
      lastDecile = decile;
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      stream.write(
        `${label}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} replicates (${decile * 10}%), ${s} s\n`,
      );
    },
    stop() {},
  };
}
