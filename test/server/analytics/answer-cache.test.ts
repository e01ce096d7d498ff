import { describe, expect, it } from 'vitest';
import { AnswerCache, answerKey } from '../../../server/analytics/answer-cache.js';

/** A computation that counts its calls and answers `json`. */
function counted(json: string) {
  const counter = {
    calls: 0,
    compute: async () => {
      counter.calls++;
      return json;
    },
  };
  return counter;
}

describe('AnswerCache', () => {
  it('answers the same request of one version from memory, computing it once', async () => {
    const cache = new AnswerCache(1);
    const work = counted('{"a":1}');
    const key = answerKey('origins', false, { company: 'C1', metal: 'tin' });
    expect(await cache.answer(3, key, work.compute)).toBe('{"a":1}');
    expect(await cache.answer(3, key, work.compute)).toBe('{"a":1}');
    expect(work.calls).toBe(1);
  });

  it('shares one computation between identical requests in flight', async () => {
    const cache = new AnswerCache(1);
    let release: (json: string) => void = () => {};
    let calls = 0;
    const slow = () => {
      calls++;
      return new Promise<string>((r) => (release = r));
    };
    const first = cache.answer(1, 'k', slow);
    const second = cache.answer(1, 'k', slow);
    release('{"x":2}');
    expect(await Promise.all([first, second])).toEqual(['{"x":2}', '{"x":2}']);
    expect(calls).toBe(1);
  });

  it('forgets every answer once a newer version is asked for, and keeps none for an older one', async () => {
    const cache = new AnswerCache(1);
    const v1 = counted('"v1"');
    const v2 = counted('"v2"');
    await cache.answer(1, 'k', v1.compute);
    expect(await cache.answer(2, 'k', v2.compute)).toBe('"v2"');
    expect(cache.size).toBe(1);
    const old = counted('"old"');
    expect(await cache.answer(1, 'k', old.compute)).toBe('"old"');
    expect(await cache.answer(1, 'k', old.compute)).toBe('"old"');
    expect(old.calls).toBe(2);
    expect(await cache.answer(2, 'k', v2.compute)).toBe('"v2"');
    expect(v2.calls).toBe(1);
  });

  it('keeps no failure: the next request computes again', async () => {
    const cache = new AnswerCache(1);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('worker stopped');
    };
    await expect(cache.answer(1, 'k', failing)).rejects.toThrow('worker stopped');
    await expect(cache.answer(1, 'k', failing)).rejects.toThrow('worker stopped');
    expect(calls).toBe(2);
  });

  it('stays within its size, dropping the least recently used answers first', async () => {
    const cache = new AnswerCache(1); // 1 MB = 2^20 characters
    const big = 'x'.repeat(200_000); // under a quarter of the limit: kept
    for (const k of ['a', 'b', 'c', 'd', 'e']) await cache.answer(1, k, async () => big);
    expect(cache.size).toBe(5);
    await cache.answer(1, 'a', async () => 'recomputed'); // a hit: 'a' is now the most recently used
    await cache.answer(1, 'f', async () => big); // 6 × 200,000 > 2^20: the least recently used ('b') goes
    expect(cache.size).toBe(5);
    const again = counted('"b again"');
    expect(await cache.answer(1, 'b', again.compute)).toBe('"b again"');
    expect(await cache.answer(1, 'a', async () => 'never')).toBe(big);
  });

  it('never keeps an answer larger than a quarter of its size, and with size 0 keeps nothing', async () => {
    const small = new AnswerCache(1);
    const huge = counted('y'.repeat(300_000));
    await small.answer(1, 'k', huge.compute);
    await small.answer(1, 'k', huge.compute);
    expect(huge.calls).toBe(2);
    const none = new AnswerCache(0);
    const work = counted('{}');
    await none.answer(1, 'k', work.compute);
    await none.answer(1, 'k', work.compute);
    expect(work.calls).toBe(2);
    expect(none.size).toBe(0);
  });

  it('tells requests apart by analysis, staleness and every parameter', () => {
    const base = answerKey('risk', false, { company: 'C1', metal: 'tin', limit: 10 });
    expect(answerKey('riskPaths', false, { company: 'C1', metal: 'tin', limit: 10 })).not.toBe(base);
    expect(answerKey('risk', true, { company: 'C1', metal: 'tin', limit: 10 })).not.toBe(base);
    expect(answerKey('risk', false, { company: 'C1', metal: 'tin', limit: 11 })).not.toBe(base);
    expect(answerKey('risk', false, { company: 'C1', metal: 'tin', limit: 10 })).toBe(base);
  });
});
