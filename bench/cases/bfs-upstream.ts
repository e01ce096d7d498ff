/**
 * A plain BFS upstream from the focal company over the metal layer's compact in-adjacency
 * (MetalLayer.compactOffsets/compactSources: the layer's own nodes, buyer → sources). Not an
 * engine answer: the reference for what one pass over the snapshot costs, and the like-for-like
 * comparison with networkx's and graphology's BFS, whose graphs also hold the layer's nodes only.
 */
import type { BenchCase } from '../lib/types.js';

export const bfsUpstream: BenchCase = {
  id: 'bfs-upstream',
  phase: 'snapshot',
  run(ctx) {
    const s = ctx.snapshot!;
    const layer = s.layers.get(ctx.metal)!;
    const { compactOffsets, compactSources, compactOf } = layer;
    const k = layer.nodes.length;
    const start = compactOf[ctx.focal]!;
    let reached = 0;
    const t = ctx.time(() => {
      const dist = new Int32Array(k).fill(-1);
      const queue = new Int32Array(k);
      let tail = 0;
      dist[start] = 0;
      queue[tail++] = start;
      for (let head = 0; head < tail; head++) {
        const v = queue[head]!;
        const d = dist[v]! + 1;
        for (let j = compactOffsets[v]!, end = compactOffsets[v + 1]!; j < end; j++) {
          const u = compactSources[j]!;
          if (dist[u]! < 0) {
            dist[u] = d;
            queue[tail++] = u;
          }
        }
      }
      reached = tail;
    });
    ctx.checks['bfs-reached'] = reached;
    return [
      {
        name: 'bfs-upstream',
        value: t.median,
        unit: 'ms',
        target: null,
        better: 'lower',
        min: t.min,
        max: t.max,
        reps: t.samples.length,
        baselineKey: 'bfs-upstream',
        note: `reference pass over the layer's compact CSR (${k} nodes); ${reached} nodes reached`,
      },
    ];
  },
};
