/**
 * The one cache of the engine: everything computed once per snapshot and reused by later
 * requests on it, in named, typed slots. What is cached, its key and its lifetime are all here;
 * the analyses only say how to build a slot's value (they pass a builder), so this module sits
 * below them (ARCHITECTURE.md, "Layers of the engine") and knows no analysis.
 *
 * Lifetime: a memo lives exactly as long as its snapshot (held beside it, weakly: a snapshot
 * dropped by the provider takes its memo with it). Snapshots are immutable, so nothing here is
 * ever invalidated; only the slots keyed by user input (a policy override) are bounded.
 *
 * Only results live here, never working arrays: an analysis allocates its scratch per call (or
 * takes it as an argument), so a walk that throws halfway leaves no cache half-written.
 */
import type { Metal } from './model.js';
import type { MetalLayer, Snapshot } from './snapshot.js';
import { layerComponents, type SupplyComponents } from './topology/strongly-connected.js';

/**
 * The origin walks' per-node table of a layer, by compact id (analyses/origin-mix.ts): the step
 * rule outside cyclic blocks (scale and leak depend on the layer alone) and what the node is to
 * the walk (OTHER, COUNTRY_NODE, RECYCLED_SMELTER, PRIMARY_SMELTER there).
 */
export interface WalkTable {
  scale: Float64Array;
  leak: Float64Array;
  kind: Uint8Array;
}

/** How far upstream the nearest high-risk source is, by node index (analyses/risk-paths.ts). */
export interface HighRiskDistances {
  /** Edges from v to the nearest high-risk source upstream along positive shares, v itself counting (0); FAR if none. */
  toHighRisk: Uint8Array;
  /** The same for paths of at least one edge: 1 + the least toHighRisk over v's sources. */
  beyond: Uint8Array;
}

/** Per metal layer; key: the metal; lifetime: the snapshot's. */
export class LayerMemo {
  #components: SupplyComponents | undefined;
  #walkTable: WalkTable | undefined;
  #reachesSource: Uint8Array | undefined;
  #hasZeroShares: boolean | undefined;
  #overSharedCount: number | undefined;
  readonly #blockWalks = new Map<string, object>();

  constructor(readonly layer: MetalLayer) {}

  /**
   * What a walk needs of one cyclic block, made once: its pieces and, for the large ones, their
   * solvers made ready (origin-mix.ts builds it; `key` names the block and the walk). Holds the
   * sparse solver's working space too, the one exception to "only results": it is rewritten
   * whole by every solve, so a walk that throws leaves nothing a later one would read.
   */
  blockWalk<T extends object>(key: string, build: () => T): T {
    let walk = this.#blockWalks.get(key) as T | undefined;
    if (walk === undefined) this.#blockWalks.set(key, (walk = build()));
    return walk;
  }

  /** The layer's strongly connected components in the Components form (topology/strongly-connected.ts). */
  components(): SupplyComponents {
    return (this.#components ??= layerComponents(this.layer));
  }

  /** The origin walks' table (origin-mix.ts builds it). */
  walkTable(build: () => WalkTable): WalkTable {
    return (this.#walkTable ??= build());
  }

  /** 1 where a node can reach a node without sources along SUPPLIES (impact.ts builds it). */
  reachesSource(build: () => Uint8Array): Uint8Array {
    return (this.#reachesSource ??= build());
  }

  /** Whether some relationship of the layer has effective share 0 (impact.ts builds it). */
  hasZeroShares(build: () => boolean): boolean {
    return (this.#hasZeroShares ??= build());
  }

  /** How many buyers of the layer had shares summing above 1 (usually none: then no warning walk). */
  overSharedCount(): number {
    if (this.#overSharedCount === undefined) {
      let count = 0;
      const { overShared } = this.layer;
      for (let v = 0; v < overShared.length; v++) count += overShared[v]!;
      this.#overSharedCount = count;
    }
    return this.#overSharedCount;
  }
}

/**
 * Per risk policy; key: the policy's JSON text (two equal overrides share one entry), so the
 * intrinsic risk of a policy is computed once whoever asks; found by the policy object first (no
 * JSON text per request for the default policy); lifetime: the snapshot's, but at most
 * MAX_POLICIES entries (overrides are user input).
 */
export class PolicyMemo {
  #intrinsic: Float64Array | undefined;
  readonly #propagated = new Map<Metal, Float64Array>();
  /** Per metal, by the intrinsic-risk array they were computed from (the shared one, or a caller's own), weakly. */
  readonly #highRiskDistances = new Map<Metal, WeakMap<Float64Array, HighRiskDistances>>();

  constructor(readonly key: string) {}

  /** Intrinsic risk by node index (analyses/risk-policy.ts builds it). Shared: never modify it. */
  intrinsic(build: () => Float64Array): Float64Array {
    return (this.#intrinsic ??= build());
  }

  /** Propagated risk of one metal by node index (analyses/risk-score.ts builds it). Shared: never modify it. */
  propagated(metal: Metal, build: () => Float64Array): Float64Array {
    let risk = this.#propagated.get(metal);
    if (risk === undefined) this.#propagated.set(metal, (risk = build()));
    return risk;
  }

  /**
   * The high-risk distances of one metal under this policy, from the intrinsic-risk array
   * `intrinsic` (analyses/risk-paths.ts builds them). Keyed by the array itself, weakly: a caller
   * reusing its own array (unmodified) reuses them, and they go with it.
   */
  highRiskDistances(metal: Metal, intrinsic: Float64Array, build: () => HighRiskDistances): HighRiskDistances {
    let byArray = this.#highRiskDistances.get(metal);
    if (byArray === undefined) this.#highRiskDistances.set(metal, (byArray = new WeakMap()));
    let distances = byArray.get(intrinsic);
    if (distances === undefined) byArray.set(intrinsic, (distances = build()));
    return distances;
  }
}

/** Policies kept per snapshot: the default and a few overrides; a further one clears them all. */
const MAX_POLICIES = 8;

export class SnapshotMemo {
  readonly #layers = new Map<Metal, LayerMemo>();
  readonly #policies = new Map<string, PolicyMemo>();
  /** The same entries by policy object, weakly: a request's merged policy goes with the request. */
  readonly #policyObjects = new WeakMap<object, PolicyMemo>();

  constructor(readonly snapshot: Snapshot) {}

  /** The memo of the metal's layer; undefined when the snapshot has no such layer. */
  layer(metal: Metal): LayerMemo | undefined {
    let memo = this.#layers.get(metal);
    if (memo === undefined) {
      const layer = this.snapshot.layers.get(metal);
      if (layer === undefined) return undefined;
      this.#layers.set(metal, (memo = new LayerMemo(layer)));
    }
    return memo;
  }

  /** The memo of one risk policy (a RiskPolicy of analyses/risk-policy.ts; any JSON-able object here). */
  policy(policy: object): PolicyMemo {
    let memo = this.#policyObjects.get(policy);
    if (memo !== undefined && this.#policies.get(memo.key) === memo) return memo;
    const key = JSON.stringify(policy);
    memo = this.#policies.get(key);
    if (memo === undefined) {
      if (this.#policies.size >= MAX_POLICIES) this.#policies.clear(); // overrides are rare; never unbounded
      this.#policies.set(key, (memo = new PolicyMemo(key)));
    }
    this.#policyObjects.set(policy, memo);
    return memo;
  }
}

/** Beside each snapshot, weakly: the memo goes when the snapshot does. */
const memos = new WeakMap<Snapshot, SnapshotMemo>();

/** The snapshot's memo, made on first use. */
export function memoOf(snapshot: Snapshot): SnapshotMemo {
  let memo = memos.get(snapshot);
  if (memo === undefined) memos.set(snapshot, (memo = new SnapshotMemo(snapshot)));
  return memo;
}

/** The memo of a layer of the snapshot (the layer must be one of snapshot.layers). */
export function layerMemoOf(snapshot: Snapshot, layer: MetalLayer): LayerMemo {
  return memoOf(snapshot).layer(layer.metal)!;
}
