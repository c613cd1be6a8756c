/**
 * Slider-to-chart latency of the dashboard in Chromium (figures only, no pass/fail):
 * `npm run bench:dashboard` (about a minute). The server is started in-process on a free port with a
 * temporary data directory; Debian's Chromium (playwright-core) loads the page and moves the MOUD
 * capacity slider one step at a time with the keyboard, waiting for each result to be drawn.
 * Latency = from the input event to the first animation frame after the charts were replaced (the
 * page's own probe, `window.__crossroads`); "model" = the paired single run in the Web Worker
 * (including the message round trip). The first move after load (cold JIT) is reported apart; the
 * fan of the small ensemble keeps running in the second worker meanwhile, as for a user.
 * `-- --moves N` changes the number of measured moves (default 40); `-- --chromium PATH` the browser.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildServer } from '../src/server/app.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const MOVES = Number(flag('--moves', '40'));
const WARM = 5;
const CHROMIUM = flag('--chromium', '/usr/bin/chromium');
if (!Number.isInteger(MOVES) || MOVES < 1) {
  process.stderr.write('usage: npm run bench:dashboard [-- --moves N] [--chromium PATH]\n');
  process.exit(2);
}

interface Probe {
  runs: number;
  lastLatencyMs: number | null;
  lastRunMs: number | null;
  lastDrawMs: number | null;
  lastArriveMs: number | null;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return `median ${q(0.5).toFixed(0)} ms, p90 ${q(0.9).toFixed(0)} ms, min ${s[0].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms`;
};

async function main(): Promise<void> {
  const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
  const data = mkdtempSync(join(tmpdir(), 'crossroads-bench-'));
  const app = buildServer({ dataDir: data, webRoot: join(root, 'dist', 'web') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const t0 = Date.now();
    await page.goto(url);
    const probe = () => page.evaluate(() => (globalThis as unknown as { __crossroads: Probe }).__crossroads);
    await page.waitForFunction(() => (globalThis as unknown as { __crossroads?: Probe }).__crossroads?.runs);
    const first = await probe();
    const loadMs = Date.now() - t0;
    const slider = page.locator('#lever-moud-capacity');
    const latencies: number[] = [];
    const model: number[] = [];
    const draw: number[] = [];
    const arrive: number[] = [];
    let cold: Probe | null = null;
    for (let i = 0; i < WARM + MOVES; i++) {
      const { runs } = await probe();
      await slider.focus();
      await page.keyboard.press(i % 2 === 0 ? 'ArrowRight' : 'ArrowLeft');
      await page.waitForFunction(
        (n) => (globalThis as unknown as { __crossroads: Probe }).__crossroads.runs > n,
        runs,
        { timeout: 30_000 },
      );
      const p = await probe();
      if (i === 0) cold = p;
      if (i < WARM) continue;
      latencies.push(p.lastLatencyMs as number);
      model.push(p.lastRunMs as number);
      draw.push(p.lastDrawMs as number);
      arrive.push(p.lastArriveMs as number);
    }
    const load = loadavg()[0];
    const lines = [
      `dashboard slider-to-chart latency, Chromium ${browser.version()} (headless, no GPU), ${MOVES} moves after ${WARM} warm-up moves`,
      `  page load to first charts: ${loadMs} ms (first paired run ${first.lastRunMs?.toFixed(0)} ms, cold)`,
      `  first move after load: on screen ${cold?.lastLatencyMs?.toFixed(0)} ms (model ${cold?.lastRunMs?.toFixed(0)} ms)`,
      `  slider to charts on screen: ${stats(latencies)}`,
      `  input to the result back on the page: ${stats(arrive)}`,
      `    of which the paired single run in the worker (with messaging): ${stats(model)}`,
      `  drawing the figures (Observable Plot): ${stats(draw)}`,
      `  machine load average (1 min) at the end: ${load.toFixed(2)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await browser.close();
    await app.close();
    rmSync(data, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(
    `bench/dashboard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
