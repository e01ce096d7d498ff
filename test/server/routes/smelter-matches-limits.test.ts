/**
 * Smelter names are capped (SMELTER_NAME_MAX_LENGTH): matching works in proportion to their
 * lengths, so a longer one is refused with a 400 naming the field, wherever a name comes in.
 */
import { describe, expect, it } from 'vitest';
import { SMELTER_NAME_MAX_LENGTH } from '../../../graph/model.js';
import { embeddedHarnessPerTest } from '../app-harness.js';

const h = embeddedHarnessPerTest();
const atCap = `q${'a'.repeat(SMELTER_NAME_MAX_LENGTH - 1)}`;
const overCap = `${atCap}b`;
const paths = (body: { errors?: Array<{ path: string }> }) => (body.errors ?? []).map((e) => e.path);
const smelter = (over: Record<string, unknown>) => ({
  label: 'Smelter',
  id: 'LONG-1',
  name: 'Long name smelter',
  metal: 'tin',
  country: 'CN',
  ...over,
});

describe(`smelter names longer than ${SMELTER_NAME_MAX_LENGTH} characters`, () => {
  it('GET /smelter-matches: a name over the cap is a 400 naming query.name; at the cap it is answered', async () => {
    const over = await h.app.inject({ url: `/api/v1/smelter-matches?metal=tin&name=${overCap}` });
    expect(over.statusCode).toBe(400);
    expect(over.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(paths(over.json())).toEqual(['query.name']);
    const at = await h.app.inject({ url: `/api/v1/smelter-matches?metal=tin&name=${atCap}` });
    expect(at.statusCode).toBe(200);
    expect(at.json()).toMatchObject({ status: 'unresolved', smelterId: null });
  });

  it('a graph import of a smelter whose name, alias or rejected name is over the cap is a 400 naming it, and writes nothing', async () => {
    for (const [over, path] of [
      [{ name: overCap }, 'body.nodes[0].name'],
      [{ aliases: ['Fine', overCap] }, 'body.nodes[0].aliases[1]'],
      [{ rejectedNames: [overCap] }, 'body.nodes[0].rejectedNames[0]'],
    ] as const) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/imports/graph',
        payload: { nodes: [smelter(over)], relationships: [] },
      });
      expect(res.statusCode, path).toBe(400);
      expect(paths(res.json()), path).toContain(path);
    }
    expect(await h.store.getNode('Smelter', 'LONG-1')).toBeNull();
    const at = await h.app.inject({
      method: 'POST',
      url: '/api/v1/imports/graph',
      payload: { nodes: [smelter({ name: atCap, aliases: [atCap] })], relationships: [] },
    });
    expect(at.statusCode).toBe(200);
  });

  it('POST /smelters/:id/name-decisions: a name over the cap is a 400 naming body.name', async () => {
    await h.store.importGraph({ nodes: [smelter({})] as never, relationships: [] });
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/smelters/LONG-1/name-decisions',
      payload: { name: overCap, decision: 'confirm' },
    });
    expect(res.statusCode).toBe(400);
    expect(paths(res.json())).toEqual(['body.name']);
  });
});
