/**
 * Single points of failure in a real browser: the list and redundancy are the API's, hovering an
 * entry highlights the node in the graph, and "simulate failure" shows the impact the API computes
 * for one node and for several.
 */
import { describe, expect, it } from 'vitest';
import { ImpactAnswerSchema, SinglePointsOfFailureAnswerSchema } from '../../web/src/data/schemas.js';
import { formatShare } from '../../web/src/render/format.js';
import { apiGet, apiPost, browserPerFile, screenshot, waitForGraph } from './browser.js';

const { base, open, openGraph } = browserPerFile();

async function impactRows(page: import('playwright-core').Page) {
  return page
    .locator('.impact-table tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => [
        r.getAttribute('data-id'),
        r.getAttribute('data-metal'),
        r.querySelector('[data-field="lost"]')!.textContent,
        r.querySelectorAll('td')[2]!.textContent,
      ]),
    );
}

describe('single points of failure view', () => {
  it("lists the API's single points of failure with share and redundancy", async () => {
    const { page, errors, close } = await open('/?company=aurelia-fine-jewellery&metal=gold&view=spof');
    const spof = await apiGet(
      base,
      '/api/v1/companies/aurelia-fine-jewellery/single-points-of-failure?metal=gold',
      SinglePointsOfFailureAnswerSchema,
    );
    const list = page.locator('.spof-list');
    await expect.poll(() => list.locator('li[data-id]').count()).toBeGreaterThan(0);
    const items = await list
      .locator('li[data-id]')
      .evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-id'), li.querySelector('[data-field="share"]')!.textContent]));
    const expected = spof.singlePointsOfFailure.map((s) => [s.id, formatShare(s.share)]);
    for (const id of spof.minimumCut) if (!spof.singlePointsOfFailure.some((s) => s.id === id)) expected.push([id, 'minimum cut']);
    expect(items).toEqual(expected);
    expect(await page.locator('#panel-spof [data-field="redundancy"]').textContent()).toBe(String(spof.redundancy));
    await waitForGraph(page);
    // Every single point of failure is badged in the graph.
    await expect
      .poll(() => page.locator('g.node.spof').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort()))
      .toEqual(spof.singlePointsOfFailure.map((s) => s.id).sort());
    expect(errors).toEqual([]);
    await close();
  });

  it('hovering an entry highlights that node in the graph', async () => {
    const { page, close } = await openGraph('/?company=aurelia-fine-jewellery&metal=gold&view=spof');
    const item = page.locator('.spof-list li[data-id="kelris-leghe-preziose-s-r-l"]');
    await item.hover();
    const node = page.locator('g.node[data-id="kelris-leghe-preziose-s-r-l"]');
    await expect.poll(() => node.getAttribute('class')).toContain('emphasised');
    expect(await page.locator('g.node.emphasised').count()).toBe(1);
    expect(await page.locator('g.node.dimmed').count()).toBeGreaterThan(0);
    await close();
  });

  it('"simulate failure" of one node shows the impact the API computes', async () => {
    const { page, errors, close } = await openGraph('/?company=aurelia-fine-jewellery&metal=gold&view=spof');
    await page.locator('.spof-list li[data-id="CID000233"]').click();
    await expect.poll(() => new URL(page.url()).searchParams.getAll('fail')).toEqual(['CID000233']);
    await page.locator('button.simulate').click();
    const impact = await apiPost(base, '/api/v1/scenarios/impact', { remove: ['CID000233'], metals: ['gold'] }, ImpactAnswerSchema);
    await page.locator('.impact-table').waitFor();
    expect(await impactRows(page)).toEqual(
      impact.affected.map((a) => [a.id, a.metal, formatShare(a.lostShare), a.cutOff ? 'cut off' : 'no']),
    );
    expect(await page.locator('[data-field="affected-count"]').textContent()).toBe(String(impact.affected.length));
    expect(await page.locator('[data-field="cutoff-count"]').textContent()).toBe(String(impact.affected.filter((a) => a.cutOff).length));
    expect(await page.locator('g.node[data-id="CID000233"]').getAttribute('class')).toContain('removed');
    expect(await page.locator('g.node[data-id="aurelia-fine-jewellery"]').getAttribute('class')).toContain('affected');
    expect(new URL(page.url()).searchParams.get('simulate')).toBe('1');
    await screenshot(page, 'spof-simulated-failure');
    expect(errors).toEqual([]);
    await close();
  });

  it('simulates the failure of several nodes, across all metals on request', async () => {
    const { page, close } = await openGraph('/?company=aurelia-group&metal=tin&view=spof');
    const spof = await apiGet(
      base,
      '/api/v1/companies/aurelia-group/single-points-of-failure?metal=tin',
      SinglePointsOfFailureAnswerSchema,
    );
    // aurelia-group's tin has no single point of failure; its minimum cut is listed instead.
    const ids = [...spof.singlePointsOfFailure.map((s) => s.id), ...spof.minimumCut].filter((v, i, a) => a.indexOf(v) === i).slice(0, 2);
    expect(ids.length).toBe(2);
    for (const id of ids) await page.locator(`.spof-list li[data-id="${id}"]`).click();
    await page.locator('.all-metals').check();
    await page.locator('button.simulate').click();
    const impact = await apiPost(base, '/api/v1/scenarios/impact', { remove: ids }, ImpactAnswerSchema);
    await page.locator('.impact-table').waitFor();
    expect(await impactRows(page)).toEqual(
      impact.affected.map((a) => [a.id, a.metal, formatShare(a.lostShare), a.cutOff ? 'cut off' : 'no']),
    );
    await close();
  });
});
