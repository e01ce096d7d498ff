/**
 * Dominator tree of a directed graph in CSR form (used by single points of failure): node d dominates node v when every
 * path from the root to v passes through d. General and reusable: it knows nothing of supply, it
 * takes integer adjacency and a root.
 *
 * Algorithm: Lengauer–Tarjan, "simple" version (path compression without balanced linking),
 * O(m log n). Chosen over Cooper–Harvey–Kennedy because CHK iterates to a fixed point and can take
 * many passes (quadratic in the worst case) on the deeply nested, cyclic graphs supply chains make;
 * Lengauer–Tarjan is one DFS plus one backward sweep whatever the shape. Everything is iterative
 * (DFS, path compression): a recursive version overflows the stack on a chain of 1M nodes.
 */

/** Marks "no node" in the answers: unreachable nodes have no immediate dominator. */
export const NO_DOMINATOR = -1;

/**
 * Immediate dominators of every node, seen from `root`, over the edges
 * `v → targets[offsets[v] .. offsets[v+1])`.
 *
 * Returns `idom` with `idom[v]` = the immediate dominator of v (a node index), `idom[root] = root`
 * (so `idom[v] >= 0` exactly when v is reachable from the root), and `NO_DOMINATOR` (−1) for nodes the
 * root does not reach. Parallel edges and self-loops are allowed.
 */
export function dominatorTree(n: number, offsets: Uint32Array, targets: Uint32Array | Int32Array, root: number): Int32Array {
  checkGraph(n, offsets, targets, root);
  const dfs = depthFirstNumbering(n, offsets, targets, root);
  const { count, nodeOf } = dfs;
  const { predOffsets, preds } = predecessorsByNumber(dfs);
  const idom = immediateDominatorsByNumber(dfs, predOffsets, preds);
  const answer = new Int32Array(n).fill(NO_DOMINATOR);
  answer[root] = root;
  for (let w = 1; w < count; w++) answer[nodeOf[w]!] = nodeOf[idom[w]!]!;
  return answer;
}

function checkGraph(n: number, offsets: Uint32Array, targets: Uint32Array | Int32Array, root: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`node count must be a non-negative integer, got ${n}`);
  if (offsets.length !== n + 1) throw new RangeError(`offsets must have n + 1 = ${n + 1} entries, got ${offsets.length}`);
  if (!Number.isInteger(root) || root < 0 || root >= n) throw new RangeError(`root ${root} is not a node index in [0, ${n})`);
  if (offsets[n]! > targets.length) throw new RangeError(`offsets[n] = ${offsets[n]} exceeds the ${targets.length} targets`);
  for (let j = 0, end = offsets[n]!; j < end; j++) {
    const t = targets[j]!;
    if (!(t >= 0 && t < n)) throw new RangeError(`target ${t} at position ${j} is not a node index in [0, ${n})`);
  }
}

/** Step 1's result: the reached nodes numbered in preorder, their DFS tree, and every edge out of them in number space. */
interface Numbering {
  /** How many nodes the root reaches (numbers 0 .. count−1). */
  count: number;
  /** The node behind each number. */
  nodeOf: Int32Array;
  /** The number of each number's DFS tree parent. */
  parent: Int32Array;
  /** The edges out of reached nodes, in number space: edgeFrom[e] → edgeTo[e], `edges` of them. */
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  edges: number;
  /** The DFS stack, n entries, free once the numbering is done (step 3 reuses it). */
  stack: Int32Array;
}

function depthFirstNumbering(n: number, offsets: Uint32Array, targets: Uint32Array | Int32Array, root: number): Numbering {
  // 1. Iterative DFS from the root: preorder numbers (the algorithm works in number space), the DFS
  //    tree parent of each number, and the node behind each number. Every edge out of a reached
  //    node is looked at once here, with both ends numbered by then: it is recorded in number
  //    space, so that step 2 need not look the numbers up again (a random access per edge).
  const numberOf = new Int32Array(n).fill(-1);
  const nodeOf = new Int32Array(n);
  const parent = new Int32Array(n);
  const stack = new Int32Array(n); // node of each DFS frame …
  const stackNumber = new Int32Array(n); // … its number …
  const edgeCursor = new Uint32Array(n); // … and its next edge
  const edgeTo = new Int32Array(offsets[n]!);
  const edgeFrom = new Int32Array(offsets[n]!);
  let edges = 0;
  let count = 0;
  let sp = 0;
  numberOf[root] = count;
  nodeOf[count] = root;
  parent[count] = 0;
  count++;
  stack[sp] = root;
  stackNumber[sp] = 0;
  edgeCursor[sp] = offsets[root]!;
  sp++;
  while (sp > 0) {
    const v = stack[sp - 1]!;
    const from = stackNumber[sp - 1]!;
    const end = offsets[v + 1]!;
    let j = edgeCursor[sp - 1]!;
    // Record the already-numbered targets in one tight loop; descend into the first new one.
    let w = -1;
    for (; j < end; j++) {
      const d = numberOf[targets[j]!]!;
      if (d < 0) {
        w = targets[j]!;
        break;
      }
      edgeTo[edges] = d;
      edgeFrom[edges++] = from;
    }
    if (w >= 0) {
      edgeCursor[sp - 1] = j + 1;
      numberOf[w] = count;
      nodeOf[count] = w;
      parent[count] = from;
      edgeTo[edges] = count;
      edgeFrom[edges++] = from;
      stack[sp] = w;
      stackNumber[sp] = count;
      edgeCursor[sp] = offsets[w]!;
      count++;
      sp++;
    } else {
      sp--;
    }
  }
  return { count, nodeOf, parent, edgeFrom, edgeTo, edges, stack };
}

function predecessorsByNumber({ count, edgeFrom, edgeTo, edges }: Numbering): { predOffsets: Uint32Array; preds: Int32Array } {
  // 2. Predecessors in number space (reachable nodes only: only those count for dominance), by a
  //    counting sort of the recorded edges, so that the backward sweep reads them sequentially.
  const predOffsets = new Uint32Array(count + 1);
  for (let e = 0; e < edges; e++) predOffsets[edgeTo[e]! + 1]! += 1;
  for (let i = 0; i < count; i++) predOffsets[i + 1]! += predOffsets[i]!;
  const preds = new Int32Array(edges);
  const predFill = predOffsets.slice(0, count);
  for (let e = 0; e < edges; e++) preds[predFill[edgeTo[e]!]!++] = edgeFrom[e]!;
  return { predOffsets, preds };
}

/** Steps 3 and 4: the immediate dominator of every number (number 0, the root, has none of its own). */
function immediateDominatorsByNumber({ count, parent, stack }: Numbering, predOffsets: Uint32Array, preds: Int32Array): Int32Array {
  // 3. Semidominators by a backward sweep over the numbers, with a link-eval forest (path compression).
  const semi = new Int32Array(count);
  const label = new Int32Array(count);
  const ancestor = new Int32Array(count).fill(-1);
  const idom = new Int32Array(count);
  const bucketHead = new Int32Array(count).fill(-1);
  const bucketNext = new Int32Array(count);
  const path = stack; // reused: the compression path never exceeds the node count
  for (let i = 0; i < count; i++) {
    semi[i] = i;
    label[i] = i;
  }

  for (let w = count - 1; w >= 1; w--) {
    const p = parent[w]!;
    let s = semi[w]!;
    for (let j = predOffsets[w]!, end = predOffsets[w + 1]!; j < end; j++) {
      const u = evaluate(preds[j]!, ancestor, label, semi, path);
      if (semi[u]! < s) s = semi[u]!;
    }
    semi[w] = s;
    bucketNext[w] = bucketHead[s]!;
    bucketHead[s] = w;
    ancestor[w] = p; // link(p, w)
    for (let v = bucketHead[p]!; v >= 0; v = bucketNext[v]!) {
      const u = evaluate(v, ancestor, label, semi, path);
      idom[v] = semi[u]! < semi[v]! ? u : p;
    }
    bucketHead[p] = -1;
  }
  // 4. Where the semidominator was not the immediate dominator, it is that of the deferred vertex.
  for (let w = 1; w < count; w++) {
    if (idom[w] !== semi[w]) idom[w] = idom[idom[w]!]!;
  }
  return idom;
}

/**
 * eval(v) of the link-eval forest: the vertex of least semidominator on the forest path above v
 * (v itself at a forest root), compressing the path on the way. A plain function with its arrays
 * passed in, not a closure: it runs once per predecessor, and V8 inlines it.
 */
function evaluate(v: number, ancestor: Int32Array, label: Int32Array, semi: Int32Array, path: Int32Array): number {
  if (ancestor[v]! < 0) return v;
  let depth = 0;
  let x = v;
  while (ancestor[ancestor[x]!]! >= 0) {
    path[depth++] = x;
    x = ancestor[x]!;
  }
  // Compress top-down, as the recursive COMPRESS would on unwinding.
  while (depth > 0) {
    const y = path[--depth]!;
    const a = ancestor[y]!;
    if (semi[label[a]!]! < semi[label[y]!]!) label[y] = label[a]!;
    ancestor[y] = ancestor[a]!;
  }
  return label[v]!;
}

/**
 * The strict dominators of v, nearest first: idom(v), idom(idom(v)), …, the root. Empty for the root
 * itself and for nodes the root does not reach.
 */
export function strictDominators(idom: Int32Array, v: number): number[] {
  const out: number[] = [];
  const first = idom[v];
  if (first === undefined || first < 0 || first === v) return out;
  let x: number = first;
  for (;;) {
    out.push(x);
    const up = idom[x]!;
    if (up === x) return out;
    x = up;
  }
}

/** Whether d dominates v (every node dominates itself; nothing dominates an unreachable node). */
export function dominates(idom: Int32Array, d: number, v: number): boolean {
  let x = v;
  if (idom[x] === undefined || idom[x]! < 0) return false;
  for (;;) {
    if (x === d) return true;
    const up = idom[x]!;
    if (up === x) return false;
    x = up;
  }
}
