/**
 * Risk paths in a real browser: the top-k list is the API's (order, weights, hops), and selecting
 * a path highlights exactly its nodes and edges in the layered view.
 */
import { describe, expect, it } from 'vitest';
import { RiskPathsAnswerSchema } from '../../web/src/data/schemas.js';
import { formatWeight } from '../../web/src/views/risk-paths-view.js';
import { apiGet, browserPerFile, screenshot, waitForGraph } from './browser.js';

const { base, open } = browserPerFile();

describe('risk paths view', () => {
  it("lists the API's top-k paths and highlights the selected one in the graph", async () => {
    const { page, errors, close } = await open('/?company=aurelia-group&metal=tin&view=paths');
    const answer = await apiGet(base, '/api/v1/companies/aurelia-group/risk-paths?metal=tin&limit=10', RiskPathsAnswerSchema);
    const items = page.locator('.paths-list li');
    await expect.poll(() => items.count()).toBe(answer.paths.length);
    expect(await page.locator('.paths-list [data-field="weight"]').allTextContents()).toEqual(
      answer.paths.map((p) => formatWeight(p.weight)),
    );
    const sources = await page.locator('.paths-list .path-source').allTextContents();
    sources.forEach((s, i) => expect(s).toContain(answer.paths[i]!.hops.at(-1)!.name));

    await waitForGraph(page);
    await items.nth(2).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('path')).toBe('2');
    const hops = answer.paths[2]!.hops.map((h) => h.id);
    await expect
      .poll(() => page.locator('g.node.emphasised').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort()))
      .toEqual([...hops].sort());
    const edges = await page
      .locator('path.edge.emphasised')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`).sort());
    expect(edges).toEqual(
      hops
        .slice(1)
        .map((id, j) => `${id}>${hops[j]}`)
        .sort(),
    );
    await screenshot(page, 'risk-paths');
    expect(errors).toEqual([]);
    await close();
  });

  it('asks the API for more paths when k changes', async () => {
    const { page, close } = await open('/?company=aurelia-group&metal=gold&view=paths');
    await page.locator('.paths-limit').selectOption('20');
    const answer = await apiGet(base, '/api/v1/companies/aurelia-group/risk-paths?metal=gold&limit=20', RiskPathsAnswerSchema);
    await expect.poll(() => page.locator('.paths-list li').count()).toBe(answer.paths.length);
    expect(new URL(page.url()).searchParams.get('k')).toBe('20');
    await close();
  });
});
