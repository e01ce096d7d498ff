/**
 * Single points of failure (README, "The API in brief"): the dominator tree of the whole metal layer seen from
 * the focal company (over the layer's compact in-adjacency), the vertex connectivity to its sources, and the complete answer
 * (`singlePointsOfFailure`: dominators + shares + redundancy + one minimum cut). Target ≤ 1 s.
 */
import { dominatorTree } from '../../graph/topology/dominator-tree.js';
import { singlePointsOfFailure } from '../../graph/analyses/single-points-of-failure.js';
import { minimumVertexCut } from '../../graph/topology/vertex-connectivity.js';
import type { BenchCase } from '../lib/types.js';

export const dominatorTreeCase: BenchCase = {
  id: 'dominator-tree',
  phase: 'snapshot',
  run(ctx) {
    const s = ctx.snapshot!;
    const layer = s.layers.get(ctx.metal)!;
    const k = layer.nodes.length;
    let reached = 0;
    const t = ctx.time(() => {
      // Over the layer's compact ids (its own nodes), as networkx's graph holds the layer's nodes only.
      const idom = dominatorTree(k, layer.compactOffsets, layer.compactSources, layer.compactOf[ctx.focal]!);
      reached = 0;
      for (let v = 0; v < idom.length; v++) if (idom[v]! >= 0) reached++;
    });
    ctx.checks['idom-reached'] = reached;
    return [
      {
        name: 'dominator-tree',
        value: t.median,
        unit: 'ms',
        target: 1000,
        better: 'lower',
        min: t.min,
        max: t.max,
        reps: t.samples.length,
        baselineKey: 'immediate-dominators',
        note: `whole layer (${k} nodes, compact ids), rooted at the focal company`,
      },
    ];
  },
};

export const vertexConnectivityCase: BenchCase = {
  id: 'vertex-connectivity',
  phase: 'snapshot',
  run(ctx) {
    const s = ctx.snapshot!;
    const layer = s.layers.get(ctx.metal)!;
    // The sources: nodes of the layer without sources of their own (as single-points-of-failure.ts defines them).
    const sinks: number[] = [];
    for (let v = 0; v < s.nodeCount; v++)
      if (layer.present[v] && layer.inOffsets[v] === layer.inOffsets[v + 1] && v !== ctx.focal) sinks.push(v);
    let connectivity = Number.NaN;
    const t = ctx.time(() => {
      connectivity = minimumVertexCut(s.nodeCount, layer.inOffsets, layer.inSources, ctx.focal, sinks).connectivity;
    });
    ctx.checks.connectivity = connectivity;
    return [
      {
        name: 'vertex-connectivity',
        value: t.median,
        unit: 'ms',
        target: null,
        better: 'lower',
        min: t.min,
        max: t.max,
        reps: t.samples.length,
        baselineKey: 'minimum-node-cut',
        note: `focal company to its sources: ${connectivity}`,
      },
    ];
  },
};

export const singlePointsOfFailureCase: BenchCase = {
  id: 'single-points-of-failure',
  phase: 'snapshot',
  run(ctx) {
    const s = ctx.snapshot!;
    let redundancy = Number.NaN;
    let count = 0;
    const t = ctx.time(() => {
      const answer = singlePointsOfFailure(s, ctx.metal, ctx.focal);
      redundancy = answer.redundancy;
      count = answer.singlePointsOfFailure.length;
    });
    ctx.checks['spof-redundancy'] = redundancy;
    return [
      {
        name: 'single-points-of-failure',
        value: t.median,
        unit: 'ms',
        target: 1000,
        better: 'lower',
        min: t.min,
        max: t.max,
        reps: t.samples.length,
        baselineKey: 'spof',
        note: `focal company: redundancy ${redundancy}, ${count} single points of failure`,
      },
    ];
  },
};
