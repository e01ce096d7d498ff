/**
 * A plain BFS upstream from the focal company over the metal layer's CSR (buyer → sources). Not an
 * engine answer: the reference for what one pass over the snapshot costs, and the like-for-like
 * comparison with networkx's and graphology's BFS.
 */
import type { BenchCase } from '../lib/types.js';

export const bfsUpstream: BenchCase = {
  id: 'bfs-upstream',
  phase: 'snapshot',
  run(ctx) {
    const s = ctx.snapshot!;
    const layer = s.layers.get(ctx.metal)!;
    const { inOffsets, inSources } = layer;
    const n = s.nodeCount;
    let reached = 0;
    const t = ctx.time(() => {
      const dist = new Int32Array(n).fill(-1);
      const queue = new Uint32Array(n);
      let tail = 0;
      dist[ctx.focal] = 0;
      queue[tail++] = ctx.focal;
      for (let head = 0; head < tail; head++) {
        const v = queue[head]!;
        for (let j = inOffsets[v]!; j < inOffsets[v + 1]!; j++) {
          const u = inSources[j]!;
          if (dist[u]! < 0) {
            dist[u] = dist[v]! + 1;
            queue[tail++] = u;
          }
        }
      }
      reached = tail;
    });
    ctx.checks['bfs-reached'] = reached;
    return [
      { name: 'bfs-upstream', value: t.median, unit: 'ms', target: null, better: 'lower', min: t.min, max: t.max, reps: t.samples.length, baselineKey: 'bfs-upstream', note: `reference pass over the CSR; ${reached} nodes reached` },
    ];
  },
};
