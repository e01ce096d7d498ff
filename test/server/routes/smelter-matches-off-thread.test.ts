/**
 * GET /api/v1/smelter-matches builds its resolver and matches in the matcher thread: with 2,000
 * tin smelters of 200-character names (the hostile case of the Trust issue at the name cap),
 * /health keeps answering while the first match after a write builds the resolver and runs the
 * worst-case query, and the answer is the in-process resolver's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmelterClaim } from '../../../server/importers/smelter-resolution.js';
import { createSmelterResolver } from '../../../server/importers/smelter-resolution.js';
import { graphSmelters, knownSmelterOf, smelterMatcherOf } from '../../../server/importers/smelter-matcher-thread.js';
import { loadSmelterLookup } from '../../../server/seeding/reference-data.js';
import { embeddedHarness, type Harness } from '../app-harness.js';

const nearlySame = Array.from({ length: 2000 }, (_, i) => ({
  label: 'Smelter',
  id: `CAP-${i}`,
  name: `q${'a'.repeat(195)}${i.toString(16).padStart(4, '0')}`,
  metal: 'tin',
  country: 'CN',
}));
/** Similar to every one of them: each is scored, with its banded edit distance. */
const worstName = `q${'a'.repeat(185)}zz${'a'.repeat(12)}`;
const worstClaim: SmelterClaim = { metal: 'tin', smelterId: null, name: worstName, countryCode: null };

let h: Harness;
beforeAll(async () => {
  h = await embeddedHarness();
  const imported = await h.app.inject({ method: 'POST', url: '/api/v1/imports/graph', payload: { nodes: nearlySame, relationships: [] } });
  expect(imported.statusCode, imported.body).toBe(200);
});
afterAll(async () => h.close());

/** What the resolver answers in this thread over the store as it is now, as the route serialises it. */
async function oracle(claim: SmelterClaim): Promise<unknown> {
  const resolver = createSmelterResolver({
    lookup: loadSmelterLookup(),
    graphSmelters: (await graphSmelters(h.store)).map(knownSmelterOf),
  });
  return JSON.parse(JSON.stringify(resolver.resolve(claim)));
}

/** The match, with /health injected back to back until it answers. */
async function matchWhilePollingHealth(url: string) {
  const matcher = smelterMatcherOf(h.store);
  let matchAnswered = false;
  const match = h.app.inject({ url }).finally(() => {
    matchAnswered = true;
  });
  const statuses: number[] = [];
  let answeredWhileMatching = 0;
  while (!matchAnswered) {
    const health = await h.app.inject({ url: '/health' });
    statuses.push(health.statusCode);
    if (matcher.inFlight > 0 && !matchAnswered) answeredWhileMatching++;
    // inject answers in microtasks: let the event loop take the matcher thread's message.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { response: await match, statuses, answeredWhileMatching };
}

describe('GET /api/v1/smelter-matches off the event loop', { timeout: 120_000 }, () => {
  const url = `/api/v1/smelter-matches?metal=tin&name=${worstName}`;

  it('answers /health while the first match after a write builds the resolver and runs a worst-case query, with the in-process answer', async () => {
    const matcher = smelterMatcherOf(h.store);
    const buildsBefore = matcher.builds;
    const { response, statuses, answeredWhileMatching } = await matchWhilePollingHealth(url);
    expect(response.statusCode, response.body).toBe(200);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    // /health answers arrived while the match was in the matcher thread, before its answer.
    expect(answeredWhileMatching).toBeGreaterThan(0);
    expect(response.json()).toEqual(await oracle(worstClaim));
    expect(response.json().candidates).toHaveLength(5);
    expect(matcher.builds - buildsBefore).toBe(1);
  });

  it('builds the resolver once per store version: again only after a write, and answers from the new graph', async () => {
    const matcher = smelterMatcherOf(h.store);
    const builds = matcher.builds;
    expect((await h.app.inject({ url })).json()).toEqual(await oracle(worstClaim));
    expect(matcher.builds).toBe(builds);

    // A decision is a write: the confirmed name resolves to CAP-7 from now on.
    const decision = await h.app.inject({
      method: 'POST',
      url: '/api/v1/smelters/CAP-7/name-decisions',
      payload: { name: worstName, decision: 'confirm' },
    });
    expect(decision.statusCode, decision.body).toBe(200);
    const { response, answeredWhileMatching } = await matchWhilePollingHealth(url);
    expect(response.json()).toMatchObject({ status: 'resolved_by_name', smelterId: 'CAP-7', decision: 'confirmed' });
    expect(response.json()).toEqual(await oracle(worstClaim));
    expect(answeredWhileMatching).toBeGreaterThan(0);
    expect(matcher.builds).toBe(builds + 1);
  });
});
