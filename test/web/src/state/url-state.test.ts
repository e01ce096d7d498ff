/**
 * Deep links: every state the page can be in survives formatting and parsing unchanged (checked
 * on random states with fast-check); defaults stay out of the link; unusable parameters fall back
 * to their defaults and are reported by name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METAL_IDS } from '../../../../graph/metals.js';
import {
  DEFAULT_STATE,
  formatUrlState,
  GROUPINGS,
  MAX_DEPTH,
  parseUrlState,
  RENDERERS,
  VIEWS,
  type UrlState,
} from '../../../../web/src/state/url-state.js';

// Ids as the API allows them: printable, trimmed, any punctuation (commas, ampersands, spaces inside).
const id = fc
  .string({ minLength: 1, maxLength: 30 })
  .map((s) => s.replace(/\p{Cc}/gu, '').trim())
  .filter((s) => s.length > 0);

const state: fc.Arbitrary<UrlState> = fc.record({
  company: fc.option(id, { nil: null }),
  metal: fc.constantFrom(...METAL_IDS),
  view: fc.constantFrom(...VIEWS),
  node: fc.option(id, { nil: null }),
  path: fc.option(fc.integer({ min: 0, max: 99 }), { nil: null }),
  k: fc.integer({ min: 1, max: 100 }),
  fail: fc.array(id, { maxLength: 5 }),
  simulate: fc.boolean(),
  depth: fc.integer({ min: 1, max: MAX_DEPTH }),
  grouping: fc.constantFrom(...GROUPINGS),
  renderer: fc.constantFrom(...RENDERERS),
});

describe('url state', () => {
  it('parses what it formats, for any state', () => {
    fc.assert(
      fc.property(state, (s) => {
        const expected = { ...s, simulate: s.simulate && s.fail.length > 0 };
        const parsed = parseUrlState(formatUrlState(s));
        expect(parsed.problems).toEqual([]);
        expect(parsed.state).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves defaults out of the link', () => {
    expect(formatUrlState(DEFAULT_STATE)).toBe('');
    expect(formatUrlState({ ...DEFAULT_STATE, company: 'aurelia-group' })).toBe('?company=aurelia-group&metal=tin');
    expect(formatUrlState({ ...DEFAULT_STATE, company: 'a', view: 'spof', fail: ['x,1', 'y'], simulate: true })).toBe(
      '?company=a&metal=tin&view=spof&fail=x%2C1&fail=y&simulate=1',
    );
  });

  it('reports each unusable parameter and keeps the rest', () => {
    const { state: s, problems } = parseUrlState('?company=aurelia-group&metal=zinc&view=map&depth=0&path=-1&k=5&group=tier');
    expect(s).toEqual({ ...DEFAULT_STATE, company: 'aurelia-group', k: 5, grouping: 'tier' });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['metal', 'view', 'path', 'depth']);
    expect(problems[0]).toMatch(/^metal "zinc": /);
  });

  it('drops "simulate" when no node was chosen to fail', () => {
    expect(parseUrlState('?company=a&simulate=1').state.simulate).toBe(false);
  });
});
