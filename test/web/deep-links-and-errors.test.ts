/**
 * Deep links and error states in a real browser: a link reopens the same view, selection, path
 * and simulated failure; Back returns to the previous view; an API problem (404 of an unknown
 * company, a 503 of one analysis) is shown with its title and detail, and "Try again" recovers.
 */
import { describe, expect, it } from 'vitest';
import { ImpactAnswerSchema } from '../../web/src/data/schemas.js';
import { formatShare } from '../../web/src/render/format.js';
import { apiPost, browserPerFile, screenshot, waitForGraph } from './browser.js';

const { base, open, openGraph } = browserPerFile();

describe('deep links', () => {
  it('a link reopens the view, the selected risk path and the selected node', async () => {
    const link = '/?company=aurelia-group&metal=gold&view=paths&node=aurelia-fine-jewellery&path=1';
    const { page, errors, close } = await openGraph(link);
    expect(await page.locator('#tab-paths').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#metal-select').inputValue()).toBe('gold');
    await expect.poll(() => page.locator('.paths-list li[aria-selected="true"]').getAttribute('data-index')).toBe('1');
    await expect.poll(() => page.locator('g.node.emphasised').count()).toBeGreaterThan(1);
    expect(await page.locator('g.node.selected').getAttribute('data-id')).toBe('aurelia-fine-jewellery');
    // The same link in a fresh page gives the same picture.
    await page.reload();
    await waitForGraph(page);
    await expect.poll(() => page.locator('.paths-list li[aria-selected="true"]').getAttribute('data-index')).toBe('1');
    expect(new URL(page.url()).search).toBe(link.slice(1));
    expect(errors).toEqual([]);
    await close();
  });

  it('a link reopens a simulated failure with its impact', async () => {
    const { page, close } = await open('/?company=aurelia-fine-jewellery&metal=gold&view=spof&fail=CID000233&simulate=1');
    const impact = await apiPost(base, '/api/v1/scenarios/impact', { remove: ['CID000233'], metals: ['gold'] }, ImpactAnswerSchema);
    await page.locator('.impact-table').waitFor();
    const lost = await page.locator('.impact-table [data-field="lost"]').allTextContents();
    expect(lost).toEqual(impact.affected.map((a) => formatShare(a.lostShare)));
    expect(await page.locator('.spof-list li[data-id="CID000233"]').getAttribute('aria-selected')).toBe('true');
    await close();
  });

  it('Back returns to the previous view and company', async () => {
    const { page, close } = await openGraph('/?company=aurelia-group&metal=tin');
    await page.locator('#tab-origins').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBe('origins');
    await page.locator('svg.origin-sankey').waitFor();
    await page.goBack();
    await expect.poll(() => page.locator('#tab-explorer').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#graph-panel').isVisible()).toBe(true);
    await close();
  });

  it('an unusable parameter is reported and the rest of the link still works', async () => {
    const { page, close } = await open('/?company=aurelia-group&metal=zinc&view=origins');
    await expect.poll(() => page.locator('#page-status').textContent()).toContain('metal "zinc"');
    await page.locator('svg.origin-sankey').waitFor();
    expect(await page.locator('#metal-select').inputValue()).toBe('tin');
    await close();
  });
});

describe('error states', () => {
  it("a link to an unknown company shows the API's 404 problem", async () => {
    const { page, errors, close } = await open('/?company=no-such-company&metal=tin');
    const status = page.locator('#page-status.status-error');
    await status.waitFor();
    expect(await status.locator('.problem-status').textContent()).toBe('404');
    expect(await status.locator('.problem-title').textContent()).toContain('Not found');
    expect(await status.locator('.problem-detail').textContent()).toBe('No company has id "no-such-company"');
    expect(await page.locator('#views').isHidden()).toBe(true);
    await screenshot(page, 'error-unknown-company');
    // The browser logs the failed request itself; nothing else went wrong.
    expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    await close();
  });

  it('an analysis that fails shows its problem details, and "Try again" recovers', async () => {
    const { page, close } = await open('/');
    let fail = true;
    await page.route('**/api/v1/companies/*/risk-paths?*', async (route) => {
      if (!fail) return route.continue();
      await route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'urn:oretrace:problem:store-unavailable',
          title: 'Service unavailable',
          status: 503,
          detail: 'The graph store cannot be reached',
        }),
      });
    });
    await page.goto('/?company=aurelia-group&metal=tin&view=paths');
    const status = page.locator('#panel-paths .status-error');
    await status.waitFor();
    expect(await status.locator('.problem-title').textContent()).toContain('Service unavailable');
    expect(await status.locator('.problem-detail').textContent()).toBe('The graph store cannot be reached');
    await screenshot(page, 'error-analysis-503');
    fail = false;
    await status.locator('button', { hasText: 'Try again' }).click();
    await expect.poll(() => page.locator('.paths-list li').count()).toBeGreaterThan(0);
    expect(await page.locator('#panel-paths .status-error').count()).toBe(0);
    await close();
  });

  it('a 400 from the API lists the offending fields', async () => {
    const { page, close } = await open('/');
    await page.route('**/api/v1/companies/*/single-points-of-failure?*', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'urn:oretrace:problem:validation-failed',
          title: 'The request is not valid',
          status: 400,
          detail: 'query.metal: Invalid option',
          errors: [{ path: 'query.metal', message: 'Invalid option' }],
        }),
      }),
    );
    await page.goto('/?company=aurelia-group&metal=tin&view=spof');
    const status = page.locator('#panel-spof .status-error');
    await status.waitFor();
    expect(await status.locator('.problem-errors li').allTextContents()).toEqual(['query.metal: Invalid option']);
    await close();
  });

  it('an answer of the wrong shape is reported, not drawn', async () => {
    const { page, close } = await open('/');
    await page.route('**/api/v1/companies/*/origins?*', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: '{"originMix": 3}' }),
    );
    await page.goto('/?company=aurelia-group&metal=tin&view=origins');
    const status = page.locator('#panel-origins .status-error');
    await status.waitFor();
    expect(await status.locator('.problem-title').textContent()).toBe('The answer does not have the documented shape');
    expect(await status.locator('.problem-errors li').count()).toBeGreaterThan(0);
    await close();
  });
});
