/**
 * The page works under a strict content security policy (no inline scripts or styles, no eval,
 * no other origin): every view is opened with such a header added to the page, and the browser
 * must report no violation.
 */
import { describe, expect, it } from 'vitest';
import { browserPerFile, waitForGraph } from './browser.js';

const { newContext } = browserPerFile();

const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

describe('content security policy', () => {
  it('every view works with no violation under a strict policy', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.route('**/*', async (route) => {
      if (route.request().resourceType() !== 'document') return route.continue();
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': STRICT_CSP } });
    });
    await page.goto('/?company=aurelia-group&metal=tin');
    await waitForGraph(page);
    await page.locator('#panel-explorer .origin-totals').waitFor();
    // The stacked bars got their widths through the CSSOM, not a blocked style attribute.
    const width = await page
      .locator('#panel-explorer .bar-seg')
      .first()
      .evaluate((el) => (el as HTMLElement).style.width);
    expect(width).toMatch(/%$/);
    for (const view of ['origins', 'spof', 'paths'] as const) {
      await page.locator(`#tab-${view}`).click();
      await page.locator(`#panel-${view}`).waitFor();
    }
    await page.locator('#tab-origins').click();
    await page.locator('svg.world-map').waitFor();
    expect(problems).toEqual([]);
    // The policy was in force: a style attribute in markup is refused (and reported).
    const blocked = await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<span id="csp-probe" style="color: rgb(1, 2, 3)">probe</span>');
      return getComputedStyle(document.getElementById('csp-probe')!).color;
    });
    expect(blocked).not.toBe('rgb(1, 2, 3)');
    await expect.poll(() => problems.some((p) => /Content Security Policy/i.test(p))).toBe(true);
    await context.close();
  });
});
