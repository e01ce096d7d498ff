/**
 * Legible names on the demo, in a real browser: in the layered view and in the origin Sankey no
 * drawn label covers a node or another label (their boxes as the browser lays them out), most
 * nodes keep a label, and a truncated label's full name is in its node's title and shows on hover
 * and on keyboard focus.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { NeighborhoodAnswerSchema } from '../../web/src/data/schemas.js';
import { apiGet, browserPerFile, screenshot } from './browser.js';

const { base, open, openGraph } = browserPerFile();

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
interface DrawnLabel {
  id: string;
  text: string;
  title: string;
  box: Rect;
}
interface Drawing {
  nodes: { id: string; box: Rect }[];
  labels: DrawnLabel[];
}

/** Two boxes share area (touching edges do not count). */
const meet = (a: Rect, b: Rect) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** Every label that meets a node or another label, as "label ↔ what it meets". */
function overlaps({ nodes, labels }: Drawing): string[] {
  const found: string[] = [];
  for (const [i, l] of labels.entries()) {
    for (const n of nodes) if (meet(l.box, n.box)) found.push(`label ${l.id} "${l.text}" ↔ node ${n.id}`);
    for (const m of labels.slice(i + 1)) if (meet(l.box, m.box)) found.push(`label ${l.id} "${l.text}" ↔ label ${m.id} "${m.text}"`);
  }
  return found;
}

/** The layered view's node glyphs (their outline included) and visible labels, in scene coordinates. */
function layeredDrawing(page: Page): Promise<Drawing> {
  return page.evaluate(() => {
    const nodes: Drawing['nodes'] = [];
    const labels: DrawnLabel[] = [];
    for (const g of document.querySelectorAll<SVGGElement>('.graph-surface g.node')) {
      const m = g.transform.baseVal.consolidate()!.matrix;
      const id = g.dataset.id!;
      const glyph = g.querySelector<SVGPathElement>('path.glyph')!;
      const gb = glyph.getBBox();
      const half = Number.parseFloat(getComputedStyle(glyph).strokeWidth) / 2;
      nodes.push({
        id,
        box: { x0: m.e + gb.x - half, y0: m.f + gb.y - half, x1: m.e + gb.x + gb.width + half, y1: m.f + gb.y + gb.height + half },
      });
      const text = g.querySelector<SVGTextElement>('text.node-label')!;
      if (!text.textContent || getComputedStyle(text).display === 'none') continue;
      const tb = text.getBBox();
      labels.push({
        id,
        text: text.textContent,
        title: g.querySelector('title')!.textContent ?? '',
        box: { x0: m.e + tb.x, y0: m.f + tb.y, x1: m.e + tb.x + tb.width, y1: m.f + tb.y + tb.height },
      });
    }
    return { nodes, labels };
  });
}

/** The Sankey's bars and visible labels, in the SVG's coordinates. */
function sankeyDrawing(page: Page): Promise<Drawing> {
  return page.evaluate(() => {
    const nodes: Drawing['nodes'] = [];
    const labels: DrawnLabel[] = [];
    const box = (b: DOMRect) => ({ x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height });
    for (const g of document.querySelectorAll<SVGGElement>('svg.origin-sankey g.sankey-node')) {
      const id = g.dataset.sankeyNode!;
      nodes.push({ id, box: box(g.querySelector('rect')!.getBBox()) });
      const text = g.querySelector<SVGTextElement>('text.sankey-label')!;
      if (!text.textContent) continue;
      labels.push({ id, text: text.textContent, title: g.querySelector('title')!.textContent ?? '', box: box(text.getBBox()) });
    }
    return { nodes, labels };
  });
}

/** The name part of a truncated label: what comes before its ellipsis. */
const stem = (text: string) => text.slice(0, text.indexOf('…'));

describe('labels', () => {
  for (const [company, metal] of [
    ['aurelia-group', 'tin'],
    ['aurelia-fine-jewellery', 'gold'],
  ] as const) {
    it(`the layered view of ${company} / ${metal}: no label covers a node or another label`, async () => {
      const { page, errors, close } = await openGraph(`/?company=${company}&metal=${metal}`);
      expect(await page.locator('.graph-host').getAttribute('data-renderer')).toBe('svg');
      const drawing = await layeredDrawing(page);
      expect(overlaps(drawing)).toEqual([]);
      // Labels are kept where there is room: most nodes have one.
      expect(drawing.labels.length).toBeGreaterThan(drawing.nodes.length * 0.6);
      await screenshot(page, `labels-layered-${company}-${metal}`);
      expect(errors).toEqual([]);
      await close();
    });
  }

  it('a truncated name in the layered view is in full in its title and tooltip, on hover and on keyboard focus', async () => {
    const { page, errors, close } = await openGraph('/?company=aurelia-group&metal=tin');
    const hood = await apiGet(
      base,
      '/api/v1/nodes/aurelia-group/neighborhood?direction=upstream&depth=10&metal=tin&collapse=none',
      NeighborhoodAnswerSchema,
    );
    const names = new Map(hood.nodes.map((n) => [n.node.id, n.node.name]));
    const truncated = (await layeredDrawing(page)).labels.filter((l) => l.text.includes('…'));
    expect(truncated.length).toBeGreaterThan(0);
    for (const l of truncated) {
      const name = names.get(l.id)!;
      expect(name.startsWith(stem(l.text)), `${l.text} is a truncation of ${name}`).toBe(true);
      expect(l.title.startsWith(`${name} (${l.id})`)).toBe(true);
    }
    const tooltip = page.locator('.graph-tooltip');
    const first = truncated[0]!;
    await page.locator(`g.node[data-id="${first.id}"] path.glyph`).hover();
    await expect.poll(() => tooltip.textContent()).toBe(first.title);
    expect(await tooltip.isVisible()).toBe(true);
    await page.mouse.move(1, 1);
    await expect.poll(() => tooltip.isHidden()).toBe(true);

    // Keyboard: the node under the cursor shows its full title wherever the cursor goes.
    await page.locator('.graph-host').focus();
    for (const key of ['Home', 'ArrowRight', 'ArrowDown', 'ArrowRight', 'ArrowRight']) {
      await page.keyboard.press(key);
      const cursor = page.locator('g.node.cursor');
      const id = await cursor.getAttribute('data-id');
      await expect.poll(() => tooltip.textContent()).toContain(`${names.get(id!)} (${id})`);
      expect(await tooltip.textContent()).toBe(await cursor.locator('title').textContent());
    }
    await screenshot(page, 'labels-layered-keyboard');
    expect(errors).toEqual([]);
    await close();
  });

  for (const [company, metal] of [
    ['aurelia-group', 'tin'],
    ['aurelia-group', 'gold'],
    ['aurelia-wearables', 'cobalt'],
  ] as const) {
    it(`the Sankey of ${company} / ${metal}: no label covers a bar or another label`, async () => {
      const { page, errors, close } = await open(`/?company=${company}&metal=${metal}&view=origins`);
      await page.locator('svg.origin-sankey').waitFor();
      const drawing = await sankeyDrawing(page);
      expect(overlaps(drawing)).toEqual([]);
      expect(drawing.labels.length).toBeGreaterThan(drawing.nodes.length * 0.6);
      await screenshot(page, `labels-sankey-${company}-${metal}`);
      expect(errors).toEqual([]);
      await close();
    });
  }

  it('a truncated name in the Sankey is in full in its title and shows on hover and on focus', async () => {
    const { page, errors, close } = await open('/?company=aurelia-group&metal=tin&view=origins');
    await page.locator('svg.origin-sankey').waitFor();
    const truncated = (await sankeyDrawing(page)).labels.filter((l) => l.text.includes('…'));
    expect(truncated.length).toBeGreaterThan(0);
    const tooltip = page.locator('.sankey-tooltip');
    for (const l of truncated) {
      expect(l.title.startsWith(stem(l.text)), `${l.title} starts with ${stem(l.text)}`).toBe(true);
      expect(l.title.length).toBeGreaterThan(stem(l.text).length + 1);
      const node = page.locator(`[data-sankey-node="${l.id}"]`);
      expect(await node.getAttribute('aria-label')).toBe(l.title);
      await node.focus();
      await expect.poll(() => tooltip.isVisible()).toBe(true);
      expect(await tooltip.textContent()).toBe(l.title);
    }
    await page.locator('.highlight-cahra-toggle').focus();
    await expect.poll(() => tooltip.isHidden()).toBe(true);
    const first = page.locator(`[data-sankey-node="${truncated[0]!.id}"] rect`);
    await first.hover();
    await expect.poll(() => tooltip.textContent()).toBe(truncated[0]!.title);
    await screenshot(page, 'labels-sankey-focus');
    expect(errors).toEqual([]);
    await close();
  });
});
