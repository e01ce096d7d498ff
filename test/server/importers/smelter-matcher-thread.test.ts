/**
 * The smelter matcher thread: the resolver's answers and errors as in-process, built once per
 * store version, rebuilt after a write, and stopped with close.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Smelter } from '../../../graph/model.js';
import { ValidationError } from '../../../server/errors.js';
import {
  deserializeMatchError,
  knownSmelterOf,
  serializeMatchError,
  SmelterMatcher,
} from '../../../server/importers/smelter-matcher-thread.js';
import { createSmelterResolver, type SmelterClaim } from '../../../server/importers/smelter-resolution.js';
import { loadSmelterLookup } from '../../../server/seeding/reference-data.js';
import type { GraphStore } from '../../../server/stores/graph-store.js';

const smelter = (id: string, name: string, over: Partial<Smelter> = {}): Smelter =>
  ({ label: 'Smelter', id, name, aliases: [], metal: 'tin', country: 'PE', rmapStatus: 'unknown', ...over }) as Smelter;

/** A store that holds only smelters, at a version the test moves. */
function smelterStore(initial: Smelter[]): { store: GraphStore; write: (smelters: Smelter[]) => void } {
  let smelters = initial;
  let version = 1;
  const store = {
    version: async () => version,
    listNodes: async (label: string) => ({ items: label === 'Smelter' ? smelters : [], nextCursor: null }),
  } as unknown as GraphStore;
  return {
    store,
    write: (next) => {
      smelters = next;
      version += 1;
    },
  };
}

const claim = (c: Partial<SmelterClaim>): SmelterClaim => ({ metal: 'tin', smelterId: null, name: null, countryCode: null, ...c });
const inProcess = (smelters: Smelter[]) =>
  createSmelterResolver({
    lookup: loadSmelterLookup(),
    graphSmelters: smelters.map(knownSmelterOf),
  });

const matchers: SmelterMatcher[] = [];
const matcherOver = (store: GraphStore) => {
  const m = new SmelterMatcher(store);
  matchers.push(m);
  return m;
};
afterEach(async () => {
  await Promise.all(matchers.splice(0).map((m) => m.close()));
});

describe('SmelterMatcher', { timeout: 60_000 }, () => {
  const graph = [smelter('LOCAL-1', 'Andes Tin Works'), smelter('LOCAL-2', 'Andes Tin Workshop', { country: 'BO' })];
  const claims = [
    claim({ name: 'Minsur' }),
    claim({ name: 'Andes Tin Works', countryCode: 'PE' }),
    claim({ name: 'Andes Tin Wrks' }),
    claim({ smelterId: 'cid1182', name: 'MINSUR S.A.' }),
    claim({ metal: null, name: 'Yunnan Tin Company Limited' }),
  ];

  it('answers every claim of a batch as the in-process resolver does, in order', async () => {
    const matcher = matcherOver(smelterStore(graph).store);
    const outcomes = await matcher.resolveAll(claims);
    const resolver = inProcess(graph);
    expect(outcomes).toEqual(claims.map((c) => ({ resolution: resolver.resolve(c) })));
    expect(await matcher.resolve(claims[2]!)).toEqual(resolver.resolve(claims[2]!));
  });

  it('gives a claim the resolver refuses its ValidationError, with message and fields, and answers the others', async () => {
    const matcher = matcherOver(smelterStore(graph).store);
    const bad = claim({ name: 'Minsur', countryCode: 'Peru' });
    let inProcessError: unknown;
    try {
      inProcess(graph).resolve(bad);
    } catch (err) {
      inProcessError = err;
    }
    const [first, second] = await matcher.resolveAll([bad, claims[0]!]);
    expect(first).toHaveProperty('error');
    const error = (first as { error: Error }).error;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe((inProcessError as ValidationError).message);
    expect((error as ValidationError).fields).toEqual([{ path: 'countryCode', message: '"Peru" is not an ISO 3166-1 alpha-2 code' }]);
    expect(second).toEqual({ resolution: inProcess(graph).resolve(claims[0]!) });
    await expect(matcher.resolve(bad)).rejects.toBeInstanceOf(ValidationError);
  });

  it("fails a batch whose resolver cannot be built with the build's ValidationError, batch after batch", async () => {
    const matcher = matcherOver(smelterStore([smelter('LOCAL-X', 'Nowhere Tin', { country: 'Peru' })]).store);
    for (let i = 0; i < 2; i++) {
      const err = await matcher.resolveAll(claims).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields).toContainEqual({
        path: 'graphSmelters[0].country',
        message: '"Peru" is not an alpha-2 code',
      });
    }
  });

  it('builds once per store version, and again after a write, answering from the new smelters', async () => {
    const { store, write } = smelterStore(graph);
    const matcher = matcherOver(store);
    await Promise.all([matcher.resolveAll(claims), matcher.resolveAll(claims), matcher.resolve(claims[1]!)]);
    expect(matcher.builds).toBe(1);
    await matcher.resolveAll(claims);
    expect(matcher.builds).toBe(1);
    const moved = [smelter('LOCAL-1', 'Andes Tin Works', { country: 'BO', rejectedNames: ['Andes Tin Wrks'] }), graph[1]!];
    write(moved);
    expect(await matcher.resolveAll(claims)).toEqual(claims.map((c) => ({ resolution: inProcess(moved).resolve(c) })));
    expect(matcher.builds).toBe(2);
  });

  it('fails what is in flight when closed, and refuses later work; the thread is gone', async () => {
    const matcher = matcherOver(smelterStore(graph).store);
    await matcher.resolveAll(claims);
    const inFlight = expect(matcher.resolveAll(claims)).rejects.toThrow(/closed/);
    // The batch is posted once the version is read.
    await new Promise((resolve) => setImmediate(resolve));
    expect(matcher.inFlight).toBe(1);
    await matcher.close();
    await inFlight;
    expect(matcher.inFlight).toBe(0);
    await expect(matcher.resolveAll(claims)).rejects.toThrow(/closed/);
  });

  it('rebuilds domain errors with their class, and anything else as a plain error', () => {
    const err = deserializeMatchError(serializeMatchError(new ValidationError('bad', [{ path: 'name', message: 'too long' }])));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ message: 'bad', fields: [{ path: 'name', message: 'too long' }], status: 400 });
    const bug = deserializeMatchError(serializeMatchError(new TypeError('x is undefined')));
    expect(bug).not.toBeInstanceOf(ValidationError);
    expect(bug.message).toBe('smelter matching failed: x is undefined');
  });
});
