/**
 * The explorer in a real browser on the demo: the page loads, search picks a company, the layered
 * view draws exactly the neighbourhood the API returns, and the details panel shows the API's
 * figures (risk, origin mix, smelter mix, single point of failure).
 */
import { describe, expect, it } from 'vitest';
import {
  NeighborhoodAnswerSchema,
  OriginsAnswerSchema,
  RiskAnswerSchema,
  SinglePointsOfFailureAnswerSchema,
} from '../../web/src/data/schemas.js';
import { formatRisk, formatShare } from '../../web/src/render/format.js';
import { apiGet, browserPerFile, expectedOriginTotals, screenshot, shownOriginTotals, waitForGraph } from './browser.js';

const { base, open, openGraph } = browserPerFile();

describe('explorer', () => {
  it('loads on the demo with suggestions and no script error', async () => {
    const { page, errors, close } = await open('/');
    await page.waitForSelector('.company-suggestions a');
    const names = await page.locator('.company-suggestions a').allTextContents();
    expect(names).toContain('Aurelia Watch & Electronics Group');
    expect(await page.locator('#views').isHidden()).toBe(true);
    await screenshot(page, 'welcome');
    expect(errors).toEqual([]);
    await close();
  });

  it('search picks a company and draws its upstream graph as the API returns it', async () => {
    const { page, errors, close } = await open('/');
    await page.waitForSelector('.company-suggestions a');
    await page.locator('#company-search').fill('fine jewel');
    const option = page.locator('#company-options li[role="option"]');
    await expect.poll(() => option.count()).toBe(1);
    await expect.poll(() => option.first().textContent()).toContain('Aurelia Fine Jewellery S.p.A.');
    await option.first().click();
    await expect.poll(() => new URL(page.url()).searchParams.get('company')).toBe('aurelia-fine-jewellery');
    await waitForGraph(page);

    const hood = await apiGet(
      base,
      '/api/v1/nodes/aurelia-fine-jewellery/neighborhood?direction=upstream&depth=10&metal=tin&collapse=none',
      NeighborhoodAnswerSchema,
    );
    const drawn = await page.locator('g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
    expect(drawn).toEqual(hood.nodes.map((n) => n.node.id).sort());
    expect(await page.locator('path.edge').count()).toBe(hood.relationships.length);
    expect(await page.locator('.graph-summary').textContent()).toContain(
      `${hood.nodes.length} nodes, ${hood.relationships.length} SUPPLIES of tin`,
    );
    expect(errors).toEqual([]);
    await close();
  });

  it('shows the focal company with the risk, origin mix and smelter mix the API computes', async () => {
    const { page, errors, close } = await openGraph('/?company=aurelia-group&metal=tin');
    const [risk, origins, spof] = await Promise.all([
      apiGet(base, '/api/v1/companies/aurelia-group/risk?metal=tin&limit=10', RiskAnswerSchema),
      apiGet(base, '/api/v1/companies/aurelia-group/origins?metal=tin', OriginsAnswerSchema),
      apiGet(base, '/api/v1/companies/aurelia-group/single-points-of-failure?metal=tin', SinglePointsOfFailureAnswerSchema),
    ]);
    const details = page.locator('#panel-explorer .details');
    await expect.poll(() => details.locator('[data-field="risk"]').textContent()).toBe(formatRisk(risk.risk));
    expect(await details.locator('[data-field="intrinsic"]').textContent()).toBe(formatRisk(risk.intrinsic));
    expect(await details.locator('[data-contributor]').evaluateAll((els) => els.map((e) => e.getAttribute('data-contributor')))).toEqual(
      risk.contributors.map((c) => c.id),
    );
    expect(await details.locator('[data-field="redundancy"] strong').textContent()).toBe(String(spof.redundancy));

    const mix = origins.originMix!;
    expect(await shownOriginTotals(details)).toEqual(expectedOriginTotals(mix));
    const topCountries = Object.entries(mix.byCountry)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8);
    const shownCountries = await details
      .locator('.origin-countries tr[data-country]')
      .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-country'), r.querySelector('td')!.textContent]));
    expect(shownCountries).toEqual(topCountries.map(([c, s]) => [c, formatShare(s)]));
    const smelters = origins.smelterMix!;
    const statusRows = Object.fromEntries(
      await details
        .locator('.smelter-status tr')
        .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-rmap'), r.querySelector('td')!.textContent])),
    );
    const expected: Record<string, string> = { notThroughSmelter: formatShare(smelters.notThroughSmelter) };
    for (const [status, share] of Object.entries(smelters.byRmapStatus)) if (share > 0) expected[status] = formatShare(share);
    expect(statusRows).toEqual(expected);
    await screenshot(page, 'explorer');
    expect(errors).toEqual([]);
    await close();
  });

  it('marks CAHRA countries, colours nodes by risk and sizes edges by share', async () => {
    const { page, close } = await openGraph('/?company=aurelia-group&metal=tin');
    const hood = await apiGet(
      base,
      '/api/v1/nodes/aurelia-group/neighborhood?direction=upstream&depth=10&metal=tin&collapse=none',
      NeighborhoodAnswerSchema,
    );
    const cahra = hood.nodes
      .filter((n) => n.node.label === 'Country' && n.node.cahra)
      .map((n) => n.node.id)
      .sort();
    expect(cahra.length).toBeGreaterThan(0);
    const marked = await page.locator('g.node.cahra').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
    expect(marked).toEqual(cahra);
    // The most and least risky drawn nodes have different fills.
    const fills = new Set(await page.locator('g.node path.glyph').evaluateAll((els) => els.map((e) => e.getAttribute('fill'))));
    expect(fills.size).toBeGreaterThan(10);
    // An edge with a declared share of 1 is drawn at the widest, a share of 0.1 much thinner.
    const full = hood.relationships.find((r) => r.share === 1);
    if (full) {
      const width = await page.locator(`path.edge[data-from="${full.from}"][data-to="${full.to}"]`).getAttribute('stroke-width');
      expect(Number(width)).toBeCloseTo(7, 5);
    }
    await close();
  });

  it('clicking a smelter shows its RMAP status, its share of the intake and whether it is a single point of failure', async () => {
    const { page, errors, close } = await openGraph('/?company=aurelia-fine-jewellery&metal=gold');
    const [origins, spof] = await Promise.all([
      apiGet(base, '/api/v1/companies/aurelia-fine-jewellery/origins?metal=gold', OriginsAnswerSchema),
      apiGet(base, '/api/v1/companies/aurelia-fine-jewellery/single-points-of-failure?metal=gold', SinglePointsOfFailureAnswerSchema),
    ]);
    await page.locator('g.node[data-id="CID000233"]').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('node')).toBe('CID000233');
    const details = page.locator('#panel-explorer .details');
    await expect.poll(() => details.locator('.details-title').textContent()).toBe('Chimet S.p.A.');
    expect(await details.locator('[data-field="rmap"]').textContent()).toBe('Conformant');
    expect(await details.locator('[data-field="through"]').textContent()).toBe(formatShare(origins.smelterMix!.bySmelter.CID000233!));
    const share = spof.singlePointsOfFailure.find((s) => s.id === 'CID000233')!.share;
    expect(await details.locator('[data-field="spof"]').textContent()).toContain(`Single point of failure: ${formatShare(share)}`);
    expect(await page.locator('g.node[data-id="CID000233"]').getAttribute('class')).toContain('selected');
    await screenshot(page, 'explorer-smelter-details');
    expect(errors).toEqual([]);
    await close();
  });

  it("collapses and expands a node's suppliers", async () => {
    const { page, close } = await openGraph('/?company=aurelia-fine-jewellery&metal=gold');
    const before = await page.locator('g.node').count();
    await page.locator('g.node[data-id="ulvia-semilavorati-oro-s-r-l"]').dblclick();
    // Everything upstream of Ulvia runs through it: only the company, tier 1 and Ulvia remain.
    await expect.poll(() => page.locator('g.node').count()).toBeLessThan(before);
    expect(await page.locator('g.node[data-id="CID000233"]').count()).toBe(0);
    expect(await page.locator('g.node[data-id="ulvia-semilavorati-oro-s-r-l"]').getAttribute('class')).toContain('has-hidden');
    await page.locator('g.node[data-id="ulvia-semilavorati-oro-s-r-l"]').dblclick();
    await expect.poll(() => page.locator('g.node').count()).toBe(before);
    await close();
  });

  it('expands a node at the edge of a shallow graph by loading its suppliers', async () => {
    const { page, errors, close } = await openGraph('/?company=aurelia-fine-jewellery&metal=gold&depth=2');
    const hood2 = await apiGet(
      base,
      '/api/v1/nodes/aurelia-fine-jewellery/neighborhood?direction=upstream&depth=2&metal=gold&collapse=none',
      NeighborhoodAnswerSchema,
    );
    expect(await page.locator('g.node').count()).toBe(hood2.nodes.length);
    const edge = hood2.nodes.find((n) => n.tier === 2)!.node.id;
    await page.locator(`g.node[data-id="${edge}"]`).click();
    await page.locator('#panel-explorer [data-action="expand"]').click();
    await expect.poll(() => page.locator('g.node').count()).toBeGreaterThan(hood2.nodes.length);
    expect(errors).toEqual([]);
    await close();
  });

  it('draws a grouped neighbourhood when the server collapses it', async () => {
    const { page, close } = await openGraph('/?company=aurelia-group&metal=tin&group=tier');
    const hood = await apiGet(
      base,
      '/api/v1/nodes/aurelia-group/neighborhood?direction=upstream&depth=10&metal=tin&collapse=tier',
      NeighborhoodAnswerSchema,
    );
    const groups = await page.locator('g.node[data-kind="Group"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
    expect(groups).toEqual(hood.collapsed!.groups.map((g) => g.key).sort());
    expect(await page.locator('.graph-summary').textContent()).toContain(`${hood.totalNodes} nodes`);
    await screenshot(page, 'explorer-grouped');
    await close();
  });
});
