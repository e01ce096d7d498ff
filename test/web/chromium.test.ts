/**
 * Which Chromium the browser tests drive: CHROMIUM_PATH, then a system browser on PATH, then the
 * one the devDependency @sparticuz/chromium ships (no browser download, no system package).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, resolveChromium } from './chromium.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = mkdtempSync(join(tmpdir(), 'oretrace-chromium-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A tiny executable (or not) shell script standing in for a browser. */
function writeFake(path: string, executable: boolean): string {
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}

describe('resolveChromium', () => {
  it('takes CHROMIUM_PATH over a browser on PATH', () => {
    const onPath = writeFake(join(scratch, 'chromium'), true);
    const explicit = writeFake(join(scratch, 'my-chrome'), true);
    expect(resolveChromium({ CHROMIUM_PATH: explicit, PATH: dirname(onPath) })).toEqual({
      executablePath: explicit,
      source: 'CHROMIUM_PATH',
      env: {},
    });
  });

  it('fails when CHROMIUM_PATH names no executable file, rather than falling back', () => {
    const notExecutable = writeFake(join(scratch, 'not-executable'), false);
    expect(() => resolveChromium({ CHROMIUM_PATH: notExecutable, PATH: '' })).toThrow(/CHROMIUM_PATH=.*names no executable file/);
    expect(() => resolveChromium({ CHROMIUM_PATH: join(scratch, 'missing'), PATH: '' })).toThrow(/names no executable file/);
  });

  it('finds chromium, then chromium-browser, then google-chrome on PATH, skipping files that are not executable', () => {
    const first = mkdtempSync(join(scratch, 'path-a-'));
    const second = mkdtempSync(join(scratch, 'path-b-'));
    writeFake(join(first, 'chromium'), false);
    writeFake(join(first, 'google-chrome'), true);
    const browser = writeFake(join(second, 'chromium-browser'), true);
    expect(resolveChromium({ PATH: `${first}:${second}` })).toEqual({ executablePath: browser, source: 'PATH', env: {} });
    const chrome = join(first, 'google-chrome');
    rmSync(browser);
    expect(resolveChromium({ PATH: `${first}:${second}` }).executablePath).toBe(chrome);
  });

  it('falls back to the Chromium shipped inside the npm package, which launches and renders a page', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules/@sparticuz/chromium/package.json'), 'utf8')) as { version: string };
    const found = resolveChromium({ PATH: '' });
    expect(found.source).toMatch(new RegExp(`^@sparticuz/chromium@${pkg.version.replaceAll('.', '\\.')} `));
    expect(found.executablePath).toBe(join(ROOT, '.oretrace/chromium', pkg.version, 'chromium'));
    // Its NSS libraries come from the package too, so the system needs none.
    expect(found.env.LD_LIBRARY_PATH?.split(':')[0]).toBe(join(ROOT, '.oretrace/chromium', pkg.version, 'lib'));

    // Launched with an environment that has no PATH: nothing of the system's browser is used.
    const browser = await chromium.launch({
      executablePath: found.executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      env: { HOME: scratch, ...found.env },
    });
    try {
      // The package's major version is the Chromium major it ships.
      expect(browser.version().split('.')[0]).toBe(pkg.version.split('.')[0]);
      const page = await browser.newPage();
      await page.setContent(
        '<canvas width="4" height="4"></canvas><script>const c = document.querySelector("canvas").getContext("2d"); c.fillStyle = "#0a0"; c.fillRect(0, 0, 4, 4);</script>',
      );
      expect(await page.evaluate(() => [...document.querySelector('canvas')!.getContext('2d')!.getImageData(1, 1, 1, 1).data])).toEqual([
        0, 170, 0, 255,
      ]);
    } finally {
      await browser.close();
    }
  });

  it('is a pinned devDependency without an install script (nothing is fetched when it installs)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string; dev?: boolean; hasInstallScript?: boolean }>;
    };
    const locked = lock.packages['node_modules/@sparticuz/chromium'];
    expect(manifest.devDependencies['@sparticuz/chromium']).toBe(locked?.version);
    expect(locked).toMatchObject({ dev: true });
    expect(locked?.hasInstallScript).toBeUndefined();
  });
});
