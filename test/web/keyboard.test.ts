/**
 * Keyboard use in a real browser: search, tabs, the graph's cursor and selection, and the lists
 * of single points of failure and risk paths, without a mouse.
 */
import { describe, expect, it } from 'vitest';
import { ImpactAnswerSchema, NeighborhoodAnswerSchema } from '../../web/src/data/schemas.js';
import { formatShare } from '../../web/src/render/format.js';
import { apiGet, apiPost, browserPerFile } from './browser.js';

const { base, open, openGraph } = browserPerFile();

const param = (url: string, name: string) => new URL(url).searchParams.get(name);

describe('keyboard', () => {
  it('"/" focuses the search; arrows and Enter pick a company', async () => {
    const { page, close } = await open('/');
    await page.locator('.company-suggestions a').first().waitFor();
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('company-search');
    await page.keyboard.type('aurelia');
    await expect.poll(() => page.locator('#company-options li[role="option"]').count()).toBe(6);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const chosen = await page.locator('#company-options li[aria-selected="true"]').getAttribute('data-id');
    expect(await page.locator('#company-search').getAttribute('aria-activedescendant')).toBe('company-option-2');
    await page.keyboard.press('Enter');
    await expect.poll(() => param(page.url(), 'company')).toBe(chosen);
    await close();
  });

  it('arrow keys move between tabs and switch the view', async () => {
    const { page, close } = await openGraph('/?company=aurelia-group&metal=tin');
    await page.locator('#tab-explorer').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => param(page.url(), 'view')).toBe('origins');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => param(page.url(), 'view')).toBe('spof');
    await page.keyboard.press('End');
    await expect.poll(() => param(page.url(), 'view')).toBe('paths');
    await page.keyboard.press('Home');
    await expect.poll(() => param(page.url(), 'view')).toBe(null);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-explorer');
    await close();
  });

  it('in the graph, arrows move a cursor across tiers, Enter selects, minus and plus collapse and expand', async () => {
    const { page, close } = await openGraph('/?company=aurelia-fine-jewellery&metal=gold');
    const hood = await apiGet(
      base,
      '/api/v1/nodes/aurelia-fine-jewellery/neighborhood?direction=upstream&depth=10&metal=gold&collapse=none',
      NeighborhoodAnswerSchema,
    );
    const tier1 = new Set(hood.nodes.filter((n) => n.tier === 1).map((n) => n.node.id));
    await page.locator('.graph-host').focus();
    await page.keyboard.press('Home');
    expect(await page.locator('g.node.cursor').getAttribute('data-id')).toBe('aurelia-fine-jewellery');
    await page.keyboard.press('ArrowRight');
    const cursor = (await page.locator('g.node.cursor').getAttribute('data-id'))!;
    expect(tier1.has(cursor)).toBe(true);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('g.node.cursor').getAttribute('data-id')).toBe('ulvia-semilavorati-oro-s-r-l');
    await page.keyboard.press('Enter');
    await expect.poll(() => param(page.url(), 'node')).toBe('ulvia-semilavorati-oro-s-r-l');
    await expect.poll(() => page.locator('#panel-explorer .details-title').textContent()).toBe('Ulvia Semilavorati Oro S.r.l.');
    const before = await page.locator('g.node').count();
    await page.keyboard.press('-');
    await expect.poll(() => page.locator('g.node').count()).toBeLessThan(before);
    await page.keyboard.press('+');
    await expect.poll(() => page.locator('g.node').count()).toBe(before);
    await page.keyboard.press('Escape');
    await expect.poll(() => param(page.url(), 'node')).toBe(null);
    await close();
  });

  it('the single-points-of-failure list: arrows move, Space chooses, Enter simulates', async () => {
    const { page, close } = await openGraph('/?company=aurelia-fine-jewellery&metal=gold&view=spof');
    const list = page.locator('.spof-list');
    await list.locator('li[data-id]').first().waitFor();
    await list.focus();
    const first = await list.locator('li[data-active]').getAttribute('data-id');
    await page.keyboard.press('ArrowDown');
    const second = await list.locator('li[data-active]').getAttribute('data-id');
    expect(second).not.toBe(first);
    // The active entry is highlighted in the graph.
    await expect.poll(() => page.locator('g.node.emphasised').getAttribute('data-id')).toBe(second);
    await page.keyboard.press(' ');
    await expect.poll(() => new URL(page.url()).searchParams.getAll('fail')).toEqual([second]);
    await page.keyboard.press('Enter');
    await page.locator('.impact-table').waitFor();
    const impact = await apiPost(base, '/api/v1/scenarios/impact', { remove: [second], metals: ['gold'] }, ImpactAnswerSchema);
    expect(await page.locator('.impact-table [data-field="lost"]').allTextContents()).toEqual(
      impact.affected.map((a) => formatShare(a.lostShare)),
    );
    await close();
  });

  it('the risk-path list: arrows select paths', async () => {
    const { page, close } = await openGraph('/?company=aurelia-group&metal=tin&view=paths');
    const list = page.locator('.paths-list');
    await list.locator('li').first().waitFor();
    await list.focus();
    await expect.poll(() => param(page.url(), 'path')).toBe('0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => param(page.url(), 'path')).toBe('2');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => param(page.url(), 'path')).toBe('1');
    await page.keyboard.press('Escape');
    await expect.poll(() => param(page.url(), 'path')).toBe(null);
    await close();
  });
});
