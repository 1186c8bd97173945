// The built playground in a real Chromium: Debian's /usr/bin/chromium driven by playwright-core,
// against `dist/` served by vite preview (with COOP/COEP) on 127.0.0.1.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { preview } from 'vite';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('..', import.meta.url).pathname;
const ARTIFACTS = join(ROOT, 'artifacts');
const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing: install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does).`
  : !existsSync(join(ROOT, 'dist', 'index.html'))
    ? 'apps/playground/dist is missing: run `pnpm build` first (pnpm check does).'
    : undefined;
if (missing !== undefined) console.warn(`playground browser test skipped: ${missing}`);

interface RacerResult {
  readonly id: string;
  readonly finalLoss: number;
  readonly stepsPerSecond: number;
  readonly losses: readonly number[];
}
interface PlaygroundState {
  lastRace?: { steps: number; racers: RacerResult[] };
  lastMeta?: { before: number; after: number; iterations: number; metaLosses: number[] };
  backend?: string;
}

const state = (page: Page): Promise<PlaygroundState> => page.evaluate(() => JSON.parse(JSON.stringify((globalThis as { playground?: unknown }).playground ?? {})));

async function race(page: Page, task: string, steps: number, baselines: readonly string[]): Promise<NonNullable<PlaygroundState['lastRace']>> {
  await page.selectOption('#race-form select[name=task]', task);
  await page.fill('#race-form input[name=steps]', String(steps));
  for (const b of ['adam', 'sgd', 'nag', 'rmsprop']) await page.setChecked(`#race-form input[name=${b}]`, baselines.includes(b));
  await page.evaluate(() => delete (globalThis as unknown as { playground: { lastRace?: unknown } }).playground.lastRace);
  await page.click('#race-start');
  await page.waitForFunction(() => (globalThis as unknown as { playground: { lastRace?: unknown } }).playground.lastRace !== undefined, null, { timeout: 240_000 });
  return (await state(page)).lastRace!;
}

describe.skipIf(missing !== undefined)('playground in Chromium', () => {
  let server: PreviewServer;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const errors: string[] = [];

  beforeAll(async () => {
    server = await preview({ root: ROOT, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1', open: false } });
    profile = mkdtempSync(join(tmpdir(), 'lopt-chromium-'));
    // A fresh profile each run; without the networking flags Chromium's background connections
    // are refused by this machine's closed network.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.resolvedUrls!.local[0]!);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  it('loads on the wasm backend (threaded: the server isolates the page) and races on start, with no console errors', async () => {
    await page.waitForFunction(() => (globalThis as { playground?: { lastRace?: unknown } }).playground?.lastRace !== undefined, null, { timeout: 120_000 });
    const s = await state(page);
    expect(s.backend).toMatch(/wasm backend, SIMD/);
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(s.lastRace!.racers.map((r) => r.id)).toEqual(['learned', 'adam', 'sgd', 'nag', 'rmsprop']);
    expect(errors).toEqual([]);
  }, 180_000);

  it('races the shipped MNIST optimizer against tuned Adam: the learned one ends lower', async () => {
    const steps = 100;
    const result = await race(page, 'mnist', steps, ['adam']);
    const [learned, adam] = result.racers;
    expect(result.steps).toBe(steps);
    expect(learned!.losses).toHaveLength(steps);
    expect(adam!.losses).toHaveLength(steps);
    console.log(`MNIST MLP, ${steps} steps in Chromium: final loss learned ${learned!.finalLoss.toFixed(4)} vs Adam ${adam!.finalLoss.toFixed(4)}; steps/s learned ${learned!.stepsPerSecond.toFixed(1)} vs Adam ${adam!.stepsPerSecond.toFixed(1)} (${(await state(page)).backend})`);
    expect(learned!.finalLoss).toBeLessThan(adam!.finalLoss);
    expect(errors).toEqual([]);
  }, 300_000);

  it('meta-trains in a Web Worker: a few iterations lower the validation meta-loss; the result races', async () => {
    await page.fill('#meta-form input[name=iterations]', '8');
    await page.click('#meta-start');
    await page.waitForFunction(() => (globalThis as unknown as { playground: { lastMeta?: unknown } }).playground.lastMeta !== undefined, null, { timeout: 300_000 });
    const meta = (await state(page)).lastMeta!;
    console.log(`meta-training in Chromium: validation meta-loss ${meta.before.toFixed(4)} → ${meta.after.toFixed(4)} in ${meta.iterations} iterations`);
    expect(meta.iterations).toBe(8);
    expect(meta.metaLosses).toHaveLength(8);
    expect(meta.after).toBeLessThan(meta.before);
    expect(await page.inputValue('#race-form select[name=learned]')).toBe('here');
    const result = await race(page, 'quadratic2d', 100, ['adam', 'sgd', 'nag', 'rmsprop']);
    expect(result.racers[0]!.losses.every(Number.isFinite)).toBe(true);
    expect(errors).toEqual([]);
  }, 400_000);

  it('writes a screenshot of the page', async () => {
    await page.selectOption('#race-form select[name=learned]', 'shipped:quadratic');
    await race(page, 'quadratic2d', 100, ['adam', 'sgd', 'nag', 'rmsprop']);
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'playground.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
    expect(errors).toEqual([]);
  }, 300_000);
});
