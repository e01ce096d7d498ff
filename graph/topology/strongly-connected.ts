/**
 * Strongly connected components and the sources-first order of a layer: the one place for the
 * condensation that the snapshot compiler (compact ids, cyclic blocks) and the origin mix, risk
 * propagation, impact and single points of failure share. The linear systems solved on the
 * cycles live in numerics/linear-solvers.ts.
 *
 * Supply graphs are mostly acyclic, with the odd loop (scrap returns, two traders buying from each
 * other). Every whole-layer analysis walks the condensation sources first, settling an acyclic node
 * in one step and a cycle by solving its linear system.
 *
 * Layer: topology, below the snapshot and the analyses (ARCHITECTURE.md, "Layers of the engine"):
 * it knows CSR arrays, not metals or snapshots, so the layer types are spelled out here and
 * MetalLayer extends them.
 *
 * Everything here is iterative (no recursion to overflow on a chain of a million nodes) and works
 * on typed arrays in compressed adjacency (CSR) form.
 */
import { type ArrayAllocator, HEAP } from '../typed-arena.js';

/**
 * Strongly connected components of the nodes with mask[v] = 1 (all nodes when mask is null), in
 * the order Tarjan's algorithm completes them while following `adjacency` (offsets/targets, CSR)
 * out of each node: a component comes after every component it can reach. Following buyer →
 * source (a layer's in-arrays), that is sources first. Iterative: no recursion to overflow.
 *
 * `members` lists the nodes component by component; component k is
 * members[starts[k] .. starts[k+1]); `componentOf[v]` is v's component (−1 outside the mask).
 */
export interface Components {
  count: number;
  members: Int32Array;
  starts: Int32Array;
  componentOf: Int32Array;
}

/**
 * Working arrays of the search, reusable from one search to the next (a snapshot compile runs one
 * per metal): on a large graph, allocating and collecting tens of megabytes per search costs more
 * than the search. Grown on demand; the arrays a search returns are views into it, valid until
 * the next search with the same scratch.
 */
export class SccScratch {
  index = new Int32Array(0);
  stack = new Int32Array(0);
  frameNode = new Int32Array(0);
  frameCursor = new Uint32Array(0);
  frameEnd = new Uint32Array(0);
  frameLow = new Int32Array(0);
  componentOf = new Int32Array(0);
  members = new Int32Array(0);
  starts = new Int32Array(0);

  /** Arrays for a search over n nodes, index zeroed and componentOf at −1. */
  ready(n: number): this {
    if (this.index.length < n) {
      this.index = new Int32Array(n);
      this.stack = new Int32Array(n);
      this.frameNode = new Int32Array(n);
      this.frameCursor = new Uint32Array(n);
      this.frameEnd = new Uint32Array(n);
      this.frameLow = new Int32Array(n);
      this.componentOf = new Int32Array(n);
      this.members = new Int32Array(n);
      this.starts = new Int32Array(n + 1);
    } else {
      this.index.fill(0, 0, n);
    }
    this.componentOf.fill(-1, 0, n);
    return this;
  }
}

/** stronglyConnectedComponents' mark of a node whose component is complete: above every discovery number. */
const DONE = 0x7fffffff;

/**
 * Tarjan's algorithm over `offsets`/`targets` restricted to mask[v] = 1 (null: every node). With
 * `weights`, only edges of positive weight count (a walk never takes a step of weight 0). With
 * `scratch`, the search works in (and returns views of) its arrays instead of allocating.
 *
 * The search keeps its cursor, row end and low link per call-stack frame, not per node: the top
 * frames stay in cache, and following an edge costs one random access (the target's discovery
 * number) instead of several dependent ones. A node whose component is complete carries DONE, so
 * it never lowers a low link.
 */
export function stronglyConnectedComponents(
  n: number,
  offsets: Uint32Array,
  targets: Uint32Array | Int32Array,
  mask: Uint8Array | null,
  weights?: Float64Array,
  scratch: SccScratch = new SccScratch(),
): Components {
  const { index, stack, frameNode, frameCursor, frameEnd, frameLow, componentOf, members, starts } = scratch.ready(n);
  let sp = 0;
  let counter = 0;
  let placed = 0;
  let count = 0;

  for (let root = 0; root < n; root++) {
    if (index[root] !== 0 || (mask !== null && mask[root] === 0)) continue;
    index[root] = ++counter;
    stack[sp++] = root;
    frameNode[0] = root;
    frameCursor[0] = offsets[root]!;
    frameEnd[0] = offsets[root + 1]!;
    frameLow[0] = counter;
    let csp = 1;
    while (csp > 0) {
      const f = csp - 1;
      let cursor = frameCursor[f]!;
      const end = frameEnd[f]!;
      let low = frameLow[f]!;
      let descended = false;
      while (cursor < end) {
        const e = cursor++;
        if (weights !== undefined && !(weights[e]! > 0)) continue;
        const w = targets[e]!;
        if (mask !== null && mask[w] !== 1) continue;
        const d = index[w]!;
        if (d === 0) {
          frameCursor[f] = cursor;
          frameLow[f] = low;
          index[w] = ++counter;
          stack[sp++] = w;
          frameNode[csp] = w;
          frameCursor[csp] = offsets[w]!;
          frameEnd[csp] = offsets[w + 1]!;
          frameLow[csp] = counter;
          csp++;
          descended = true;
          break;
        }
        if (d < low) low = d;
      }
      if (descended) continue;
      csp--;
      const v = frameNode[f]!;
      if (low !== index[v]) {
        if (low < frameLow[f - 1]!) frameLow[f - 1] = low;
        continue;
      }
      let w: number;
      do {
        w = stack[--sp]!;
        index[w] = DONE;
        componentOf[w] = count;
        members[placed++] = w;
      } while (w !== v);
      starts[++count] = placed;
    }
  }
  return { count, members: members.subarray(0, placed), starts: starts.subarray(0, count + 1), componentOf: componentOf.subarray(0, n) };
}

/** Components in sources-first order, each marked cyclic (two or more members, or a self-supplier) or not. */
export interface SupplyComponents extends Components {
  cyclic: Uint8Array;
}

/**
 * The strongly connected components of a layer's supply graph restricted to mask[v] = 1, sources
 * first (every component after all components upstream of it), each marked cyclic or not.
 * Structure only: every relationship counts, whatever its share. Tarjan over the in-adjacency,
 * roots in index order: with mask = present, the order of the layer's compact ids (layerTopology
 * runs the same search over a numbering of the present nodes in index order).
 */
export function supplyComponents(layer: { inOffsets: Uint32Array; inSources: Uint32Array }, n: number, mask: Uint8Array): SupplyComponents {
  const t = stronglyConnectedComponents(n, layer.inOffsets, layer.inSources, mask);
  return { ...t, cyclic: cyclicFlags(t, layer.inOffsets, layer.inSources) };
}

/** Per component: two or more members, or one that supplies itself. */
function cyclicFlags(t: Components, offsets: Uint32Array, sources: Uint32Array | Int32Array): Uint8Array {
  const cyclic = new Uint8Array(t.count);
  for (let c = 0; c < t.count; c++) {
    const start = t.starts[c]!;
    if (t.starts[c + 1]! - start > 1) {
      cyclic[c] = 1;
      continue;
    }
    const v = t.members[start]!;
    for (let j = offsets[v]!, end = offsets[v + 1]!; j < end; j++) if (sources[j] === v) cyclic[c] = 1;
  }
  return cyclic;
}

/** The part of a MetalLayer (snapshot.ts) that layerTopology computes: the layer in compact ids. */
export interface LayerTopology {
  /**
   * Compact ids number the nodes present in this metal 0..k−1 in a sources-first order of the
   * strongly connected components of the layer's supply graph (structure only: every
   * relationship counts, whatever its share): each component's members are consecutive, and a
   * component comes after every component upstream of it (Tarjan's order with roots in index
   * order; supplyComponents gives the same). Whole-layer analyses sweep the compact ids in order
   * over arrays of the layer's size. nodes[c] is the node of compact id c; compactOf[v] is v's
   * compact id, −1 when v takes no part in this metal.
   */
  nodes: Int32Array;
  compactOf: Int32Array;
  /**
   * The in-adjacency in compact ids: the sources of c are compactSources[compactOffsets[c] ..
   * compactOffsets[c+1]) with effective weights compactWeights, in the order of the node's
   * inSources. Outside a cyclic block, every source of c has a smaller compact id.
   */
  compactOffsets: Uint32Array;
  compactSources: Int32Array;
  compactWeights: Float64Array;
  /**
   * Part of the intake of this metal of the node of compact id c whose origin is not disclosed:
   * the uncovered remainder of explicit shares, or 1 for a non-country node with no sources
   * (unless it is recycled/scrap). By node index: undisclosedOf (snapshot.ts). Kept by compact id
   * only (no second copy by node index: 8 bytes per node and metal, 30 MB at a million nodes).
   */
  compactUndisclosed: Float64Array;
  /**
   * [start, end) compact-id pairs, in order, of the cyclic components: two or more nodes, or one
   * node supplying itself. Every other compact id is a component of its own.
   */
  cyclicBlocks: Int32Array;
}

/** Temporary arrays of layerTopology, shared by the layers of one compile (see SccScratch). */
export class TopologyScratch {
  readonly scc = new SccScratch();
  byIndex = new Int32Array(0);
  indexOffsets = new Uint32Array(0);
  indexSources = new Int32Array(0);
  rankOf = new Int32Array(0);

  ready(k: number, m: number): this {
    if (this.byIndex.length < k) {
      this.byIndex = new Int32Array(k);
      this.indexOffsets = new Uint32Array(k + 1);
      this.rankOf = new Int32Array(k);
    }
    if (this.indexSources.length < m) this.indexSources = new Int32Array(m);
    return this;
  }
}

/**
 * A layer's compact ids (see MetalLayer.nodes): the present nodes in a sources-first order of the
 * strongly connected components of the layer's supply graph, and the in-adjacency, weights and
 * remainders renumbered in that order. The arrays of the snapshot's or the relationships' size
 * come from `alloc` (the compiler's arena), those of the layer's size from `small` (the compiler
 * gives SHARED: their size is known only here, and the snapshot keeps all its arrays in shared memory).
 *
 * Tarjan's search runs over a temporary numbering of the present nodes in index order (absent
 * nodes have no relationships, so its rows are the in-CSR's own), with roots in index order:
 * the same search as supplyComponents over the node indices, on arrays of the layer's size rather
 * than the snapshot's, which is what makes it cheap (on a large layer every step is a memory access).
 */
export function layerTopology(
  inOffsets: Uint32Array,
  inSources: Uint32Array,
  inWeights: Float64Array,
  undisclosed: Float64Array,
  present: Uint8Array,
  scratch: TopologyScratch = new TopologyScratch(),
  alloc: ArrayAllocator = HEAP,
  small: ArrayAllocator = HEAP,
): LayerTopology {
  const n = present.length;
  const m = inSources.length;
  let k = 0;
  for (let v = 0; v < n; v++) k += present[v]!;
  const { byIndex, indexOffsets, indexSources, rankOf } = scratch.ready(k, m);
  // Index order first: byIndex[i] is the i-th present node; compactOf holds i until renumbered.
  const compactOf = alloc.int32(n).fill(-1);
  for (let v = 0, i = 0; v < n; v++) {
    if (present[v] === 0) continue;
    byIndex[i] = v;
    compactOf[v] = i;
    indexOffsets[i] = inOffsets[v]!;
    indexOffsets[++i] = inOffsets[v + 1]!;
  }
  for (let j = 0; j < m; j++) indexSources[j] = compactOf[inSources[j]!]!;
  const t = stronglyConnectedComponents(k, indexOffsets, indexSources, null, undefined, scratch.scc);

  // Renumber in Tarjan's order: compact id = place in it. The rows are read in index order (in
  // memory order) and each written to its new place: scattered writes cost about half what
  // scattered reads do.
  const order = t.members;
  const nodes = small.int32(k);
  const compactOffsets = small.uint32(k + 1);
  for (let r = 0; r < k; r++) {
    const i = order[r]!;
    rankOf[i] = r;
    nodes[r] = byIndex[i]!;
    compactOffsets[r + 1] = compactOffsets[r]! + (indexOffsets[i + 1]! - indexOffsets[i]!);
  }
  const compactUndisclosed = small.float64(k);
  const compactSources = alloc.int32(m);
  const compactWeights = alloc.float64(m);
  const selfSuppliers: number[] = []; // compact ids of nodes that supply themselves
  for (let i = 0; i < k; i++) {
    const r = rankOf[i]!;
    const v = byIndex[i]!;
    compactOf[v] = r;
    compactUndisclosed[r] = undisclosed[v]!;
    let e = compactOffsets[r]!;
    for (let j = indexOffsets[i]!, end = indexOffsets[i + 1]!; j < end; j++, e++) {
      const s = rankOf[indexSources[j]!]!;
      if (s === r) selfSuppliers.push(r);
      compactSources[e] = s;
      compactWeights[e] = inWeights[j]!;
    }
  }
  // Cyclic: components of two or more, and the components of one that supply themselves.
  selfSuppliers.sort((a, b) => a - b);
  const blocks: number[] = [];
  for (let c = 0, next = 0; c < t.count; c++) {
    const start = t.starts[c]!;
    const end = t.starts[c + 1]!;
    while (next < selfSuppliers.length && selfSuppliers[next]! < start) next++;
    if (end - start > 1 || (next < selfSuppliers.length && selfSuppliers[next] === start)) blocks.push(start, end);
  }
  const cyclicBlocks = small.int32(blocks.length);
  cyclicBlocks.set(blocks);
  return { nodes, compactOf, compactOffsets, compactSources, compactWeights, compactUndisclosed, cyclicBlocks };
}

/**
 * The components of a whole layer (its present nodes), sources first, in the Components form:
 * the layer's compact order and cyclicBlocks as node indices. Equal to supplyComponents(layer,
 * nodeCount, present). Analyses take it from the snapshot memo (memo.ts), which builds it once
 * per layer.
 */
export function layerComponents(layer: Pick<LayerTopology, 'cyclicBlocks' | 'nodes' | 'compactOf'>): SupplyComponents {
  const { cyclicBlocks, nodes } = layer;
  const n = layer.compactOf.length;
  const k = nodes.length;
  const blocks = cyclicBlocks.length >> 1;
  // Every compact id is a component of its own except inside a cyclic block.
  let blockMembers = 0;
  for (let b = 0; b < blocks; b++) blockMembers += cyclicBlocks[2 * b + 1]! - cyclicBlocks[2 * b]!;
  const count = k - blockMembers + blocks;
  const starts = new Int32Array(count + 1);
  const cyclic = new Uint8Array(count);
  const componentOf = new Int32Array(n).fill(-1);
  let c = 0;
  let next = 0;
  for (let r = 0; r < k; ) {
    const blockStart = next < blocks ? cyclicBlocks[2 * next]! : k;
    if (r < blockStart) {
      componentOf[nodes[r]!] = c;
      starts[c++] = r++;
      continue;
    }
    const end = cyclicBlocks[2 * next + 1]!;
    cyclic[c] = 1;
    for (let i = r; i < end; i++) componentOf[nodes[i]!] = c;
    starts[c++] = r;
    r = end;
    next++;
  }
  starts[count] = k;
  return { count, members: nodes, starts, componentOf, cyclic };
}
