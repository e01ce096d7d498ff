/**
 * Helpers of the browser tests: Debian's headless Chromium through playwright-core (never a
 * downloaded browser), a page that fails the test on any script error, the API read with the
 * same zod schemas the page uses, and screenshots under test-output/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { z } from 'zod';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-output/screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Containers run as root without user namespaces; the sandbox cannot start there.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

export interface TestPage {
  page: Page;
  /** Script errors and console errors seen so far (expected 404s are filtered by the caller). */
  errors: string[];
  close: () => Promise<void>;
}

export async function openPage(browser: Browser, baseUrl: string, path = '/', viewport = { width: 1400, height: 900 }): Promise<TestPage> {
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
  const res = await fetch(new URL(path, baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
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
