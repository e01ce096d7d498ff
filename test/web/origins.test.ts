/**
 * The origins view in a real browser: the origin and smelter mix figures are the API's, the Sankey
 * labels countries and smelters with the API's shares and highlights CAHRA flows, and the world
 * map shades the origin countries.
 */
import { describe, expect, it } from 'vitest';
import { OriginsAnswerSchema } from '../../web/src/data/schemas.js';
import { formatShare } from '../../web/src/render/format.js';
import { apiGet, browserPerFile, expectedOriginTotals, screenshot, shownOriginTotals } from './browser.js';

const { base, open } = browserPerFile();

describe('origins view', () => {
  for (const [company, metal] of [
    ['aurelia-group', 'tin'],
    ['aurelia-group', 'gold'],
    ['aurelia-wearables', 'cobalt'],
  ] as const) {
    it(`shows the API's origin mix of ${company} / ${metal} in figures, Sankey and map`, async () => {
      const { page, errors, close } = await open(`/?company=${company}&metal=${metal}&view=origins`);
      const origins = await apiGet(base, `/api/v1/companies/${company}/origins?metal=${metal}`, OriginsAnswerSchema);
      const mix = origins.originMix!;
      const figures = page.locator('.origins-figures');
      await figures.locator('.origin-countries').waitFor();

      const countries = await figures
        .locator('.origin-countries tr[data-country]')
        .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-country'), r.querySelector('td')!.textContent]));
      const expected = Object.entries(mix.byCountry).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      expect(countries).toEqual(expected.map(([c, s]) => [c, formatShare(s)]));
      expect(await shownOriginTotals(figures)).toEqual(expectedOriginTotals(mix));

      // Sankey: one node per origin country, labelled with the API's share; CAHRA ones marked.
      await page.locator('svg.origin-sankey').waitFor();
      for (const [code, share] of expected) {
        const label = await page.locator(`[data-sankey-node="country:${code}"] text`).textContent();
        expect(label).toContain(formatShare(share));
      }
      const cahraNodes = await page.locator('.sankey-node.kind-country.cahra').count();
      const cahraLinks = await page.locator('.sankey-link.flow-cahra').count();
      if (mix.cahra > 0) {
        expect(cahraNodes).toBeGreaterThan(0);
        expect(cahraLinks).toBeGreaterThan(0);
      } else expect(cahraLinks).toBe(0);
      for (const [id, share] of Object.entries(origins.smelterMix!.bySmelter)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)) {
        expect(await page.locator(`[data-sankey-node="smelter:${id}"] text`).textContent()).toContain(formatShare(share));
      }
      // The bands reach the company with the API's totals: no "differs" warning.
      expect(await page.locator('.origins-sankey .warning').count()).toBe(0);

      // Map: drawn, with the origin countries it has shapes for shaded.
      await page.locator('svg.world-map').waitFor();
      expect(await page.locator('svg.world-map .map-country').count()).toBeGreaterThan(150);
      await screenshot(page, `origins-${company}-${metal}`);
      expect(errors).toEqual([]);
      await close();
    });
  }

  it('switching off "highlight CAHRA flows" stops fading the other flows', async () => {
    const { page, close } = await open('/?company=aurelia-group&metal=tin&view=origins');
    const svg = page.locator('svg.origin-sankey');
    await svg.waitFor();
    expect(await svg.getAttribute('class')).toContain('highlight-cahra');
    await page.locator('.highlight-cahra-toggle').uncheck();
    expect(await svg.getAttribute('class')).not.toContain('highlight-cahra');
    await close();
  });
});
