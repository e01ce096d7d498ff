/**
 * Label placement: exact boxes on small hand-made layouts (a label moves to the other side, is
 * truncated or left out when there is no room, earlier labels win, the bounds hold), and on random
 * layouts no placed label meets a node or another label, and each label took the first of its
 * candidates that was free (checked against a brute-force replay).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Box,
  intersects,
  type LabelRequest,
  placeLabels,
  type PlacementOptions,
  type Slot,
  slotBox,
  truncations,
} from '../../../../web/src/render/label-placement.js';

/** A node of radius r centred on (x, y). */
const node = (x: number, y: number, r = 5): Box => ({ x0: x - r, y0: y - r, x1: x + r, y1: y + r });
const SIDES: Slot[] = [{ side: 'right' }, { side: 'left' }];
/** 6 units per character, labels 10 high, 2 from their node, 1 from anything else. */
const OPTIONS: PlacementOptions = { measure: (t) => 6 * t.length, height: 10, gap: 2, margin: 1 };
const request = (id: string, anchor: Box, texts: string[], slots = SIDES): LabelRequest => ({ id, anchor, texts, slots });

describe('slotBox', () => {
  const a = { x0: 0, y0: 0, x1: 10, y1: 20 };
  it('puts a label beside, above or below its node, moved along the side by shift', () => {
    expect(slotBox(a, { side: 'right' }, 30, 10, 2)).toEqual({ x0: 12, y0: 5, x1: 42, y1: 15 });
    expect(slotBox(a, { side: 'left' }, 30, 10, 2)).toEqual({ x0: -32, y0: 5, x1: -2, y1: 15 });
    expect(slotBox(a, { side: 'right', shift: -1 }, 30, 10, 2)).toEqual({ x0: 12, y0: -5, x1: 42, y1: 5 });
    expect(slotBox(a, { side: 'above' }, 30, 10, 2)).toEqual({ x0: -10, y0: -12, x1: 20, y1: -2 });
    expect(slotBox(a, { side: 'below', shift: -1 }, 30, 10, 2)).toEqual({ x0: -25, y0: 22, x1: 5, y1: 32 });
  });
  it('refuses a shift that detaches the label from its node', () => {
    expect(slotBox(a, { side: 'right', shift: 1.5 }, 30, 10, 2)).toBeNull();
    expect(slotBox(a, { side: 'above', shift: 2 }, 10, 10, 2)).toBeNull();
  });
});

describe('truncations', () => {
  it('shortens the name, never the suffix', () => {
    expect(truncations('Abcdefg', ' 5%', 4)).toEqual(['Abcdefg 5%', 'Abcdef… 5%', 'Abcde… 5%', 'Abcd… 5%']);
    expect(truncations('Ab cdef', '', 2)).toEqual(['Ab cdef', 'Ab cde…', 'Ab cd…', 'Ab c…', 'Ab…']);
    expect(truncations('Abc', '', 4)).toEqual(['Abc']);
  });
});

describe('placeLabels', () => {
  it('puts a label on the right, or on the left when a node is in the way', () => {
    const a = node(0, 0);
    const b = node(40, 0);
    const placed = placeLabels([request('a', a, ['Alpha']), request('b', b, ['Beta'])], [a, b], OPTIONS);
    // a's label would need x 7..37 on the right, within 1 of b (35..45): it goes left.
    expect(placed.get('a')).toEqual({
      id: 'a',
      text: 'Alpha',
      box: { x0: -37, y0: -5, x1: -7, y1: 5 },
      slot: { side: 'left' },
      truncated: false,
    });
    expect(placed.get('b')).toEqual({
      id: 'b',
      text: 'Beta',
      box: { x0: 47, y0: -5, x1: 71, y1: 5 },
      slot: { side: 'right' },
      truncated: false,
    });
  });

  it('truncates a label to the room there is, and leaves it out when there is none', () => {
    // Nodes at x = -40, 0, 40: the middle one's label has 40 - 5 - 5 - 2 - 1 = 27 units on either side.
    const nodes = [node(-40, 0), node(0, 0), node(40, 0)];
    const mid = request('m', nodes[1]!, truncations('Magnesium', '', 2), SIDES);
    const placed = placeLabels([mid], nodes, OPTIONS);
    expect(placed.get('m')).toMatchObject({ text: 'Mag…', box: { x0: 7, x1: 31 }, truncated: true });
    const none = placeLabels([request('m', nodes[1]!, ['Magnesium', 'Magnes…'])], nodes, OPTIONS);
    expect(none.has('m')).toBe(false);
  });

  it('gives the room to earlier labels', () => {
    // Two nodes 8 apart vertically: their labels (10 high) cannot both sit on the right.
    const a = node(0, 0);
    const b = node(0, 8);
    const first = placeLabels([request('a', a, ['Aa']), request('b', b, ['Bb'])], [a, b], OPTIONS);
    expect(first.get('a')!.slot).toEqual({ side: 'right' });
    expect(first.get('b')!.slot).toEqual({ side: 'left' });
    const second = placeLabels([request('b', b, ['Bb']), request('a', a, ['Aa'])], [a, b], OPTIONS);
    expect(second.get('b')!.slot).toEqual({ side: 'right' });
    expect(second.get('a')!.slot).toEqual({ side: 'left' });
  });

  it('moves a label along its side, and keeps labels inside the bounds', () => {
    const a = { x0: 0, y0: 0, x1: 10, y1: 40 };
    const blocker = { x0: 12, y0: 16, x1: 60, y1: 24 };
    const slots: Slot[] = [{ side: 'right' }, { side: 'right', shift: -1 }, { side: 'right', shift: 1 }];
    const placed = placeLabels([request('a', a, ['Abc'], slots)], [a, blocker], OPTIONS);
    expect(placed.get('a')).toMatchObject({ slot: { side: 'right', shift: -1 }, box: { x0: 12, y0: 5, x1: 30, y1: 15 } });
    const bounded = placeLabels([request('a', a, ['Abc'], slots)], [a, blocker], {
      ...OPTIONS,
      bounds: { x0: 0, y0: 10, x1: 100, y1: 100 },
    });
    expect(bounded.get('a')).toMatchObject({ slot: { side: 'right', shift: 1 }, box: { x0: 12, y0: 25, x1: 30, y1: 35 } });
  });

  it('on random layouts, no label meets a node or another label, and each took its first free candidate', () => {
    const slots: Slot[] = [{ side: 'right' }, { side: 'left' }, { side: 'above' }, { side: 'below' }, { side: 'right', shift: 0.5 }];
    const arbNode = fc.record({
      x: fc.integer({ min: 0, max: 400 }),
      y: fc.integer({ min: 0, max: 300 }),
      r: fc.integer({ min: 1, max: 12 }),
      name: fc.string({ minLength: 1, maxLength: 24 }),
    });
    fc.assert(
      fc.property(fc.array(arbNode, { minLength: 1, maxLength: 80 }), fc.boolean(), (nodes, bounded) => {
        const boxes = nodes.map((n) => node(n.x, n.y, n.r));
        const requests = nodes.map((n, i) => request(`n${i}`, boxes[i]!, truncations(n.name, ' 1%', 2), slots));
        const options = { ...OPTIONS, ...(bounded ? { bounds: { x0: 0, y0: 0, x1: 400, y1: 300 } } : {}) };
        const placed = placeLabels(requests, boxes, options);
        const labels = [...placed.values()];
        for (const [i, l] of labels.entries()) {
          for (const b of boxes) expect(intersects(l.box, b)).toBe(false);
          for (const m of labels.slice(i + 1)) expect(intersects(l.box, m.box)).toBe(false);
        }
        // Replay: every candidate before the one taken (all of them for a label left out) was blocked.
        const before: Box[] = [];
        for (const r of requests) {
          const got = placed.get(r.id);
          loop: for (const text of r.texts) {
            for (const slot of r.slots) {
              if (got && got.text === text && got.slot === slot) break loop;
              const box = slotBox(r.anchor, slot, options.measure(text, r), options.height, options.gap);
              if (!box) continue;
              const out = options.bounds && (box.x0 < 0 || box.y0 < 0 || box.x1 > 400 || box.y1 > 300);
              expect(out || [...boxes, ...before].some((b) => intersects(box, b, options.margin))).toBe(true);
            }
          }
          if (got) {
            expect(got.box).toEqual(slotBox(r.anchor, got.slot, options.measure(got.text, r), options.height, options.gap));
            expect(got.truncated).toBe(got.text !== r.texts[0]);
            before.push(got.box);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
