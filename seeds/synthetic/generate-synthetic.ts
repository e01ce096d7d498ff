/**
 * Large synthetic supply networks with a realistic shape (README, "Benchmarks"), for benchmarks and scale
 * tests: one or a few focal companies, tiers of suppliers below them (tier 1 … tier 5+), power-law
 * buyer counts (a few suppliers serve very many buyers), shared sub-tier suppliers, a few hundred
 * smelters per metal (some recycled, RMAP statuses mixed), ~50 real origin countries with their
 * real CAHRA lists, shares on most SUPPLIES (some missing, some leaving an undisclosed remainder),
 * and a few cycles among companies. Every company, smelter and relationship is FICTIONAL; the
 * Country nodes are the reference data's own (seeds/reference), unchanged.
 *
 * Deterministic per seed: an inline PRNG (mulberry32), no Math.random, no clock.
 *
 * The generator works on columns (typed arrays) and only makes objects on request, so that 1M
 * nodes / 5M SUPPLIES fit in memory and take seconds: `generateSyntheticColumns` is the core,
 * `syntheticNode` / `syntheticRelationship` materialise one row, `generateSyntheticNetwork`
 * materialises all of them. Objects are built valid by construction (schema output types, every
 * default spelled out), never parsed here: test/seeds/synthetic.test.ts parses them.
 *
 * CLI:  npx tsx seeds/synthetic/generate-synthetic.ts --companies 5000 --seed 1 [--out graph.json] [--no-located-in]
 */
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { METALS, METAL_IDS } from '../../graph/metals.js';
import { HUMAN_RIGHTS_RISKS, RMAP_STATUSES, type Country, type GraphNode, type Metal, type Relationship } from '../../graph/model.js';
import { loadCountries } from '../reference/reference-data.js';
import type { ScanColumns } from '../../graph/scan-columns.js';
import { copyOf, SHARED } from '../../graph/typed-arena.js';
import { mulberry32 } from '../random.js';

// ---------------------------------------------------------------------------------------------
// Options and result

export interface SyntheticOptions {
  /** Number of Company nodes, focal companies included (≥ 1). */
  companies: number;
  /** Any integer; the same seed and options give the same network. */
  seed: number;
  /** Metals to trace; default tin, tantalum, tungsten, gold (3TG). At most 16. */
  metals?: readonly Metal[] | undefined;
  /** Focal companies (tier 0); default 3 from 1000 companies on, else 1. */
  focalCompanies?: number | undefined;
  /** Supplier tiers below the focal companies; default 5, 6 or 7 by size (never more than there are suppliers). */
  tiers?: number | undefined;
  /** Smelters per metal; default companies / 25, clamped to 10..300. */
  smeltersPerMetal?: number | undefined;
  /** Target number of SUPPLIES per company (all kinds of SUPPLIES counted); default 5. */
  suppliesPerCompany?: number | undefined;
  /** Cycles among companies; default max(3, companies / 20 000). */
  cycles?: number | undefined;
  /** Emit LOCATED_IN for every company and smelter; default true (benchmarks at 1M turn it off). */
  locatedIn?: boolean | undefined;
  /** `source` of every SUPPLIES; default `synthetic:seed=<seed>`. */
  source?: string | undefined;
  /**
   * Share of companies (0..1) joined into one giant strongly connected component, as on real company networks
   * where customers and suppliers are linked both ways; default 0 (today's tiered shape, a few cycles).
   */
  giantComponent?: number | undefined;
  /** 'mixed' (default): shares given in full, in part or not at all, as described in the README; 'none': no SUPPLIES has a share. */
  shares?: 'mixed' | 'none' | undefined;
}

/** Growth of tier sizes from one tier to the next (tier t+1 has ~2.5× the companies of tier t). */
const TIER_GROWTH = 2.5;
/** Zipf exponent of a buyer's pick of extra suppliers: the power law of buyer counts. */
const SUPPLIER_ZIPF = 1.0;
/** Zipf exponent of a supplier's pick of its primary buyer: big buyers have more suppliers. */
const BUYER_ZIPF = 0.5;
/** Zipf exponent of a company's pick of smelters: a few large smelters serve many companies. */
const SMELTER_ZIPF = 0.8;
/** A supplier keeps each metal of its primary buyer with this chance (at least one). */
const KEEP_METAL = 0.5;
/** With a giant component: the chance that one of its companies also buys from a member of a tier above its buyer's (a cross-tier link). */
const CROSS_TIER_LINK = 0.5;
/** Share units: shares are whole millionths, so sums are exact up to float rounding. */
const SHARE_UNITS = 1_000_000;

/** How the shares into one buyer for one metal were given. */
export const SHARE_MODES = ['full', 'remainder', 'someMissing', 'none'] as const;
export type ShareMode = (typeof SHARE_MODES)[number];

export interface SyntheticStats {
  nodes: number;
  companies: number;
  smelters: number;
  countries: number;
  /** Companies per tier, tier 0 (the focal companies) first. */
  tierSizes: number[];
  supplies: number;
  countryToSmelter: number;
  smelterToCompany: number;
  companyToCompany: number;
  locatedIn: number;
  /** Company-to-company links (one per supplier and buyer, any number of metals). */
  companyLinks: number;
  /** Links added to close a cycle. */
  cycles: number;
  /** Companies in the giant strongly connected component (option giantComponent; 0 without it). */
  giantComponentCompanies: number;
  /** Links that joined it: from each of its buyers back to the supplier, and cross-tier ones. */
  backLinks: number;
  /** SUPPLIES without a share. */
  withoutShare: number;
  /** (buyer, metal) groups by how their shares were given. */
  shareModes: Record<ShareMode, number>;
  recycledSmelters: number;
  /** (company, metal) pairs with no source at all: their origin is undisclosed. */
  companyMetalsWithoutSource: number;
}

/**
 * The network as columns. Node indices: countries [0, countryCount), then smelters
 * [countryCount, countryCount + smelterCount) metal by metal, then companies (focal companies
 * first, then tier by tier). These are also the positions in `generateSyntheticNetwork().nodes`.
 */
export interface SyntheticColumns {
  seed: number;
  metals: readonly Metal[];
  source: string;
  locatedIn: boolean;
  nodeCount: number;
  countryCount: number;
  smelterCount: number;
  companyCount: number;
  firstSmelter: number;
  firstCompany: number;
  ids: string[];
  /** 0 Company, 1 Smelter, 2 Country (the snapshot's codes). */
  labels: Uint8Array;
  /** Index into `countries` of the node's country. */
  nodeCountry: Uint8Array;
  /** Companies: tier (0 = focal); -1 for other nodes. */
  tier: Int8Array;
  /** Companies: bit mask over `metals` of the metals they handle. */
  metalMask: Uint16Array;
  /** Smelters: index into `metals`. */
  smelterMetal: Uint8Array;
  /** Smelters: index into RMAP_STATUSES. */
  rmapStatus: Uint8Array;
  recycled: Uint8Array;
  /** Smelters: days after 2023-01-01 of the last audit, 0 = none. */
  lastAuditDay: Uint16Array;
  /** Companies: 0..100, 255 = absent. */
  saqScore: Uint8Array;
  /** Companies: 0 absent, else 1 + index into HUMAN_RIGHTS_RISKS. */
  humanRightsRisk: Uint8Array;
  /** The Country nodes used (reference data, unchanged). */
  countries: readonly Country[];
  /** Node indices of the focal companies, the first being "the" focal company. */
  focal: number[];
  /** SUPPLIES, grouped by buyer: from, to (node indices), metal (index into metals), share (NaN = none). */
  edgeCount: number;
  edgeFrom: Uint32Array;
  edgeTo: Uint32Array;
  edgeMetal: Uint8Array;
  edgeShare: Float64Array;
  stats: SyntheticStats;
}

export interface SyntheticNetwork {
  nodes: GraphNode[];
  relationships: Relationship[];
  /** Ids of the focal companies; the first is "the" focal company. */
  focal: string[];
  stats: SyntheticStats;
}

// ---------------------------------------------------------------------------------------------
// Countries: 50 real ISO codes. The first 22 are on a CAHRA list in the reference data (DFA-1502
// and/or EU-CAHRA; IN, MX and RU also have EU region-level designations).

const SYNTHETIC_COUNTRY_CODES = [
  'CD',
  'RW',
  'BI',
  'UG',
  'TZ',
  'ZM',
  'AO',
  'CF',
  'CG',
  'SS',
  'CO',
  'MM',
  'VE',
  'ML',
  'BF',
  'NE',
  'NG',
  'SD',
  'ZW',
  'MZ',
  'ET',
  'RU',
  'PE',
  'BO',
  'BR',
  'AU',
  'ID',
  'MY',
  'TH',
  'ZA',
  'GH',
  'CA',
  'KZ',
  'MN',
  'CL',
  'PH',
  'VN',
  'AT',
  'PT',
  'CN',
  'JP',
  'KR',
  'TW',
  'DE',
  'US',
  'MX',
  'IN',
  'CH',
  'SG',
  'IT',
] as const;

/** Where ore of each metal is mined (weights roughly follow world production). */
const ORE_COUNTRIES: Partial<Record<string, readonly (readonly [string, number])[]>> = {
  tin: [
    ['CN', 25],
    ['ID', 20],
    ['MM', 12],
    ['PE', 8],
    ['CD', 7],
    ['BO', 6],
    ['BR', 6],
    ['MY', 3],
    ['RW', 3],
    ['AU', 3],
    ['NG', 2],
    ['VN', 2],
    ['TH', 1],
    ['UG', 1],
    ['BI', 1],
  ],
  tantalum: [
    ['CD', 35],
    ['RW', 15],
    ['BR', 12],
    ['NG', 8],
    ['CN', 5],
    ['AU', 5],
    ['MZ', 5],
    ['ET', 4],
    ['BI', 3],
    ['UG', 2],
    ['TZ', 2],
    ['ZW', 2],
    ['CA', 2],
  ],
  tungsten: [
    ['CN', 60],
    ['VN', 8],
    ['RU', 6],
    ['BO', 4],
    ['RW', 4],
    ['AT', 3],
    ['PT', 3],
    ['MN', 3],
    ['CD', 3],
    ['UG', 2],
    ['KR', 2],
    ['AU', 2],
  ],
  gold: [
    ['CN', 10],
    ['AU', 9],
    ['RU', 9],
    ['US', 6],
    ['CA', 6],
    ['PE', 5],
    ['GH', 5],
    ['ZA', 4],
    ['ML', 4],
    ['BF', 4],
    ['KZ', 3],
    ['BR', 3],
    ['CO', 3],
    ['SD', 3],
    ['TZ', 3],
    ['MX', 3],
    ['ZW', 2],
    ['PH', 2],
    ['ID', 2],
    ['MN', 2],
    ['VE', 2],
    ['CD', 2],
    ['CL', 2],
    ['NE', 1],
    ['UG', 1],
    ['ZM', 1],
    ['AO', 1],
    ['CF', 1],
    ['SS', 1],
    ['CG', 1],
  ],
  cobalt: [
    ['CD', 70],
    ['ID', 8],
    ['AU', 4],
    ['PH', 4],
    ['RU', 4],
    ['CA', 3],
    ['ZM', 3],
    ['CN', 2],
    ['MY', 1],
  ],
};
/** Refining hubs a smelter may sit in instead of an ore country. */
const REFINING_COUNTRIES: readonly (readonly [string, number])[] = [
  ['CN', 6],
  ['MY', 2],
  ['TH', 2],
  ['JP', 2],
  ['DE', 1],
  ['US', 2],
  ['CH', 2],
  ['KR', 1],
  ['IT', 1],
  ['IN', 1],
  ['TW', 1],
];
/** Where companies are (manufacturing-heavy). */
const COMPANY_COUNTRIES: readonly (readonly [string, number])[] = [
  ['CN', 28],
  ['JP', 8],
  ['TW', 8],
  ['US', 8],
  ['KR', 6],
  ['DE', 6],
  ['IN', 5],
  ['VN', 5],
  ['MX', 4],
  ['MY', 4],
  ['TH', 4],
  ['IT', 3],
  ['SG', 2],
  ['CH', 2],
  ['ID', 2],
  ['PH', 2],
  ['BR', 1],
  ['AT', 1],
  ['PT', 1],
  ['CA', 1],
  ['AU', 1],
  ['ZA', 1],
];

const NAME_WORDS = [
  'Apex',
  'Northstar',
  'Meridian',
  'Crescent',
  'Summit',
  'Harbor',
  'Pinnacle',
  'Evergreen',
  'Vertex',
  'Cobalt Bay',
  'Silverline',
  'Redwood',
  'Orion',
  'Lakeside',
  'Granite',
  'Sunrise',
];
const NAME_KINDS = [
  'Components',
  'Electronics',
  'Precision Parts',
  'Materials',
  'Metals Trading',
  'Alloys',
  'Circuits',
  'Assemblies',
  'Connectors',
  'Solder',
  'Plating',
  'Capacitors',
  'Wire & Cable',
  'Modules',
];

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/**
 * A rank in [0, size) with P(k) ∝ (k+1)^-alpha, by inverting the continuous approximation of the
 * Zipf CDF: O(1) per draw and no table, which matters at millions of draws over 600k-company tiers.
 */
function zipfRank(u: number, size: number, alpha: number): number {
  let x: number;
  if (alpha === 1) x = Math.exp(u * Math.log(size + 1)) - 1;
  else {
    const a = 1 - alpha;
    x = (1 + u * ((size + 1) ** a - 1)) ** (1 / a) - 1;
  }
  const k = Math.floor(x);
  return k >= size ? size - 1 : Math.max(k, 0);
}

function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let s = 0;
  weights.forEach((w, i) => {
    s += w;
    out[i] = s;
  });
  return out;
}

function pickCumulative(cum: Float64Array, u: number): number {
  const target = u * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function popcount(x: number): number {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}

// Growable typed arrays (the final sizes are known only at the end).
function grownU32(a: Uint32Array, need: number): Uint32Array {
  if (need <= a.length) return a;
  const b = new Uint32Array(Math.max(need, Math.ceil(a.length * 1.5)));
  b.set(a);
  return b;
}
function grownU16(a: Uint16Array, need: number): Uint16Array {
  if (need <= a.length) return a;
  const b = new Uint16Array(Math.max(need, Math.ceil(a.length * 1.5)));
  b.set(a);
  return b;
}
function grownU8(a: Uint8Array, need: number): Uint8Array {
  if (need <= a.length) return a;
  const b = new Uint8Array(Math.max(need, Math.ceil(a.length * 1.5)));
  b.set(a);
  return b;
}
function grownF64(a: Float64Array, need: number): Float64Array {
  if (need <= a.length) return a;
  const b = new Float64Array(Math.max(need, Math.ceil(a.length * 1.5)));
  b.set(a);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Options

interface ResolvedOptions {
  companies: number;
  seed: number;
  metals: Metal[];
  focal: number;
  tiers: number;
  smeltersPerMetal: number;
  suppliesPerCompany: number;
  cycles: number;
  locatedIn: boolean;
  source: string;
  giantComponent: number;
  shares: 'mixed' | 'none';
}

function positiveInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

function resolveOptions(o: SyntheticOptions): ResolvedOptions {
  const companies = positiveInt('companies', o.companies, 1, 50_000_000);
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed must be an integer, got ${o.seed}`);
  const metals = [...(o.metals ?? (['tin', 'tantalum', 'tungsten', 'gold'] as Metal[]))];
  if (metals.length === 0 || metals.length > 16) throw new RangeError('metals must list 1 to 16 metals');
  for (const m of metals) if (!(METAL_IDS as readonly string[]).includes(m)) throw new RangeError(`unknown metal "${m}"`);
  if (new Set(metals).size !== metals.length) throw new RangeError('metals must not repeat');
  const focal = positiveInt('focalCompanies', o.focalCompanies ?? (companies >= 1000 ? 3 : 1), 1, companies);
  const rest = companies - focal;
  const defaultTiers = rest < 2000 ? 5 : rest < 200_000 ? 6 : 7;
  const tiers = Math.min(positiveInt('tiers', o.tiers ?? defaultTiers, 1, 100), rest);
  const smeltersPerMetal = positiveInt(
    'smeltersPerMetal',
    o.smeltersPerMetal ?? Math.min(300, Math.max(10, Math.round(companies / 25))),
    1,
    100_000,
  );
  const suppliesPerCompany = o.suppliesPerCompany ?? 5;
  if (!Number.isFinite(suppliesPerCompany) || suppliesPerCompany < 0 || suppliesPerCompany > 1000)
    throw new RangeError('suppliesPerCompany must be a number from 0 to 1000');
  const cycles = positiveInt('cycles', o.cycles ?? Math.max(3, Math.round(companies / 20_000)), 0, 1_000_000);
  const giantComponent = o.giantComponent ?? 0;
  if (!(giantComponent >= 0 && giantComponent <= 1))
    throw new RangeError(`giantComponent must be a number from 0 to 1, got ${o.giantComponent}`);
  const shares = o.shares ?? 'mixed';
  if (shares !== 'mixed' && shares !== 'none') throw new RangeError(`shares must be "mixed" or "none", got ${String(o.shares)}`);
  const source = o.source ?? `synthetic:seed=${o.seed}`;
  if (source.trim() === '' || source.length > 1000) throw new RangeError('source must be 1 to 1000 characters');
  return {
    companies,
    seed: o.seed,
    metals,
    focal,
    tiers,
    smeltersPerMetal,
    suppliesPerCompany,
    cycles,
    locatedIn: o.locatedIn ?? true,
    source,
    giantComponent,
    shares,
  };
}

// ---------------------------------------------------------------------------------------------
// The generator

/** The seeded draws of one generation: every step takes them in the same order as before. */
interface Draws {
  rand: () => number;
  randInt: (n: number) => number;
}

function seededDraws(seed: number): Draws {
  // Mix the seed so that seeds 1, 2, 3 start far apart in mulberry32's sequence.
  const rand = mulberry32(Math.imul((seed ^ (seed / 4294967296)) >>> 0, 0x9e3779b1) ^ 0x5bd1e995);
  return { rand, randInt: (n: number): number => Math.floor(rand() * n) };
}

/** Country indices with cumulative weights, for pickCumulative. */
interface WeightedCountries {
  idx: number[];
  cum: Float64Array;
}

interface CountryPicks {
  countries: Country[];
  /** Per metal (index into opt.metals): where its ore is mined. */
  oreBy: WeightedCountries[];
  refining: WeightedCountries;
  companyCountries: WeightedCountries;
}

/** The 50 Country nodes from the reference data, and the weighted picks over them. */
function syntheticCountries(metals: readonly Metal[]): CountryPicks {
  const reference = new Map(loadCountries().map((c) => [c.id, c]));
  const countries: Country[] = SYNTHETIC_COUNTRY_CODES.map((code) => {
    const c = reference.get(code);
    if (!c) throw new Error(`country ${code} is missing from the reference data`);
    return c;
  });
  const countryIndex = new Map(countries.map((c, i) => [c.id, i]));
  const weightedCountries = (list: readonly (readonly [string, number])[]): WeightedCountries => ({
    idx: list.map(([code]) => countryIndex.get(code)!),
    cum: cumulative(list.map(([, w]) => w)),
  });
  const oreBy = metals.map((m) => weightedCountries(ORE_COUNTRIES[m] ?? countries.slice(0, 39).map((c) => [c.id, 1] as const)));
  return { countries, oreBy, refining: weightedCountries(REFINING_COUNTRIES), companyCountries: weightedCountries(COMPANY_COUNTRIES) };
}

/** Where each kind of node sits among the node indices. */
interface NodeLayout {
  /** Metals. */
  M: number;
  /** Countries, smelters, all nodes. */
  C: number;
  S: number;
  N: number;
  firstSmelter: number;
  firstCompany: number;
}

function nodeLayout(opt: ResolvedOptions, countryCount: number): NodeLayout {
  const M = opt.metals.length;
  const C = countryCount;
  const S = opt.smeltersPerMetal * M;
  return { M, C, S, N: C + S + opt.companies, firstSmelter: C, firstCompany: C + S };
}

/** The node columns of SyntheticColumns, filled step by step. */
type NodeColumns = Pick<
  SyntheticColumns,
  | 'ids'
  | 'labels'
  | 'nodeCountry'
  | 'tier'
  | 'metalMask'
  | 'smelterMetal'
  | 'rmapStatus'
  | 'recycled'
  | 'lastAuditDay'
  | 'saqScore'
  | 'humanRightsRisk'
>;

/** Every node column allocated with its "absent" value, the countries placed first. */
function countryNodeColumns(layout: NodeLayout, countries: readonly Country[]): NodeColumns {
  const { N, C } = layout;
  const cols: NodeColumns = {
    ids: new Array<string>(N),
    labels: new Uint8Array(N),
    nodeCountry: new Uint8Array(N),
    tier: new Int8Array(N).fill(-1),
    metalMask: new Uint16Array(N),
    smelterMetal: new Uint8Array(N),
    rmapStatus: new Uint8Array(N).fill(255),
    recycled: new Uint8Array(N),
    lastAuditDay: new Uint16Array(N),
    saqScore: new Uint8Array(N).fill(255),
    humanRightsRisk: new Uint8Array(N),
  };
  for (let i = 0; i < C; i++) {
    cols.labels[i] = 2;
    cols.nodeCountry[i] = i;
    cols.ids[i] = countries[i]!.id;
  }
  return cols;
}

/** Smelters metal by metal: recycled or not, where (near the ore or in a refining hub), RMAP status and audit. Returns how many recycle. */
function placeSmelters(opt: ResolvedOptions, layout: NodeLayout, picks: CountryPicks, cols: NodeColumns, { rand, randInt }: Draws): number {
  const smelterWidth = Math.max(3, String(opt.smeltersPerMetal).length);
  const { oreBy, refining } = picks;
  let recycledSmelters = 0;
  for (let m = 0; m < layout.M; m++) {
    for (let k = 0; k < opt.smeltersPerMetal; k++) {
      const s = layout.firstSmelter + m * opt.smeltersPerMetal + k;
      cols.labels[s] = 1;
      cols.smelterMetal[s] = m;
      cols.ids[s] = flatString('syn-sm-', opt.metals[m]!, '-', String(k + 1).padStart(smelterWidth, '0'));
      const isRecycled = rand() < 0.1;
      cols.recycled[s] = isRecycled ? 1 : 0;
      if (isRecycled) recycledSmelters++;
      // A recycler sits in a refining hub; a primary smelter mostly near its ore.
      cols.nodeCountry[s] =
        !isRecycled && rand() < 0.6
          ? oreBy[m]!.idx[pickCumulative(oreBy[m]!.cum, rand())]!
          : refining.idx[pickCumulative(refining.cum, rand())]!;
      const u = rand();
      const status = isRecycled ? (u < 0.7 ? 0 : u < 0.8 ? 1 : 4) : u < 0.5 ? 0 : u < 0.6 ? 1 : u < 0.67 ? 2 : u < 0.8 ? 3 : 4;
      cols.rmapStatus[s] = status;
      if (status <= 1) cols.lastAuditDay[s] = 1 + randInt(900);
    }
  }
  return recycledSmelters;
}

/** Companies by tier: tier 0 the focal companies, then tiers growing by TIER_GROWTH. */
interface Tiers {
  /** The deepest tier. */
  D: number;
  tierSizes: number[];
  /** tierStart[t] .. tierStart[t + 1]: the node indices of tier t (D + 2 entries). */
  tierStart: number[];
}

function tierLayout(opt: ResolvedOptions, firstCompany: number): Tiers {
  const rest = opt.companies - opt.focal;
  const D = opt.tiers;
  const tierSizes: number[] = [opt.focal];
  if (D > 0) {
    const raw: number[] = [];
    for (let t = 1; t <= D; t++) raw.push(TIER_GROWTH ** (t - 1));
    const total = raw.reduce((a, b) => a + b, 0);
    const sizes = raw.map((r) => Math.max(1, Math.floor((rest * r) / total)));
    let sum = sizes.reduce((a, b) => a + b, 0);
    while (sum > rest) {
      const big = sizes.indexOf(Math.max(...sizes));
      sizes[big]! -= 1;
      sum--;
    }
    sizes[D - 1]! += rest - sum;
    tierSizes.push(...sizes);
  }
  const tierStart: number[] = [];
  let at = firstCompany;
  for (const size of tierSizes) {
    tierStart.push(at);
    at += size;
  }
  tierStart.push(at);
  return { D, tierSizes, tierStart };
}

/** Companies tier by tier: country, id, SAQ score and human-rights risk. Returns the focal companies. */
function placeCompanies(
  opt: ResolvedOptions,
  layout: NodeLayout,
  tiers: Tiers,
  picks: CountryPicks,
  cols: NodeColumns,
  { rand }: Draws,
): number[] {
  const { D, tierStart } = tiers;
  const { companyCountries } = picks;
  const companyWidth = Math.max(7, String(opt.companies - opt.focal).length);
  const focal: number[] = [];
  for (let t = 0; t <= D; t++) {
    for (let v = tierStart[t]!; v < tierStart[t + 1]!; v++) {
      cols.labels[v] = 0;
      cols.tier[v] = t;
      cols.nodeCountry[v] = companyCountries.idx[pickCumulative(companyCountries.cum, rand())]!;
      if (t === 0) {
        focal.push(v);
        cols.ids[v] = flatString('syn-focal-', String(v - layout.firstCompany + 1));
      } else {
        cols.ids[v] = flatString('syn-co-', String(v - tierStart[1]! + 1).padStart(companyWidth, '0'));
      }
      if (rand() < 0.6) cols.saqScore[v] = Math.max(0, Math.min(100, Math.round(40 + 20 * (rand() + rand() + rand()))));
      if (rand() < 0.25) {
        const u = rand();
        cols.humanRightsRisk[v] = u < 0.6 ? 1 : u < 0.9 ? 2 : 3;
      }
    }
  }
  return focal;
}

/** Company → company links (supplier, buyer, metals as a mask), in growable columns. */
class CompanyLinks {
  private cap: number;
  from: Uint32Array;
  to: Uint32Array;
  mask: Uint16Array;
  count = 0;
  /** Links from here on run from a buyer back to its supplier (the giant component's); they are not the supplier's sources. */
  firstBack = Number.POSITIVE_INFINITY;

  constructor(companies: number) {
    this.cap = Math.max(16, Math.ceil(companies * 2.5));
    this.from = new Uint32Array(this.cap);
    this.to = new Uint32Array(this.cap);
    this.mask = new Uint16Array(this.cap);
  }

  add(u: number, v: number, mask: number): void {
    if (this.count >= this.cap) {
      this.cap = Math.ceil(this.cap * 1.5);
      this.from = grownU32(this.from, this.cap);
      this.to = grownU32(this.to, this.cap);
      this.mask = grownU16(this.mask, this.cap);
    }
    this.from[this.count] = u;
    this.to[this.count] = v;
    this.mask[this.count] = mask;
    this.count++;
  }

  /** Links grouped by buyer (counting sort), for the cycle walk and the emission of SUPPLIES. */
  byBuyer(N: number): { offsets: Uint32Array; order: Uint32Array } {
    const offsets = new Uint32Array(N + 1);
    for (let l = 0; l < this.count; l++) offsets[this.to[l]! + 1]! += 1;
    for (let v = 0; v < N; v++) offsets[v + 1]! += offsets[v]!;
    const fill = offsets.slice(0, N);
    const order = new Uint32Array(this.count);
    for (let l = 0; l < this.count; l++) order[fill[this.to[l]!]!++] = l;
    return { offsets, order };
  }
}

interface PrimaryLinks {
  primaryBuyer: Uint32Array;
  /** Which metals of each buyer at least one supplier carries (for the calibration of phase B). */
  covered: Uint16Array;
  /** SUPPLIES the primary links will carry (one per metal). */
  phaseASupplies: number;
}

/** Phase A: every supplier gets a primary buyer one tier down (Zipf), and a subset of the buyer's metals. */
function linkPrimaryBuyers(
  layout: NodeLayout,
  tiers: Tiers,
  focal: readonly number[],
  cols: NodeColumns,
  links: CompanyLinks,
  { rand, randInt }: Draws,
): PrimaryLinks {
  const { M, N } = layout;
  const { D, tierSizes, tierStart } = tiers;
  const metalMask = cols.metalMask;
  const primaryBuyer = new Uint32Array(N);
  for (const f of focal) metalMask[f] = (1 << M) - 1;
  const covered = new Uint16Array(N);
  let phaseASupplies = 0;
  for (let t = 1; t <= D; t++) {
    const bStart = tierStart[t - 1]!;
    const bSize = tierSizes[t - 1]!;
    for (let u = tierStart[t]!; u < tierStart[t + 1]!; u++) {
      const p = bStart + zipfRank(rand(), bSize, BUYER_ZIPF);
      const parent = metalMask[p]!;
      let mask = 0;
      for (let m = 0; m < M; m++) if (parent & (1 << m) && rand() < KEEP_METAL) mask |= 1 << m;
      if (mask === 0) {
        // Keep one of the parent's metals, chosen at random.
        let pick = randInt(popcount(parent));
        for (let m = 0; m < M; m++) {
          if (parent & (1 << m) && pick-- === 0) {
            mask = 1 << m;
            break;
          }
        }
      }
      metalMask[u] = mask;
      primaryBuyer[u] = p;
      covered[p]! |= mask;
      phaseASupplies += popcount(mask);
      links.add(u, p, mask);
    }
  }
  return { primaryBuyer, covered, phaseASupplies };
}

/**
 * The mean number of extra supplier attempts per buyer (phase B) that brings SUPPLIES to about
 * suppliesPerCompany × companies, from a probe of 4096 draws on its own PRNG (the main draws are
 * not touched).
 */
function extraAttemptsPerBuyer(opt: ResolvedOptions, layout: NodeLayout, tiers: Tiers, cols: NodeColumns, primary: PrimaryLinks): number {
  const { D, tierSizes, tierStart } = tiers;
  const { metalMask, tier } = cols;
  const buyersWithNextTier = D > 0 ? tierStart[D]! - layout.firstCompany : 0;
  if (!(buyersWithNextTier > 0 && opt.suppliesPerCompany > 0)) return 0;
  let uncovered = 0;
  for (let v = layout.firstCompany; v < tierStart[D]!; v++) uncovered += popcount(metalMask[v]! & ~primary.covered[v]!);
  let deepestMetals = 0;
  for (let v = tierStart[D]!; v < tierStart[D + 1]!; v++) deepestMetals += popcount(metalMask[v]!);
  // Mirrors phase D: an uncovered (company, metal) buys from ~1.5 smelters with 80% chance, a deepest-tier one from ~2 with 95%.
  const smelterEdges = uncovered * 0.8 * 1.5 + deepestMetals * 0.95 * 2 + (opt.companies - opt.focal) * 0.03 * 0.5;
  const oreEdges = layout.S * 0.9 * 0.85 * 2.5;
  const wanted = opt.suppliesPerCompany * opt.companies - primary.phaseASupplies - smelterEdges - oreEdges;
  if (!(wanted > 0)) return 0;
  const probe = mulberry32(opt.seed ^ 0x1234567);
  let got = 0;
  const trials = 4096;
  for (let i = 0; i < trials; i++) {
    const v = layout.firstCompany + Math.floor(probe() * buyersWithNextTier);
    const t = tier[v]!;
    let u = -1;
    if (t < D && (t === 0 || probe() < 0.85)) u = tierStart[t + 1]! + zipfRank(probe(), tierSizes[t + 1]!, SUPPLIER_ZIPF);
    else if (t > 0) {
      const after = tierStart[t + 1]! - v - 1;
      if (after > 0) u = v + 1 + Math.floor(probe() * after);
    }
    if (u >= 0) got += popcount(metalMask[u]! & metalMask[v]!) * 0.85;
  }
  const perAttempt = got / trials;
  return perAttempt > 0 ? wanted / (buyersWithNextTier * perAttempt) : 0;
}

/**
 * Phase B: extra suppliers per buyer, drawn by a power law (shared sub-tier suppliers), a
 * geometric number of attempts with mean `lambda` (most buyers few, some many). One attempt: a
 * supplier from the next tier (Zipf) or, sometimes, from the same tier with a higher index (so
 * same-tier links never close a cycle). Accepted when it shares a metal with the buyer and is not
 * the buyer's primary-linked supplier already.
 */
function linkExtraSuppliers(
  layout: NodeLayout,
  tiers: Tiers,
  cols: NodeColumns,
  primary: PrimaryLinks,
  lambda: number,
  links: CompanyLinks,
  { rand, randInt }: Draws,
): void {
  const { M } = layout;
  const { D, tierSizes, tierStart } = tiers;
  const { metalMask, tier } = cols;
  const drawExtra = (v: number, t: number): number => {
    if (t < D && (t === 0 || rand() < 0.85)) return tierStart[t + 1]! + zipfRank(rand(), tierSizes[t + 1]!, SUPPLIER_ZIPF);
    if (t === 0) return -1;
    const after = tierStart[t + 1]! - v - 1;
    return after > 0 ? v + 1 + randInt(after) : -1;
  };
  const sharedMetals = (u: number, v: number): number => {
    const both = metalMask[u]! & metalMask[v]!;
    if (both === 0) return 0;
    // Keep each shared metal with a 70% chance (at least the lowest), so links carry 1–3 metals.
    let mask = 0;
    for (let m = 0; m < M; m++) if (both & (1 << m) && rand() < 0.7) mask |= 1 << m;
    return mask === 0 ? both & -both : mask;
  };
  const q = lambda > 0 ? lambda / (1 + lambda) : 0;
  const logQ = q > 0 ? Math.log(q) : 0;
  const chosen: number[] = [];
  for (let v = layout.firstCompany; v < tierStart[D]!; v++) {
    if (q === 0) break;
    const attempts = Math.floor(Math.log(1 - rand()) / logQ);
    chosen.length = 0;
    const t = tier[v]!;
    for (let a = 0; a < attempts; a++) {
      const u = drawExtra(v, t);
      if (u < 0 || primary.primaryBuyer[u] === v || chosen.includes(u)) continue;
      const mask = sharedMetals(u, v);
      if (mask === 0) continue;
      chosen.push(u);
      links.add(u, v, mask);
    }
  }
}

/** Phase C: a few cycles: a company supplies a company upstream of it, for one metal. Returns how many were made. */
function closeCycles(
  opt: ResolvedOptions,
  layout: NodeLayout,
  tiers: Tiers,
  cols: NodeColumns,
  links: CompanyLinks,
  { randInt }: Draws,
): number {
  const { M, N } = layout;
  const { D, tierStart } = tiers;
  let cyclesMade = 0;
  if (!(opt.cycles > 0 && D >= 2)) return cyclesMade;
  const { offsets, order } = links.byBuyer(N);
  const made = new Set<string>();
  const candidates = tierStart[D]! - tierStart[1]!; // tiers 1 .. D-1 have suppliers
  for (let attempt = 0; attempt < opt.cycles * 20 && cyclesMade < opt.cycles; attempt++) {
    const u = tierStart[1]! + randInt(candidates);
    const mask = cols.metalMask[u]!;
    let pick = randInt(popcount(mask));
    let m = 0;
    for (; m < M; m++) if (mask & (1 << m) && pick-- === 0) break;
    const bit = 1 << m;
    const steps = 1 + randInt(3);
    let w = u;
    for (let s = 0; s < steps; s++) {
      const start = offsets[w]!;
      const end = offsets[w + 1]!;
      let carrying = 0;
      for (let j = start; j < end; j++) if (links.mask[order[j]!]! & bit) carrying++;
      if (carrying === 0) break;
      let k = randInt(carrying);
      for (let j = start; j < end; j++) {
        if (links.mask[order[j]!]! & bit && k-- === 0) {
          w = links.from[order[j]!]!;
          break;
        }
      }
    }
    const key = `${u}:${w}`;
    if (w === u || made.has(key)) continue;
    made.add(key);
    links.add(u, w, bit); // w is upstream of u, so u → w closes a loop in metal m
    cyclesMade++;
  }
  return cyclesMade;
}

/**
 * Phase C′ (option giantComponent): real company networks are one giant strongly connected component, customers and
 * suppliers linked both ways. Each supplier joins it with that chance, and with it its chain of primary buyers up to a
 * focal company; each member's primary buyer also supplies it, in the member's metals (a back link), and half of the
 * members also buy from a member of a tier above their buyer's (a cross-tier link), so that a walk mixes over the whole
 * component as on a real network. Its own PRNG: the draws of the other phases are those of the network without it.
 * Returns the members and the links added.
 */
function joinGiantComponent(
  opt: ResolvedOptions,
  layout: NodeLayout,
  tiers: Tiers,
  cols: NodeColumns,
  primary: PrimaryLinks,
  links: CompanyLinks,
): { members: number; backLinks: number } {
  if (opt.giantComponent === 0 || tiers.D === 0) return { members: 0, backLinks: 0 };
  const rand = mulberry32(opt.seed ^ 0x6a09e667);
  const { N, firstCompany } = layout;
  const { tierStart } = tiers;
  const member = new Uint8Array(N);
  for (let v = firstCompany; v < tierStart[1]!; v++) member[v] = 1;
  for (let u = tierStart[1]!; u < N; u++) {
    if (rand() >= opt.giantComponent) continue;
    for (let w = u; !member[w]; w = primary.primaryBuyer[w]!) member[w] = 1;
  }
  // Cycle links already run from a buyer to a supplier upstream: never add one twice.
  const taken = new Set<number>();
  for (let l = 0; l < links.count; l++)
    if (cols.tier[links.from[l]!]! < cols.tier[links.to[l]!]!) taken.add(links.from[l]! * N + links.to[l]!);
  const members: number[] = [];
  const membersBefore: number[] = []; // members of tiers < t, by t
  links.firstBack = links.count;
  for (let t = 0, u = firstCompany; t <= tiers.D; t++) {
    membersBefore.push(members.length);
    for (; u < tierStart[t + 1]!; u++) if (member[u]) members.push(u);
  }
  const addBack = (from: number, to: number, mask: number): void => {
    const key = from * N + to;
    if (mask === 0 || taken.has(key)) return;
    taken.add(key);
    links.add(from, to, mask);
  };
  for (const u of members) {
    const t = cols.tier[u]!;
    if (t === 0) continue;
    const buyer = primary.primaryBuyer[u]!;
    addBack(buyer, u, cols.metalMask[u]!);
    if (t >= 2 && rand() < CROSS_TIER_LINK) {
      const w = members[Math.floor(rand() * membersBefore[t - 1]!)]!;
      addBack(w, u, cols.metalMask[u]! & cols.metalMask[w]!);
    }
  }
  return { members: members.length, backLinks: links.count - links.firstBack };
}

const drawShareMode = (u: number): ShareMode => (u < 0.5 ? 'full' : u < 0.65 ? 'remainder' : u < 0.85 ? 'someMissing' : 'none');

/** The SUPPLIES columns, written one group (one buyer, one metal, its sources) at a time, with shares. */
class SuppliesColumns {
  private cap: number;
  from: Uint32Array;
  to: Uint32Array;
  metal: Uint8Array;
  share: Float64Array;
  count = 0;
  readonly shareModes: Record<ShareMode, number> = { full: 0, remainder: 0, someMissing: 0, none: 0 };
  withoutShare = 0;
  private unitsBuf: Float64Array = new Float64Array(1024);
  /** Option shares 'none': every share is drawn as usual (the same network) and then left out. */
  private readonly dropShares: boolean;

  constructor(
    opt: ResolvedOptions,
    smelters: number,
    private readonly draws: Draws,
  ) {
    this.dropShares = opt.shares === 'none';
    this.cap = Math.max(16, Math.ceil(opt.companies * (opt.suppliesPerCompany + 1)) + smelters * 5);
    this.from = new Uint32Array(this.cap);
    this.to = new Uint32Array(this.cap);
    this.metal = new Uint8Array(this.cap);
    this.share = new Float64Array(this.cap);
  }

  /** Split `total` share units over k sources, each ≥ 1 unit, skewed so that a few sources are big. */
  private split(k: number, total: number): Float64Array {
    const { rand } = this.draws;
    if (this.unitsBuf.length < k) this.unitsBuf = new Float64Array(k * 2);
    const unitsBuf = this.unitsBuf;
    let sum = 0;
    for (let i = 0; i < k; i++) {
      const r = rand();
      const w = r * r * r + 0.002;
      unitsBuf[i] = w;
      sum += w;
    }
    const spare = total - k;
    let given = 0;
    let biggest = 0;
    for (let i = 0; i < k; i++) {
      const u = 1 + Math.floor((unitsBuf[i]! / sum) * spare);
      unitsBuf[i] = u;
      given += u;
      if (u > unitsBuf[biggest]!) biggest = i;
    }
    unitsBuf[biggest]! += total - given;
    return unitsBuf;
  }

  private reserve(need: number): void {
    if (need <= this.cap) return;
    this.cap = Math.max(need, Math.ceil(this.cap * 1.5));
    this.from = grownU32(this.from, this.cap);
    this.to = grownU32(this.to, this.cap);
    this.metal = grownU8(this.metal, this.cap);
    this.share = grownF64(this.share, this.cap);
  }

  /** SUPPLIES from each of `sources` to `buyer` in `metal`, shares as `mode` says (where it can). */
  emitGroup(buyer: number, metal: number, sources: readonly number[], mode: ShareMode): void {
    const { rand, randInt } = this.draws;
    const k = sources.length;
    const at = this.count;
    this.reserve(at + k);
    let effective: ShareMode = mode;
    if (k > SHARE_UNITS / 2) effective = 'none';
    if (effective === 'someMissing' && k < 2) effective = 'none';
    for (let i = 0; i < k; i++) {
      this.from[at + i] = sources[i]!;
      this.to[at + i] = buyer;
      this.metal[at + i] = metal;
      this.share[at + i] = Number.NaN;
    }
    if (effective === 'full' || effective === 'remainder') {
      const total = effective === 'full' ? SHARE_UNITS : SHARE_UNITS - Math.round(SHARE_UNITS * (0.05 + 0.35 * rand()));
      const u = this.split(k, Math.max(total, k));
      for (let i = 0; i < k; i++) this.share[at + i] = u[i]! / SHARE_UNITS;
    } else if (effective === 'someMissing') {
      // A random 1..k-1 of the sources carry shares summing to 30–80%; the rest have none.
      const given = 1 + randInt(k - 1);
      const u = this.split(given, Math.max(given, Math.round(SHARE_UNITS * (0.3 + 0.5 * rand()))));
      // Partial Fisher–Yates over positions: the first `given` positions of a shuffled order get shares.
      const pos = Array.from({ length: k }, (_, i) => i);
      for (let i = 0; i < given; i++) {
        const j = i + randInt(k - i);
        const tmp = pos[i]!;
        pos[i] = pos[j]!;
        pos[j] = tmp;
        this.share[at + pos[i]!] = u[i]! / SHARE_UNITS;
      }
      this.withoutShare += k - given;
    } else {
      this.withoutShare += k;
    }
    if (this.dropShares && effective !== 'none') {
      for (let i = at; i < at + k; i++) if (!Number.isNaN(this.share[i]!)) this.withoutShare++;
      this.share.fill(Number.NaN, at, at + k);
      effective = 'none';
    }
    this.shareModes[effective]++;
    this.count += k;
  }
}

/** Ore: most primary smelters name 1–4 origin countries; recyclers have none. Returns the country → smelter SUPPLIES. */
function oreSupplies(
  layout: NodeLayout,
  picks: CountryPicks,
  cols: NodeColumns,
  supplies: SuppliesColumns,
  { rand, randInt }: Draws,
): number {
  let countryToSmelter = 0;
  for (let s = layout.firstSmelter; s < layout.firstCompany; s++) {
    if (cols.recycled[s] || rand() < 0.15) continue; // 15% of primary smelters never disclosed their ore
    const m = cols.smelterMetal[s]!;
    const ore = picks.oreBy[m]!;
    const k = Math.min(ore.idx.length, 1 + randInt(4));
    const sources: number[] = [];
    for (let tries = 0; sources.length < k && tries < 20; tries++) {
      const c = ore.idx[pickCumulative(ore.cum, rand())]!;
      if (!sources.includes(c)) sources.push(c);
    }
    const u = rand();
    supplies.emitGroup(s, m, sources, u < 0.5 ? 'full' : u < 0.8 ? 'remainder' : 'none');
    countryToSmelter += sources.length;
  }
  return countryToSmelter;
}

interface CompanySupplyCounts {
  smelterToCompany: number;
  companyToCompany: number;
  companyMetalsWithoutSource: number;
}

/** Companies: per metal they handle, SUPPLIES from their company suppliers carrying it, else from smelters (Zipf). */
function companySupplies(
  opt: ResolvedOptions,
  layout: NodeLayout,
  tiers: Tiers,
  cols: NodeColumns,
  links: CompanyLinks,
  supplies: SuppliesColumns,
  { rand, randInt }: Draws,
): CompanySupplyCounts {
  const { M, N, firstSmelter } = layout;
  const { D } = tiers;
  const { offsets: linkOffsets, order: linkOrder } = links.byBuyer(N);
  const counts: CompanySupplyCounts = { smelterToCompany: 0, companyToCompany: 0, companyMetalsWithoutSource: 0 };
  const spm = opt.smeltersPerMetal;
  let sources: number[] = [];
  const addSmelters = (m: number, count: number) => {
    for (let tries = 0, added = 0; added < count && tries < count * 4; tries++) {
      const s = firstSmelter + m * spm + zipfRank(rand(), spm, SMELTER_ZIPF);
      if (!sources.includes(s)) {
        sources.push(s);
        added++;
      }
    }
  };
  for (let v = layout.firstCompany; v < N; v++) {
    const mask = cols.metalMask[v]!;
    const t = cols.tier[v]!;
    for (let m = 0; m < M; m++) {
      const bit = 1 << m;
      if (!(mask & bit)) continue;
      sources = [];
      let fromSuppliers = 0; // not counting its buyers' back links: those are no source of supply to rely on
      for (let j = linkOffsets[v]!; j < linkOffsets[v + 1]!; j++) {
        const l = linkOrder[j]!;
        if (!(links.mask[l]! & bit)) continue;
        sources.push(links.from[l]!);
        if (l < links.firstBack) fromSuppliers++;
      }
      const fromCompanies = sources.length;
      if (fromSuppliers === 0) {
        if (t === D ? rand() < 0.95 : rand() < 0.8) addSmelters(m, t === D ? 1 + randInt(3) : 1 + randInt(2));
      } else if (t >= 3 && rand() < 0.03) {
        addSmelters(m, 1);
      }
      if (sources.length === 0) {
        counts.companyMetalsWithoutSource++;
        continue;
      }
      counts.companyToCompany += fromCompanies;
      counts.smelterToCompany += sources.length - fromCompanies;
      // The focal companies know their direct suppliers' shares in full.
      supplies.emitGroup(v, m, sources, t === 0 ? 'full' : drawShareMode(rand()));
    }
  }
  return counts;
}

/** The network as typed-array columns (the core; cheap at 1M nodes / 5M SUPPLIES). */
export function generateSyntheticColumns(options: SyntheticOptions): SyntheticColumns {
  const opt = resolveOptions(options);
  const draws = seededDraws(opt.seed);
  const picks = syntheticCountries(opt.metals);
  const layout = nodeLayout(opt, picks.countries.length);
  const cols = countryNodeColumns(layout, picks.countries);
  const recycledSmelters = placeSmelters(opt, layout, picks, cols, draws);
  const tiers = tierLayout(opt, layout.firstCompany);
  const focal = placeCompanies(opt, layout, tiers, picks, cols, draws);

  const links = new CompanyLinks(opt.companies);
  const primary = linkPrimaryBuyers(layout, tiers, focal, cols, links, draws);
  linkExtraSuppliers(layout, tiers, cols, primary, extraAttemptsPerBuyer(opt, layout, tiers, cols, primary), links, draws);
  const cycles = closeCycles(opt, layout, tiers, cols, links, draws);
  const giant = joinGiantComponent(opt, layout, tiers, cols, primary, links);

  const supplies = new SuppliesColumns(opt, layout.S, draws);
  const countryToSmelter = oreSupplies(layout, picks, cols, supplies, draws);
  const companyCounts = companySupplies(opt, layout, tiers, cols, links, supplies, draws);

  const stats: SyntheticStats = {
    nodes: layout.N,
    companies: opt.companies,
    smelters: layout.S,
    countries: layout.C,
    tierSizes: tiers.tierSizes,
    supplies: supplies.count,
    countryToSmelter,
    smelterToCompany: companyCounts.smelterToCompany,
    companyToCompany: companyCounts.companyToCompany,
    locatedIn: opt.locatedIn ? layout.N - layout.C : 0,
    companyLinks: links.count,
    cycles,
    giantComponentCompanies: giant.members,
    backLinks: giant.backLinks,
    withoutShare: supplies.withoutShare,
    shareModes: supplies.shareModes,
    recycledSmelters,
    companyMetalsWithoutSource: companyCounts.companyMetalsWithoutSource,
  };
  return syntheticColumnsOf(opt, layout, picks.countries, cols, focal, supplies, stats);
}

/** The answer: options, layout, node columns, and trimmed SUPPLIES columns. */
function syntheticColumnsOf(
  opt: ResolvedOptions,
  layout: NodeLayout,
  countries: readonly Country[],
  cols: NodeColumns,
  focal: number[],
  supplies: SuppliesColumns,
  stats: SyntheticStats,
): SyntheticColumns {
  const edges = supplies.count;
  return {
    seed: opt.seed,
    metals: opt.metals,
    source: opt.source,
    locatedIn: opt.locatedIn,
    nodeCount: layout.N,
    countryCount: layout.C,
    smelterCount: layout.S,
    companyCount: opt.companies,
    firstSmelter: layout.firstSmelter,
    firstCompany: layout.firstCompany,
    ids: cols.ids,
    labels: cols.labels,
    nodeCountry: cols.nodeCountry,
    tier: cols.tier,
    metalMask: cols.metalMask,
    smelterMetal: cols.smelterMetal,
    rmapStatus: cols.rmapStatus,
    recycled: cols.recycled,
    lastAuditDay: cols.lastAuditDay,
    saqScore: cols.saqScore,
    humanRightsRisk: cols.humanRightsRisk,
    countries,
    focal,
    edgeCount: edges,
    // Trimmed copies (the growable buffers may be up to 1.5× larger than needed), in shared memory
    // as a store's scan leaves its SUPPLIES columns (see SHARED in graph/typed-arena.ts).
    edgeFrom: copyOf(supplies.from, edges, true),
    edgeTo: copyOf(supplies.to, edges, true),
    edgeMetal: copyOf(supplies.metal, edges, true),
    edgeShare: copyOf(supplies.share, edges, true),
    stats,
  };
}

// ---------------------------------------------------------------------------------------------
// Materialising rows

const AUDIT_EPOCH_MS = Date.UTC(2023, 0, 1);
const DAY_MS = 86_400_000;
const metalNames = new Map(METALS.map((m) => [m.id, m.name]));

/**
 * The parts joined into one flat string. A template literal makes a V8 "cons string", a tree of
 * its parts that costs about three times the memory of the flat text (1M company names: 170 MB
 * against 55 MB); a snapshot keeps every id and name, so the generator makes them flat.
 */
function flatString(...parts: string[]): string {
  return parts.join('');
}

function smelterName(g: SyntheticColumns, i: number): string {
  const metal = g.metals[g.smelterMetal[i]!]!;
  const id = g.ids[i]!;
  return flatString(
    'Synthetic ',
    metalNames.get(metal) ?? metal,
    g.recycled[i] === 1 ? ' Recycler ' : ' Smelter ',
    id.slice(id.lastIndexOf('-') + 1),
  );
}

function companyName(g: SyntheticColumns, i: number): string {
  const k = i - g.firstCompany;
  if (g.tier[i] === 0) return flatString('Synthetic Focal Group ', String(k + 1));
  // A cheap integer hash of the index picks the words, so names vary without using the PRNG.
  const h = Math.imul(k + 1, 0x9e3779b1) >>> 0;
  return flatString('Syn ', NAME_WORDS[h % NAME_WORDS.length]!, ' ', NAME_KINDS[(h >>> 8) % NAME_KINDS.length]!, ' ', String(k + 1));
}

/** Node i as a domain object (valid by construction: schema output type, defaults spelled out). */
export function syntheticNode(g: SyntheticColumns, i: number): GraphNode {
  const label = g.labels[i]!;
  const id = g.ids[i]!;
  if (label === 2) {
    const c = g.countries[i]!;
    const node: Country = { label: 'Country', id: c.id, name: c.name, cahra: c.cahra, lists: [...c.lists] };
    if (c.cahraRegions !== undefined) node.cahraRegions = [...c.cahraRegions];
    if (c.riskScore !== undefined) node.riskScore = c.riskScore;
    return node;
  }
  const country = g.countries[g.nodeCountry[i]!]!.id;
  if (label === 1) {
    const metal = g.metals[g.smelterMetal[i]!]!;
    const isRecycled = g.recycled[i] === 1;
    const node: Extract<GraphNode, { label: 'Smelter' }> = {
      label: 'Smelter',
      id,
      name: smelterName(g, i),
      aliases: [],
      metal,
      country,
      rmapStatus: RMAP_STATUSES[g.rmapStatus[i]!]!,
    };
    if (isRecycled) node.recycledOrScrap = true;
    const day = g.lastAuditDay[i]!;
    if (day > 0) node.lastAudit = new Date(AUDIT_EPOCH_MS + (day - 1) * DAY_MS).toISOString().slice(0, 10);
    return node;
  }
  const node: Extract<GraphNode, { label: 'Company' }> = { label: 'Company', id, name: companyName(g, i), country };
  const saq = g.saqScore[i]!;
  if (saq !== 255) node.saqScore = saq;
  const hr = g.humanRightsRisk[i]!;
  if (hr > 0) node.humanRightsRisk = HUMAN_RIGHTS_RISKS[hr - 1]!;
  return node;
}

/** SUPPLIES first (k < edgeCount), then LOCATED_IN of every non-country node when enabled. */
export function syntheticRelationshipCount(g: SyntheticColumns): number {
  return g.edgeCount + (g.locatedIn ? g.nodeCount - g.countryCount : 0);
}

/** Relationship k as a domain object (valid by construction). */
export function syntheticRelationship(g: SyntheticColumns, k: number): Relationship {
  if (k < g.edgeCount) {
    const share = g.edgeShare[k]!;
    const from = g.ids[g.edgeFrom[k]!]!;
    const to = g.ids[g.edgeTo[k]!]!;
    const metal = g.metals[g.edgeMetal[k]!]!;
    return Number.isNaN(share)
      ? { type: 'SUPPLIES', from, to, metal, source: g.source }
      : { type: 'SUPPLIES', from, to, metal, share, source: g.source };
  }
  const i = g.countryCount + (k - g.edgeCount);
  if (!g.locatedIn || i >= g.nodeCount) throw new RangeError(`relationship ${k} does not exist`);
  return { type: 'LOCATED_IN', from: g.ids[i]!, to: g.countries[g.nodeCountry[i]!]!.id };
}

/** The whole network as domain objects (1M nodes / 5M SUPPLIES: ~1 GB of heap). */
export function generateSyntheticNetwork(options: SyntheticOptions): SyntheticNetwork {
  return materializeSynthetic(generateSyntheticColumns(options));
}

export function materializeSynthetic(g: SyntheticColumns): SyntheticNetwork {
  const nodes: GraphNode[] = new Array(g.nodeCount);
  for (let i = 0; i < g.nodeCount; i++) nodes[i] = syntheticNode(g, i);
  const count = syntheticRelationshipCount(g);
  const relationships: Relationship[] = new Array(count);
  for (let k = 0; k < count; k++) relationships[k] = syntheticRelationship(g, k);
  return { nodes, relationships, focal: g.focal.map((i) => g.ids[i]!), stats: g.stats };
}

/**
 * The network as a columnar scan (graph/scan-columns.ts) for compileSnapshotFromColumns: what a
 * store scan of the same network gives, without making an object per node or relationship.
 * SUPPLIES only (LOCATED_IN adds nothing the nodes do not say). The ids and labels columns are
 * shared with `g`, the SUPPLIES columns are views of `g`'s: the snapshot takes the node columns
 * over, so neither side may change them afterwards.
 */
export function syntheticScanColumns(g: SyntheticColumns, version = 1): ScanColumns {
  const n = g.nodeCount;
  const names: string[] = new Array(n);
  const countries: string[] = new Array(n);
  const countryLists: (readonly string[])[] = new Array(n);
  const cahra = SHARED.uint8(n);
  const countryRiskScore = SHARED.float64(n).fill(Number.NaN);
  const saqScore = SHARED.float64(n).fill(Number.NaN);
  const NO_LISTS: readonly string[] = [];
  for (let i = 0; i < n; i++) {
    countryLists[i] = NO_LISTS;
    const label = g.labels[i]!;
    if (label === 2) {
      const c = g.countries[i]!;
      names[i] = c.name;
      countries[i] = c.id;
      cahra[i] = c.cahra ? 1 : 0;
      countryLists[i] = c.lists;
      if (c.riskScore !== undefined) countryRiskScore[i] = c.riskScore;
      continue;
    }
    countries[i] = g.countries[g.nodeCountry[i]!]!.id;
    if (label === 1) {
      names[i] = smelterName(g, i);
      continue;
    }
    names[i] = companyName(g, i);
    const saq = g.saqScore[i]!;
    if (saq !== 255) saqScore[i] = saq;
  }
  return {
    version,
    nodes: {
      nodeCount: n,
      ids: g.ids,
      names,
      labels: g.labels,
      countries,
      cahra,
      countryLists,
      countryRiskScore,
      rmapStatus: g.rmapStatus,
      recycled: g.recycled,
      saqScore,
      // The generator's codes are the snapshot's: 0 none, then 1 + index into HUMAN_RIGHTS_RISKS.
      humanRightsRisk: g.humanRightsRisk,
    },
    supplies: {
      count: g.edgeCount,
      from: new Int32Array(g.edgeFrom.buffer, g.edgeFrom.byteOffset, g.edgeCount),
      to: new Int32Array(g.edgeTo.buffer, g.edgeTo.byteOffset, g.edgeCount),
      metal: g.edgeMetal,
      metals: g.metals,
      share: g.edgeShare,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CLI

function argValue(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(args: string[]): Promise<void> {
  const companies = Number(argValue(args, '--companies') ?? '5000');
  const seed = Number(argValue(args, '--seed') ?? '1');
  const out = argValue(args, '--out');
  const started = performance.now();
  const giantComponent = Number(argValue(args, '--giant-component') ?? '0');
  const shares = args.includes('--no-shares') ? 'none' : 'mixed';
  const g = generateSyntheticColumns({ companies, seed, locatedIn: !args.includes('--no-located-in'), giantComponent, shares });
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms: Math.round(ms), focal: g.focal.map((i) => g.ids[i]), ...g.stats }, null, 2)}\n`);
  if (out) {
    // One row per line, streamed: the document never exists as one string.
    const file = createWriteStream(out);
    const write = (s: string) => (file.write(s) ? Promise.resolve() : new Promise<void>((r) => file.once('drain', () => r())));
    await write('{"nodes":[\n');
    for (let i = 0; i < g.nodeCount; i++) await write(`${JSON.stringify(syntheticNode(g, i))}${i < g.nodeCount - 1 ? ',' : ''}\n`);
    await write('],"relationships":[\n');
    const count = syntheticRelationshipCount(g);
    for (let k = 0; k < count; k++) await write(`${JSON.stringify(syntheticRelationship(g, k))}${k < count - 1 ? ',' : ''}\n`);
    await write(']}\n');
    await new Promise<void>((r, j) => file.end((err?: Error | null) => (err ? j(err) : r())));
    process.stdout.write(`wrote ${out}\n`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
