/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core (`npm test` installs
 * the package where missing, scripts/test-deps.sh), against the server built in-process. Load the
 * page, move a slider, switch a preset, save and reload a policy, open a shared URL. Screenshots are
 * kept in test-artefacts/ (gitignored).
 */

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/server/app.js';

const ROOT = resolve(import.meta.dirname, '..');
const WEB = join(ROOT, 'dist', 'web');
const SHOTS = join(ROOT, 'test-artefacts');
const CHROMIUM = process.env.CROSSROADS_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let app: ReturnType<typeof buildServer>;
let browser: Browser;
let base: string;
const data = mkdtempSync(join(tmpdir(), 'crossroads-browser-'));

interface Probe {
  runs: number;
  fanDone: number;
  fanTarget: number;
  lastLatencyMs: number | null;
}

beforeAll(async () => {
  if (!existsSync(join(WEB, 'index.html')))
    throw new Error('dist/web is missing: run `npm run build` (npm test does it first)');
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run scripts/test-deps.sh (npm test does it first)`);
  mkdirSync(SHOTS, { recursive: true });
  app = buildServer({ dataDir: join(data, 'store'), webRoot: WEB });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  rmSync(data, { recursive: true, force: true });
});

const probe = (page: Page) =>
  page.evaluate(() => (window as unknown as { __crossroads: Probe }).__crossroads);

async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:'))
      errors.push(`external request: ${r.url()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __crossroads?: Probe }).__crossroads?.runs, null, {
    timeout: 60_000,
  });
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

/** Wait for a newer single run than `runs` to be on screen. */
async function nextRun(page: Page, runs: number): Promise<void> {
  await page.waitForFunction(
    (n) => ((window as unknown as { __crossroads: Probe }).__crossroads.runs ?? 0) > n,
    runs,
    { timeout: 30_000 },
  );
}

const graphSvg = (page: Page) => page.locator('[data-testid="graph-0"] .figure').first().innerHTML();

describe('the dashboard', () => {
  it('loads with every lever, the charts, the risk panel and no external request', async () => {
    const page = await open(base);
    // One control per lever (and per target of targeted levers), from the declarations.
    const sliders = await page.locator('input[type="range"]').count();
    expect(sliders).toBeGreaterThanOrEqual(10);
    expect(await page.locator('details.prong summary').allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Military/), expect.stringMatching(/^Demand side/)]),
    );
    expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(6);
    expect(await page.getByTestId('risks').locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
    await page.waitForFunction(
      () => {
        const p = (window as unknown as { __crossroads: Probe }).__crossroads;
        return p.fanDone === p.fanTarget;
      },
      null,
      { timeout: 90_000 },
    );
    await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: false });
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('moving a slider changes the numbers and the charts', async () => {
    const page = await open(base);
    const before = await page.getByTestId('averted').textContent();
    const svgBefore = await graphSvg(page);
    const { runs } = await probe(page);
    // Keyboard: focus MOUD capacity and jump to its maximum.
    await page.locator('#lever-moud-capacity').focus();
    await page.keyboard.press('End');
    await nextRun(page, runs);
    expect(await page.getByTestId('value-moud-capacity').textContent()).toBe('3 million');
    await expect.poll(() => page.getByTestId('averted').textContent()).not.toBe(before);
    expect(await graphSvg(page)).not.toBe(svgBefore);
    expect(page.url()).toContain('#s=');
    // A hand-changed preset is no longer the preset.
    expect(await page.getByTestId('policy-name').textContent()).toContain('demand-package (modified)');
    expect(await page.getByTestId('preset').inputValue()).toBe('');
    await page.screenshot({ path: join(SHOTS, 'slider-moved.png') });
    await page.close();
  });

  it('switching a preset loads its levers; strikes show in the risk panel', async () => {
    const page = await open(base);
    const { runs } = await probe(page);
    await page.getByTestId('preset').selectOption('vessel-strikes');
    await nextRun(page, runs);
    expect(await page.getByTestId('policy-name').textContent()).toContain('vessel-strikes');
    const row = page.getByTestId('risks').locator('tbody tr').first();
    const withPolicy = Number((await row.locator('td').nth(1).textContent()).replace(/[^0-9.]/g, ''));
    expect(withPolicy).toBeGreaterThan(0);
    // The Action · Intended Outcome · Potential Risk table: a row per action, risks measured.
    const actions = page.getByTestId('actions');
    await actions.waitFor({ timeout: 60_000 });
    expect(await actions.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await actions.getByTestId('risk').first().textContent()).toMatch(/\d/);
    await page.screenshot({ path: join(SHOTS, 'preset-vessel-strikes.png'), fullPage: true });
    await page.close();
  });

  it('saves a policy to the server and loads it back after a reload', async () => {
    const page = await open(base);
    let { runs } = await probe(page);
    await page.locator('#lever-naloxone').focus();
    await page.keyboard.press('End');
    await nextRun(page, runs);
    await page.getByTestId('save-name').fill('browser-test');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.locator('.message').textContent()).toContain('Saved “browser-test”');
    // Back to the start, then load the saved policy from the store.
    ({ runs } = await probe(page));
    await page.getByRole('button', { name: 'Reset' }).click();
    await nextRun(page, runs);
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __crossroads: Probe }).__crossroads.runs > 0);
    ({ runs } = await probe(page));
    await page.getByTestId('saved').selectOption('browser-test');
    await nextRun(page, runs);
    expect(await page.getByTestId('policy-name').textContent()).toContain('browser-test');
    expect(await page.getByTestId('value-naloxone').textContent()).toBe('20 million');
    await page.close();
  });

  it('a shared URL opens the same state with the same results', async () => {
    const page = await open(base);
    const { runs } = await probe(page);
    // The border prong is folded (the start policy has no border lever): open it as a user would.
    await page.locator('details.prong summary', { hasText: 'Border' }).click();
    await page.locator('#lever-port-inspection').focus();
    await page.keyboard.press('End');
    await nextRun(page, runs);
    const before = page.url();
    await page.getByLabel('Graph 2: choose what it shows').selectOption('view:prices');
    await expect.poll(() => page.url()).not.toBe(before);
    const url = page.url();
    const averted = await page.getByTestId('averted').textContent();
    await page.close();
    const other = await browser.newContext();
    const shared = await other.newPage({ viewport: { width: 1440, height: 900 } });
    await shared.goto(url);
    await shared.waitForFunction(() => (window as unknown as { __crossroads?: Probe }).__crossroads?.runs);
    expect(await shared.getByTestId('value-port-inspection').textContent()).toBe('90');
    expect(await shared.getByTestId('averted').textContent()).toBe(averted);
    expect(await shared.getByTestId('graph-1').locator('h2').textContent()).toBe('Retail prices');
    await shared.screenshot({ path: join(SHOTS, 'shared-url.png') });
    await other.close();
  });
});
