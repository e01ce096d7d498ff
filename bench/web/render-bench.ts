/**
 * Web front-end benchmark (`npm run bench:web`): in headless Chromium, the one the browser tests
 * drive (test/web/chromium.ts: CHROMIUM_PATH, a system one on PATH, else the npm-shipped one),
 *   1. time to first render of the demo explorer (aurelia-group, tin): from navigation start to
 *      the layered graph painted, cold (first load after the server started) and warm (median);
 *   2. a ~5,000-node view (a synthetic network: one focal company, tin only, every node upstream
 *      of it, drawn without grouping, hence on canvas): time to first render, then the frame time
 *      while dragging (panning) it — rAF-to-rAF intervals and the main-thread draw time per frame.
 * Prints a table and writes bench/results/web.json as [{name, value, unit, target, better, …}].
 *
 * Flags: --reps=N (warm demo loads, default 5), --drag-ms=N (length of the drag, default 3000).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { buildApp } from '../../server/app.js';
import { seedIfEmpty } from '../../server/seeding/seed-loader.js';
import { writeSyntheticGraph } from '../../server/seeding/synthetic-loader.js';
import { EmbeddedGraphStore } from '../../server/stores/embedded-store.js';
import { launchChromium, resolveChromium } from '../../test/web/chromium.js';
import { buildWebIfStale } from '../../web/build-web.js';
import type { ResultRow as Row } from '../lib/types.js';

const RESULTS_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../results/web.json');
/** Companies of the synthetic network: with its smelters (companies / 25) and 50 countries, ~5,000 nodes. */
const SYNTHETIC_COMPANIES = 4760;

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${arg}`);
  return value;
}

function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i]!;
}
const round = (x: number) => Math.round(x * 100) / 100;

interface RunningApp {
  url: string;
  close: () => Promise<void>;
}

async function startApp(load: (store: EmbeddedGraphStore) => Promise<void>): Promise<RunningApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oretrace-web-bench-'));
  const store = new EmbeddedGraphStore({ dataDir });
  await store.init();
  await load(store);
  const app: FastifyInstance = await buildApp({ store, analysisWorkers: 1 });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    close: async () => {
      await app.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Open a link in a fresh browser context and answer ms from navigation start to the graph painted. */
async function timeFirstRender(
  browser: Browser,
  url: string,
  timeoutMs: number,
): Promise<{ ms: number; page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.__oretraceRenderStats?.firstDrawAt != null, undefined, { timeout: timeoutMs });
  if (errors.length) throw new Error(`the page failed: ${errors.join('; ')}`);
  const ms = await page.evaluate(() => window.__oretraceRenderStats!.firstDrawAt!);
  return { ms, page, close: () => context.close() };
}

/** Drag the canvas for dragMs; answers rAF intervals and draw durations seen during the drag. */
async function dragFrames(page: Page, dragMs: number): Promise<{ intervals: number[]; draws: number[]; settleMs: number }> {
  const box = await page.locator('.graph-host').boundingBox();
  if (!box) throw new Error('no graph on the page');
  // A string, not a function: tsx would wrap named closures in a helper the page does not have.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__recording = true;
    const tick = (t) => { window.__frames.push(t); if (window.__recording) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const drawsBefore = await page.evaluate(() => window.__oretraceRenderStats!.drawMs.length);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const started = Date.now();
  let step = 0;
  // A hand-like drag: a point every ~8 ms moving on a circle of 150 px.
  while (Date.now() - started < dragMs) {
    step++;
    const a = step / 20;
    await page.mouse.move(cx + 150 * Math.sin(a), cy + 150 * (1 - Math.cos(a)));
    await new Promise((r) => setTimeout(r, 8));
  }
  const { frames, draws } = await page.evaluate((from) => {
    const w = window as unknown as { __frames: number[] };
    return { frames: [...w.__frames], draws: window.__oretraceRenderStats!.drawMs.slice(from) };
  }, drawsBefore);
  // After the release the base is redrawn in full once: the longest frame of the next 1.5 s.
  const released = await page.evaluate(() => performance.now());
  await page.mouse.up();
  await page.waitForTimeout(1500);
  const after = await page.evaluate((since) => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__recording = false;
    return w.__frames.filter((t) => t >= since);
  }, released);
  const settleMs = Math.max(0, ...after.slice(1).map((t, i) => t - after[i]!));
  const intervals = frames.slice(1).map((t, i) => t - frames[i]!);
  return { intervals: intervals.slice(2), draws, settleMs };
}

async function main(): Promise<void> {
  const chromiumFound = resolveChromium();
  const reps = flag('reps', 5);
  const dragMs = flag('drag-ms', 3000);
  const log = (line: string) => process.stderr.write(`bench:web: ${line}\n`);
  log(`Chromium ${chromiumFound.executablePath} from ${chromiumFound.source}`);
  await buildWebIfStale(log);
  const browser = await launchChromium();
  const rows: Row[] = [];
  try {
    // 1. The demo explorer.
    log('starting the app over the demo');
    const demo = await startApp(async (store) => void (await seedIfEmpty(store)));
    try {
      const link = `${demo.url}/?company=aurelia-group&metal=tin`;
      const cold = await timeFirstRender(browser, link, 60_000);
      const stats = await cold.page.evaluate(() => ({ ...window.__oretraceRenderStats!, drawMs: [] }));
      await cold.close();
      const warm: number[] = [];
      for (let i = 0; i < reps; i++) {
        const run = await timeFirstRender(browser, link, 60_000);
        warm.push(run.ms);
        await run.close();
      }
      rows.push({
        name: 'web-first-render-cold[demo]',
        value: round(cold.ms),
        unit: 'ms',
        target: 3000,
        better: 'lower',
        reps: 1,
        note: `first page load after the server started (snapshot compiled on demand); ${stats.nodes} nodes + ${stats.edges} edges drawn with ${stats.renderer}`,
      });
      rows.push({
        name: 'web-first-render[demo]',
        value: round(quantile(warm, 0.5)),
        unit: 'ms',
        target: 1500,
        better: 'lower',
        min: round(Math.min(...warm)),
        max: round(Math.max(...warm)),
        reps,
        note: 'navigation start → graph painted, fresh browser context each time',
      });
    } finally {
      await demo.close();
    }

    // 2. A ~5,000-node view.
    log(`generating and loading a synthetic network of ${SYNTHETIC_COMPANIES} companies (tin, one focal company)`);
    const big = await startApp(async (store) => {
      await writeSyntheticGraph(store, { companies: SYNTHETIC_COMPANIES, seed: 1, metals: ['tin'], focalCompanies: 1, locatedIn: false });
    });
    try {
      const run = await timeFirstRender(browser, `${big.url}/?company=syn-focal-1&metal=tin&group=none`, 180_000);
      const stats = await run.page.evaluate(() => ({ ...window.__oretraceRenderStats!, drawMs: [] }));
      log(`5k view: ${stats.nodes} nodes, ${stats.edges} edges, ${stats.renderer}; first render ${run.ms.toFixed(0)} ms`);
      if (stats.renderer !== 'canvas') throw new Error(`the 5k view was drawn with ${stats.renderer}, not canvas`);
      rows.push({
        name: 'web-first-render[5k]',
        value: round(run.ms),
        unit: 'ms',
        target: 5000,
        better: 'lower',
        reps: 1,
        note: `${stats.nodes} nodes + ${stats.edges} edges on canvas, cold server`,
      });
      // Let the page settle (late loads, layout) before dragging.
      await run.page.waitForTimeout(500);
      const { intervals, draws, settleMs } = await dragFrames(run.page, dragMs);
      const note = `${intervals.length} frames over a ${dragMs} ms drag; ${draws.length} draws`;
      rows.push({
        name: 'web-drag-frame-p50[5k]',
        value: round(quantile(intervals, 0.5)),
        unit: 'ms',
        target: 16.7,
        better: 'lower',
        min: round(Math.min(...intervals)),
        max: round(Math.max(...intervals)),
        reps: intervals.length,
        note: `rAF-to-rAF interval while dragging; ${note}`,
      });
      rows.push({
        name: 'web-drag-frame-p95[5k]',
        value: round(quantile(intervals, 0.95)),
        unit: 'ms',
        target: 33.3,
        better: 'lower',
        reps: intervals.length,
        note: 'rAF-to-rAF interval while dragging',
      });
      rows.push({
        name: 'web-drag-draw-p50[5k]',
        value: round(quantile(draws, 0.5)),
        unit: 'ms',
        target: 12,
        better: 'lower',
        min: round(Math.min(...draws)),
        max: round(Math.max(...draws)),
        reps: draws.length,
        note: 'main-thread time of one canvas redraw while dragging',
      });
      rows.push({
        name: 'web-drag-draw-p95[5k]',
        value: round(quantile(draws, 0.95)),
        unit: 'ms',
        target: 16.7,
        better: 'lower',
        reps: draws.length,
      });
      rows.push({
        name: 'web-redraw-after-drag[5k]',
        value: round(settleMs),
        unit: 'ms',
        target: null,
        better: 'lower',
        reps: 1,
        note: 'longest frame after the release: the full redraw of ~30,000 marks at the new position',
      });
      await run.close();
    } finally {
      await big.close();
    }
  } finally {
    await browser.close();
  }

  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(rows, null, 2)}\n`);
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`${pad('name', 30)}${pad('value', 12)}${pad('target', 10)}note`);
  for (const r of rows) {
    const ok = r.target === null ? ' ' : (r.better === 'lower' ? r.value <= r.target : r.value >= r.target) ? '✓' : '✗';
    console.log(
      `${pad(r.name, 30)}${pad(`${r.value} ${r.unit}`, 12)}${pad(r.target === null ? '–' : `${ok} ${r.target}`, 10)}${r.note ?? ''}`,
    );
  }
  console.log(`written to ${RESULTS_FILE}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:web failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
