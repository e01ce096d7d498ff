/**
 * The canvas renderer in a real browser: a view above the threshold (or forced with
 * renderer=canvas) is drawn on one canvas, stays interactive (pointer and keyboard selection,
 * panning redraws) and keeps the marks of the other views.
 */
import { describe, expect, it } from 'vitest';
import { CANVAS_THRESHOLD } from '../../web/src/render/graph-renderer.js';
import { browserPerFile, screenshot } from './browser.js';

const { openGraph } = browserPerFile();

describe('canvas drawing', () => {
  it('draws on canvas above the threshold and on SVG below it', async () => {
    expect(CANVAS_THRESHOLD).toBe(1500);
    const { page, close } = await openGraph('/?company=aurelia-group&metal=tin');
    const stats = await page.evaluate(() => window.__oretraceRenderStats!);
    expect(stats.nodes + stats.edges).toBeLessThanOrEqual(CANVAS_THRESHOLD);
    expect(await page.locator('.graph-host').getAttribute('data-renderer')).toBe('svg');
    await close();
  });

  it('a canvas view is selectable by pointer and keyboard, and redraws while panning', async () => {
    const { page, errors, close } = await openGraph('/?company=aurelia-group&metal=tin&renderer=canvas');
    expect(await page.locator('.graph-host').getAttribute('data-renderer')).toBe('canvas');
    expect(await page.locator('g.node').count()).toBe(0);
    // Keyboard: Home is the focal company; Enter selects it.
    await page.locator('.graph-host').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('node')).not.toBe(null);
    // Pointer: a click where the renderer drew a smelter selects it (hit-testing by quadtree).
    await page.keyboard.press('f');
    const at = await page.evaluate(() => window.__oretraceRenderStats!.locate('CID001314'));
    expect(at).not.toBe(null);
    await page.mouse.click(at![0], at![1]);
    await expect.poll(() => new URL(page.url()).searchParams.get('node')).toBe('CID001314');
    await expect.poll(() => page.locator('#panel-explorer .details-title').textContent()).toBe('O.M. Manufacturing (Thailand) Co., Ltd.');
    const box = (await page.locator('.graph-host canvas').boundingBox())!;
    const drawsBefore = await page.evaluate(() => window.__oretraceRenderStats!.draws);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width / 2 + i * 15, box.y + box.height / 2 + i * 5);
    await page.mouse.up();
    await expect.poll(() => page.evaluate(() => window.__oretraceRenderStats!.draws)).toBeGreaterThan(drawsBefore + 3);
    await screenshot(page, 'explorer-canvas');
    expect(errors).toEqual([]);
    await close();
  });

  it('a canvas view shows a selected risk path', async () => {
    const { page, close } = await openGraph('/?company=aurelia-group&metal=tin&view=paths&path=0&renderer=canvas');
    await page.locator('.paths-list li[aria-selected="true"]').waitFor();
    expect(await page.locator('.graph-host').getAttribute('data-renderer')).toBe('canvas');
    await screenshot(page, 'risk-paths-canvas');
    await close();
  });
});
