"""
networkx / scipy baselines for bench/run.ts, on the metal layer the worker wrote.

    python networkx_baselines.py PREFIX OUT.json [--min-cut] [--reps N] [--budget SECONDS]

PREFIX.from.i32 / PREFIX.to.i32 / PREFIX.weight.f64: the walk graph (buyer -> source, effective
weight); PREFIX.meta.json: node count, focal company, largest-upstream company, absorbing states.
Loading and building the graphs is NOT timed; each algorithm is, as a median over repetitions (a
first run under 0.2 s is a warm-up and not counted; repetitions stop when the budget is spent).

Keys (the engine's result rows name the same keys as `baselineKey`):
  bfs-upstream          nx.single_source_shortest_path_length from the focal company
  pagerank              nx.pagerank (scipy inside): a whole-graph propagation, like the risk fixed point
  immediate-dominators  nx.immediate_dominators rooted at the focal company
  origin-all            (I - W) X = B for 3 right-hand sides (CAHRA countries, other countries,
                        recycled): networkx condensation for a sources-first order, then scipy SuperLU
  origin-one            the origin mix of one company: its upstream (nx.descendants), the same
                        ordering and factorisation on that block, one transposed solve
  origin-one-solve      on a giant strongly connected component only (largestComponent in the
                        meta > GIANT): the solve alone, the factor kept (what a cache would give);
                        there the factorisation uses SuperLU's MMD_AT_PLUS_A ordering (NATURAL fills
                        the component in densely, COLAMD took 48 s at 16k members, MMD 16 s), and on
                        a component beyond SPLU_LIMIT members it is not attempted (hours): scipy's
                        GMRES without a preconditioner is the baseline of origin-one instead
  minimum-node-cut      nx.minimum_node_cut between the focal company and a super-sink joined from
                        every source (node without sources), with --min-cut only (slow in Python)
  spof                  immediate-dominators + minimum-node-cut (what the engine's answer covers)
"""
import json
import sys
import time

import networkx as nx
import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla


# A strongly connected component of more members than this is "giant" (see origin-one-solve).
GIANT = 5000
# SuperLU is not attempted on a component beyond this (16 s at 16k members, growing faster than linearly).
SPLU_LIMIT = 100_000


def timed(fn, reps, budget):
    samples = []
    started = time.perf_counter()
    t0 = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t0
    if first >= 0.2:
        samples.append(first)
    while len(samples) < reps and (not samples or time.perf_counter() - started < budget):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    ms = sorted(s * 1000 for s in samples)
    mid = len(ms) // 2
    median = ms[mid] if len(ms) % 2 else (ms[mid - 1] + ms[mid]) / 2
    return {"median": median, "min": ms[0], "max": ms[-1], "samples": ms}, result


def log(line):
    sys.stderr.write(f"  {line}\n")
    sys.stderr.flush()


def main(argv):
    prefix, out = argv[1], argv[2]
    min_cut = "--min-cut" in argv
    reps = int(argv[argv.index("--reps") + 1]) if "--reps" in argv else 3
    budget = float(argv[argv.index("--budget") + 1]) if "--budget" in argv else 60.0
    with open(prefix + ".meta.json") as f:
        meta = json.load(f)
    n = meta["nodeCount"]
    focal = meta["focal"]
    largest = meta["largestUpstream"]
    src = np.fromfile(prefix + ".from.i32", dtype=np.int32)
    dst = np.fromfile(prefix + ".to.i32", dtype=np.int32)
    w = np.fromfile(prefix + ".weight.f64", dtype=np.float64)

    t0 = time.perf_counter()
    G = nx.DiGraph()
    G.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), w.tolist()))
    log(f"networkx graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges, built in {time.perf_counter() - t0:.1f} s (not timed)")
    timings, checks = {}, {}

    log("networkx BFS")
    timings["bfs-upstream"], dist = timed(lambda: nx.single_source_shortest_path_length(G, focal), reps, budget)
    checks["bfs-reached"] = len(dist)

    log("networkx pagerank")
    timings["pagerank"], _ = timed(lambda: nx.pagerank(G, alpha=0.85, weight="weight"), reps, budget)

    log("networkx immediate_dominators")
    timings["immediate-dominators"], idom = timed(lambda: nx.immediate_dominators(G, focal), reps, budget)
    checks["idom-reached"] = len(idom)

    # Origin aggregates: (I - W) X = B, W[v, u] = w(u, v) over positive weights (absorbing states
    # have no rows in W). Solved directly with SuperLU in a sources-first order of the strongly
    # connected components (networkx condensation + topological sort): I - W is then block
    # triangular and factorises with little fill. Both steps are timed. (SuperLU's own COLAMD
    # ordering had not finished after 5 min at 1M nodes, and a plain fixed-point iteration crawls
    # on loops that leak little: 0.15% per sweep on the 1M graph.)
    pos = w > 0
    W = sp.csr_matrix((w[pos], (src[pos], dst[pos])), shape=(n, n))
    cahra = np.zeros(n, dtype=bool)
    cahra[meta["cahra"]] = True
    non_cahra = np.zeros(n, dtype=bool)
    non_cahra[meta["nonCahra"]] = True
    recycled = np.zeros(n, dtype=bool)
    recycled[meta["recycled"]] = True

    def sources_first(H):
        C = nx.condensation(H)
        members = {}
        for v, c in C.graph["mapping"].items():
            members.setdefault(c, []).append(v)
        return np.array([v for c in reversed(list(nx.topological_sort(C))) for v in members[c]])

    giant = meta.get("largestComponent", 1) > GIANT
    too_big = meta.get("largestComponent", 1) > SPLU_LIMIT

    def factorise(order):
        P = W[order, :][:, order]
        # Sources first, I - W is block triangular: NATURAL keeps the fill inside the cycles, fine
        # while they are small; a giant component needs a fill-reducing ordering of its own.
        return spla.splu((sp.identity(len(order), format="csc") - P).tocsc(), permc_spec="MMD_AT_PLUS_A" if giant else "NATURAL")

    def origin_all():
        order = sources_first(G)
        X = factorise(order).solve(np.stack([cahra[order], non_cahra[order], recycled[order]], axis=1).astype(float))
        return float(X[np.flatnonzero(order == focal)[0], 0])

    if too_big:
        log(f"origin aggregates of every node: SuperLU not attempted (a component of {meta['largestComponent']} members)")
    else:
        log("networkx + scipy origin aggregates of every node (condensation order, SuperLU, 3 right-hand sides)")
        try:
            timings["origin-all"], checks["origin-cahra-focal"] = timed(origin_all, reps, budget)
        except RuntimeError as err:  # a singular system: a closed loop with no way out
            log(f"  origin-all failed: {err}")

    def origin_one():
        # Only the company's upstream matters: restrict to it, then one transposed solve
        # (I - W)^T y = e_v (y at a country = the share of v's intake absorbed there).
        order = sources_first(G.subgraph([largest] + list(nx.descendants(G, largest))).copy())
        e = (order == largest).astype(float)
        y = factorise(order).solve(e, trans="T")
        return float(y[cahra[order]].sum())

    def origin_one_gmres():
        # The whole layer's I - W transposed, GMRES(30) without a preconditioner, to 1e-12.
        A = (sp.identity(n, format="csr") - W).T.tocsr()
        e = np.zeros(n)
        e[largest] = 1.0
        y, info = spla.gmres(A, e, rtol=1e-12, restart=30, maxiter=1000)
        if info != 0:
            raise RuntimeError(f"gmres did not converge (info {info})")
        return float(y[cahra].sum())

    if too_big:
        log(f"scipy GMRES origin mix of one company (a component of {meta['largestComponent']} members: SuperLU not attempted)")
        try:
            timings["origin-one"], checks["origin-cahra-largest"] = timed(origin_one_gmres, reps, budget)
        except RuntimeError as err:
            log(f"  origin-one failed: {err}")
    else:
        log("networkx + scipy origin mix of one company (its upstream only)")
        try:
            timings["origin-one"], checks["origin-cahra-largest"] = timed(origin_one, reps, budget)
        except RuntimeError as err:
            log(f"  origin-one failed: {err}")
    if giant and not too_big:
        order = sources_first(G.subgraph([largest] + list(nx.descendants(G, largest))).copy())
        e = (order == largest).astype(float)
        lu = factorise(order)
        log("scipy origin mix of one company, the factor kept (solve only)")
        timings["origin-one-solve"], _ = timed(lambda: float(lu.solve(e, trans="T")[cahra[order]].sum()), max(reps, 5), budget)

    if min_cut:
        H = G.copy()
        sink = n  # a fresh node id
        sources = [v for v in G.nodes if G.out_degree(v) == 0 and v != focal]
        H.add_edges_from((v, sink) for v in sources)
        log(f"networkx minimum_node_cut (focal company to {len(sources)} sources via a super-sink)")
        timings["minimum-node-cut"], cut = timed(lambda: nx.minimum_node_cut(H, focal, sink), min(reps, 2), budget)
        checks["connectivity"] = len(cut)
        timings["spof"] = {k: timings["immediate-dominators"][k] + timings["minimum-node-cut"][k] for k in ("median", "min", "max")}

    with open(out, "w") as f:
        json.dump({"versions": {"networkx": nx.__version__, "scipy": scipy.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}, "timings": timings, "checks": checks}, f)


if __name__ == "__main__":
    main(sys.argv)
