/**
 * Helpers of the browser tests: a headless Chromium through playwright-core (a system one, or the
 * one an npm devDependency ships: see chromium.ts; never a downloaded browser), one browser per
 * test file, a page that fails the test on any script error, the API read with the same zod
 * schemas the page uses, and screenshots under test-output/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import type { z } from 'zod';
import { formatShare } from '../../web/src/render/format.js';
import { launchChromium } from './chromium.js';

export const SCREENSHOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-output/screenshots');

export async function launchBrowser(): Promise<Browser> {
  return launchChromium();
}

export interface TestPage {
  page: Page;
  /** Script errors and console errors seen so far (expected 404s are filtered by the caller). */
  errors: string[];
  close: () => Promise<void>;
}

const VIEWPORT = { width: 1400, height: 900 };

export async function openPage(browser: Browser, baseUrl: string, path = '/', viewport = VIEWPORT): Promise<TestPage> {
  const context = await browser.newContext({ viewport, baseURL: baseUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(path);
  return { page, errors, close: () => context.close() };
}

export interface BrowserPerFile {
  /** The app the global setup serves over the demo. */
  base: string;
  open: (path?: string) => Promise<TestPage>;
  /** Opens a view and waits until its layered graph has drawn, which most tests need first. */
  openGraph: (path: string) => Promise<TestPage>;
  /** A context like the one `open` uses, for a test that must prepare its page before loading it. */
  newContext: () => Promise<BrowserContext>;
}

/**
 * One Chromium for the calling file's tests, launched before the first and closed after the last:
 * starting it takes seconds on a busy machine, and each test's own context keeps pages apart.
 * Call it at the top of the file, where it registers its hooks.
 */
export function browserPerFile(): BrowserPerFile {
  const base = inject('webBaseUrl');
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const launched = (): Browser => {
    if (!browser) throw new Error('the browser is launched in beforeAll; open pages inside a test');
    return browser;
  };
  const open = (path = '/') => openPage(launched(), base, path);
  return {
    base,
    open,
    openGraph: async (path) => {
      const opened = await open(path);
      await waitForGraph(opened.page);
      return opened;
    },
    newContext: () => launched().newContext({ viewport: VIEWPORT, baseURL: base }),
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

/** GET an API path and parse the answer with the schema the page parses it with. */
export async function apiGet<S extends z.ZodType>(baseUrl: string, path: string, schema: S): Promise<z.infer<S>> {
  const res = await fetch(new URL(path, baseUrl));
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return schema.parse(await res.json());
}

export async function apiPost<S extends z.ZodType>(baseUrl: string, path: string, body: unknown, schema: S): Promise<z.infer<S>> {
  const res = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return schema.parse(await res.json());
}

/** Wait until the layered graph has drawn a scene (SVG or canvas) after the page settled. */
export async function waitForGraph(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const s = window.__oretraceRenderStats;
    return !!s && s.firstDrawAt !== null && s.nodes > 0;
  });
}

/** The origin totals table inside `within`, as the page shows it: {cahra, nonCahra, recycled, undisclosed} → the share's text. */
export async function shownOriginTotals(within: Locator): Promise<Record<string, string | null>> {
  return Object.fromEntries(
    await within
      .locator('.origin-totals tr')
      .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-origin'), r.querySelector('td')!.textContent])),
  );
}

/** The origin totals table the page should show for `mix`. */
export function expectedOriginTotals(mix: {
  cahra: number;
  nonCahra: number;
  recycled: number;
  undisclosed: number;
}): Record<string, string> {
  return {
    cahra: formatShare(mix.cahra),
    nonCahra: formatShare(mix.nonCahra),
    recycled: formatShare(mix.recycled),
    undisclosed: formatShare(mix.undisclosed),
  };
}
