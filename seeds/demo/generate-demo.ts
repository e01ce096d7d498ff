/**
 * Generates seeds/demo/demo-graph.json: a FICTIONAL watch and electronics group ("Aurelia Watch &
 * Electronics Group") with its business units and four tiers of suppliers, buying refined metal
 * from real smelters (RMI ids from the CMRT 6.5 Smelter Look-up) and a few clearly fictional ones,
 * with ore from real countries. Every company, every sourcing relationship and every share is
 * invented. Deterministic: a seeded PRNG (mulberry32, below), no clock, no Math.random.
 *
 * Regenerate:  npx tsx seeds/demo/generate-demo.ts
 *
 * The file holds the demo's Company nodes, its fictional smelters, copies of the real smelters it
 * uses (needed because the demo gives them an illustrative rmapStatus; name, aliases, metal and
 * country are copied unchanged from the look-up) and all relationships. Country nodes are NOT in
 * the file: they come from the reference data (server/seeding/reference-data.ts), which must be
 * loaded first. LOCATED_IN of the real smelters also comes from the reference data.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CompanySchema,
  SmelterSchema,
  SuppliesSchema,
  LocatedInSchema,
  type Company,
  type LocatedIn,
  type Metal,
  type RmapStatus,
  type Smelter,
  type Supplies,
} from '../../graph/model.js';
import { loadCountries, loadReferenceSmelters, PROJECT_ROOT } from '../reference/reference-data.js';
import { mulberry32 } from '../random.js';

export const DEMO_FILE = join(PROJECT_ROOT, 'seeds', 'demo', 'demo-graph.json');
export const DEMO_SEED = 20250425;

export const DEMO_NOTICE =
  'FICTIONAL DEMO DATA. Every company in this file, including "Aurelia Watch & Electronics Group" and its ' +
  'business units and suppliers, is invented; any resemblance to a real firm is coincidental. Every SUPPLIES ' +
  'relationship and share is invented too: the smelters with RMI ids (CID...) are real facilities taken from the ' +
  "Smelter Look-up of RMI's CMRT 6.5 template, and the countries are real, but which ore they are shown to " +
  'receive and which companies they are shown to supply are fictional and say nothing about their real sourcing ' +
  'or customers. RMAP statuses are illustrative, not taken from RMI: real smelters are shown only as ' +
  '"conformant", "active" or "unknown", which may differ from their real status; "non_conformant" appears only ' +
  'on clearly fictional smelters with local ids starting "DEMO-" (all smelters with DEMO- ids, including the ' +
  'recycled/scrap smelters and the cobalt refiners, are fictional). Ore from a CAHRA-listed country is shown ' +
  'only for fictional smelters and for real smelters located in that same country. Country nodes and the LOCATED_IN of real ' +
  'smelters are not in this file: load the reference data (seeds/reference) first.';

const REGENERATE_DEMO = 'npx tsx seeds/demo/generate-demo.ts';
export const DEMO_GENERATED_BY = `seeds/demo/generate-demo.ts (mulberry32 PRNG, seed ${DEMO_SEED}); regenerate with: ${REGENERATE_DEMO}`;

/** Ids the tests and docs refer to. */
export const DEMO_IDS = {
  focal: 'aurelia-group',
  businessUnits: ['aurelia-watches', 'aurelia-wearables', 'aurelia-audio', 'aurelia-smart-home', 'aurelia-fine-jewellery'],
  /** The only gold smelter upstream of the fine-jewellery business unit (a real Italian refiner). */
  soleSourceSmelter: 'CID000233',
  soleSourceBusinessUnit: 'aurelia-fine-jewellery',
  soleSourceMetal: 'gold' as Metal,
  /** All cobalt ore comes from here, via the fictional refiners. */
  singleCountryMetal: 'cobalt' as Metal,
  singleCountry: 'CD',
  cobaltRefiners: ['DEMO-CO-REF-1', 'DEMO-CO-REF-2', 'DEMO-CO-REF-3'],
  cycleMetal: 'tin' as Metal,
} as const;

export interface DemoDocument {
  notice: string;
  generatedBy: string;
  nodes: (Company | Smelter)[];
  relationships: (Supplies | LocatedIn)[];
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

class Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// The shape of the group's supply chain

interface KindSpec {
  kind: string;
  tier: number;
  count: number;
  metals: Metal[];
  /** Kinds in the next tier down that this kind buys from (empty for tier 4: buys from smelters). */
  buysFrom: string[];
  countries: [string, number][];
  /** Words for names, e.g. "Precision Components". */
  words: string[];
  /** Supplier relationships (pairs) per buyer, min..max. */
  suppliers: [number, number];
  /** Chance that a tier-3 company of this kind also buys directly from a smelter. */
  smelterDirect?: number;
  /** Tier 4 only: buy only from these smelters. */
  onlySmelters?: string[];
}

const ASIA_EMS: [string, number][] = [
  ['CN', 5],
  ['TW', 2],
  ['MY', 2],
  ['VN', 2],
  ['TH', 1],
  ['MX', 1],
  ['CZ', 1],
  ['PH', 1],
  ['IN', 1],
];

const KINDS: KindSpec[] = [
  // tier 1: sells to the business units
  {
    kind: 'ems',
    tier: 1,
    count: 13,
    metals: ['tin', 'tantalum', 'gold'],
    buysFrom: ['pcb-fab', 'capacitor', 'connector', 'semiconductor-packaging', 'cable'],
    countries: ASIA_EMS,
    words: ['Electronics Manufacturing', 'EMS', 'Assembly Systems', 'Electronic Assembly'],
    suppliers: [3, 6],
  },
  {
    kind: 'watch-movement',
    tier: 1,
    count: 5,
    metals: ['tin', 'tungsten', 'gold'],
    buysFrom: ['watch-parts', 'pcb-fab'],
    countries: [
      ['CH', 4],
      ['JP', 1],
      ['HK', 1],
      ['CN', 1],
    ],
    words: ['Movements', 'Horlogerie', 'Calibres'],
    suppliers: [2, 4],
  },
  {
    kind: 'watch-case',
    tier: 1,
    count: 4,
    metals: ['gold'],
    buysFrom: ['gold-semis'],
    countries: [
      ['CH', 3],
      ['IT', 1],
      ['HK', 1],
    ],
    words: ['Boîtes de Montres', 'Watch Cases', 'Case Works'],
    suppliers: [1, 2],
  },
  {
    kind: 'battery-pack',
    tier: 1,
    count: 5,
    metals: ['cobalt', 'tin'],
    buysFrom: ['battery-cell', 'pcb-fab', 'cable'],
    countries: [
      ['CN', 3],
      ['KR', 1],
      ['VN', 1],
      ['MY', 1],
    ],
    words: ['Battery Packs', 'Power Systems', 'Energy Modules'],
    suppliers: [2, 4],
  },
  {
    kind: 'acoustic-module',
    tier: 1,
    count: 5,
    metals: ['tungsten', 'tin', 'gold'],
    buysFrom: ['micro-speaker', 'vibration-motor', 'cable'],
    countries: [
      ['CN', 2],
      ['DK', 1],
      ['TW', 1],
      ['VN', 1],
      ['AT', 1],
    ],
    words: ['Acoustics', 'Audio Modules', 'Sound Systems'],
    suppliers: [2, 4],
  },
  {
    kind: 'display-module',
    tier: 1,
    count: 5,
    metals: ['tin', 'gold'],
    buysFrom: ['semiconductor-packaging', 'connector', 'pcb-fab'],
    countries: [
      ['CN', 2],
      ['TW', 2],
      ['KR', 2],
      ['JP', 1],
    ],
    words: ['Display Modules', 'Optoelectronics', 'Display Technologies'],
    suppliers: [2, 4],
  },
  {
    kind: 'sensor-module',
    tier: 1,
    count: 5,
    metals: ['gold', 'tin', 'tantalum'],
    buysFrom: ['semiconductor-packaging', 'capacitor', 'pcb-fab'],
    countries: [
      ['DE', 1],
      ['TW', 1],
      ['JP', 1],
      ['CN', 1],
      ['SG', 1],
      ['MY', 1],
    ],
    words: ['Sensor Modules', 'Sensing Technologies', 'MEMS Modules'],
    suppliers: [2, 4],
  },
  {
    kind: 'haptics',
    tier: 1,
    count: 3,
    metals: ['tungsten', 'tin'],
    buysFrom: ['vibration-motor'],
    countries: [
      ['CN', 2],
      ['KR', 1],
      ['JP', 1],
    ],
    words: ['Haptics', 'Haptic Systems'],
    suppliers: [1, 3],
  },
  {
    kind: 'jewellery-workshop',
    tier: 1,
    count: 2,
    metals: ['gold'],
    buysFrom: ['jewellery-gold-semis'],
    countries: [['IT', 1]],
    words: ['Oreficeria', 'Gioielli'],
    suppliers: [1, 1],
  },

  // tier 2: components
  {
    kind: 'pcb-fab',
    tier: 2,
    count: 15,
    metals: ['tin', 'gold'],
    buysFrom: ['solder-alloy', 'plating-chemicals'],
    countries: [
      ['CN', 5],
      ['TW', 3],
      ['TH', 2],
      ['KR', 1],
      ['JP', 1],
      ['DE', 1],
    ],
    words: ['Circuits', 'PCB', 'Printed Circuits', 'Circuit Boards'],
    suppliers: [2, 4],
  },
  {
    kind: 'capacitor',
    tier: 2,
    count: 10,
    metals: ['tantalum', 'tin'],
    buysFrom: ['tantalum-powder', 'solder-alloy'],
    countries: [
      ['CN', 3],
      ['JP', 2],
      ['US', 1],
      ['CZ', 1],
      ['MX', 1],
      ['MY', 1],
      ['IL', 1],
    ],
    words: ['Capacitors', 'Passive Components', 'Tantalum Capacitors'],
    suppliers: [2, 4],
  },
  {
    kind: 'connector',
    tier: 2,
    count: 12,
    metals: ['gold', 'tin'],
    buysFrom: ['plating-chemicals', 'tinned-wire'],
    countries: [
      ['CN', 4],
      ['TW', 2],
      ['JP', 1],
      ['DE', 1],
      ['US', 1],
      ['MX', 1],
    ],
    words: ['Connectors', 'Interconnect', 'Contact Systems'],
    suppliers: [2, 4],
  },
  {
    kind: 'semiconductor-packaging',
    tier: 2,
    count: 10,
    metals: ['gold', 'tin'],
    buysFrom: ['gold-wire', 'solder-alloy'],
    countries: [
      ['TW', 3],
      ['MY', 2],
      ['PH', 2],
      ['CN', 2],
      ['KR', 1],
      ['VN', 1],
    ],
    words: ['Semiconductor Packaging', 'Assembly & Test', 'Microelectronics'],
    suppliers: [2, 4],
  },
  {
    kind: 'vibration-motor',
    tier: 2,
    count: 8,
    metals: ['tungsten', 'tin'],
    buysFrom: ['tungsten-alloy', 'solder-alloy'],
    countries: [
      ['CN', 3],
      ['KR', 1],
      ['JP', 1],
      ['VN', 1],
    ],
    words: ['Micro Motors', 'Motion Components', 'Vibration Motors'],
    suppliers: [2, 3],
  },
  {
    kind: 'battery-cell',
    tier: 2,
    count: 6,
    metals: ['cobalt'],
    buysFrom: ['cathode-material'],
    countries: [
      ['CN', 3],
      ['KR', 2],
      ['JP', 1],
    ],
    words: ['Battery Cells', 'Cell Technology', 'Energy Cells'],
    suppliers: [1, 3],
  },
  {
    kind: 'micro-speaker',
    tier: 2,
    count: 8,
    metals: ['tin', 'gold'],
    buysFrom: ['tinned-wire', 'plating-chemicals'],
    countries: [
      ['CN', 3],
      ['TW', 1],
      ['VN', 1],
      ['PH', 1],
    ],
    words: ['Micro Acoustics', 'Speaker Components', 'Transducers'],
    suppliers: [1, 3],
  },
  {
    kind: 'watch-parts',
    tier: 2,
    count: 8,
    metals: ['gold', 'tungsten'],
    buysFrom: ['precious-alloy', 'tungsten-alloy'],
    countries: [
      ['CH', 4],
      ['FR', 1],
      ['DE', 1],
      ['HK', 1],
    ],
    words: ['Cadrans', 'Micromécanique', 'Watch Components', 'Décolletage'],
    suppliers: [1, 3],
  },
  {
    kind: 'gold-semis',
    tier: 2,
    count: 5,
    metals: ['gold'],
    buysFrom: ['precious-alloy'],
    countries: [
      ['CH', 2],
      ['IT', 1],
      ['DE', 1],
      ['HK', 1],
    ],
    words: ['Precious Semis', 'Goldworks', 'Métaux Précieux'],
    suppliers: [1, 3],
  },
  {
    kind: 'cable',
    tier: 2,
    count: 8,
    metals: ['tin'],
    buysFrom: ['tinned-wire'],
    countries: [
      ['CN', 3],
      ['VN', 1],
      ['TH', 1],
      ['MX', 1],
      ['PL', 1],
    ],
    words: ['Cable Assemblies', 'Wire Harness', 'Cabling'],
    suppliers: [1, 3],
  },
  {
    kind: 'jewellery-gold-semis',
    tier: 2,
    count: 1,
    metals: ['gold'],
    buysFrom: ['jewellery-gold-alloy'],
    countries: [['IT', 1]],
    words: ['Semilavorati Oro'],
    suppliers: [1, 1],
  },

  // tier 3: materials
  {
    kind: 'solder-alloy',
    tier: 3,
    count: 18,
    metals: ['tin'],
    buysFrom: ['tin-trader', 'metal-trader'],
    countries: [
      ['CN', 4],
      ['JP', 2],
      ['MY', 2],
      ['US', 1],
      ['DE', 1],
      ['TW', 1],
      ['ID', 1],
      ['TH', 1],
    ],
    words: ['Solder', 'Solder Alloys', 'Soldering Materials'],
    suppliers: [1, 3],
    smelterDirect: 0.3,
  },
  {
    kind: 'tantalum-powder',
    tier: 3,
    count: 10,
    metals: ['tantalum'],
    buysFrom: ['tantalum-processor'],
    countries: [
      ['CN', 3],
      ['US', 1],
      ['DE', 1],
      ['JP', 2],
      ['KZ', 1],
    ],
    words: ['Tantalum Powders', 'Refractory Powders', 'Capacitor Materials'],
    suppliers: [1, 3],
    smelterDirect: 0.2,
  },
  {
    kind: 'tungsten-alloy',
    tier: 3,
    count: 12,
    metals: ['tungsten'],
    buysFrom: ['tungsten-apt', 'metal-trader'],
    countries: [
      ['CN', 4],
      ['AT', 1],
      ['DE', 1],
      ['US', 1],
      ['JP', 1],
      ['VN', 1],
    ],
    words: ['Heavy Alloys', 'Hard Metals', 'Tungsten Products'],
    suppliers: [1, 3],
    smelterDirect: 0.2,
  },
  {
    kind: 'gold-wire',
    tier: 3,
    count: 12,
    metals: ['gold'],
    buysFrom: ['bullion-dealer', 'precious-metals-trader'],
    countries: [
      ['KR', 2],
      ['JP', 2],
      ['DE', 1],
      ['CN', 2],
      ['TW', 1],
      ['SG', 1],
    ],
    words: ['Bonding Wire', 'Fine Wire', 'Wire Technologies'],
    suppliers: [1, 3],
    smelterDirect: 0.25,
  },
  {
    kind: 'precious-alloy',
    tier: 3,
    count: 12,
    metals: ['gold'],
    buysFrom: ['bullion-dealer', 'precious-metals-trader'],
    countries: [
      ['CH', 3],
      ['IT', 1],
      ['DE', 2],
      ['HK', 1],
      ['IN', 1],
    ],
    words: ['Precious Alloys', 'Alliages Précieux', 'Gold Alloys'],
    suppliers: [1, 3],
    smelterDirect: 0.3,
  },
  {
    kind: 'cathode-material',
    tier: 3,
    count: 6,
    metals: ['cobalt'],
    buysFrom: ['cobalt-chemicals'],
    countries: [
      ['CN', 3],
      ['KR', 2],
      ['JP', 1],
      ['BE', 1],
    ],
    words: ['Cathode Materials', 'Battery Materials', 'Advanced Materials'],
    suppliers: [1, 3],
  },
  {
    kind: 'plating-chemicals',
    tier: 3,
    count: 16,
    metals: ['gold', 'tin'],
    buysFrom: ['bullion-dealer', 'precious-metals-trader', 'tin-trader'],
    countries: [
      ['DE', 2],
      ['US', 1],
      ['CN', 3],
      ['JP', 1],
      ['TW', 1],
      ['SG', 1],
    ],
    words: ['Plating Chemicals', 'Surface Finishing', 'Electroplating'],
    suppliers: [2, 3],
  },
  {
    kind: 'tinned-wire',
    tier: 3,
    count: 12,
    metals: ['tin'],
    buysFrom: ['tin-trader', 'metal-trader'],
    countries: [
      ['CN', 3],
      ['VN', 1],
      ['TH', 1],
      ['IN', 1],
      ['PL', 1],
      ['MY', 1],
    ],
    words: ['Tinned Wire', 'Copper Wire', 'Conductors'],
    suppliers: [1, 3],
  },
  {
    kind: 'jewellery-gold-alloy',
    tier: 3,
    count: 1,
    metals: ['gold'],
    buysFrom: ['jewellery-bullion'],
    countries: [['IT', 1]],
    words: ['Leghe Preziose'],
    suppliers: [1, 1],
  },

  // tier 4: buy refined metal from smelters
  {
    kind: 'tin-trader',
    tier: 4,
    count: 18,
    metals: ['tin'],
    buysFrom: [],
    countries: [
      ['SG', 3],
      ['MY', 2],
      ['ID', 2],
      ['CN', 3],
      ['HK', 1],
      ['NL', 1],
      ['GB', 1],
      ['TH', 1],
      ['BO', 1],
      ['RW', 1],
    ],
    words: ['Tin Trading', 'Metals', 'Tin Resources'],
    suppliers: [1, 4],
  },
  {
    kind: 'tantalum-processor',
    tier: 4,
    count: 10,
    metals: ['tantalum'],
    buysFrom: [],
    countries: [
      ['CN', 3],
      ['US', 1],
      ['DE', 1],
      ['JP', 1],
      ['RW', 1],
      ['BR', 1],
    ],
    words: ['Tantalum Chemicals', 'Refractory Metals', 'Rare Metals'],
    suppliers: [1, 3],
  },
  {
    kind: 'tungsten-apt',
    tier: 4,
    count: 12,
    metals: ['tungsten'],
    buysFrom: [],
    countries: [
      ['CN', 4],
      ['VN', 2],
      ['AT', 1],
      ['DE', 1],
      ['KR', 1],
      ['US', 1],
      ['UG', 1],
    ],
    words: ['Tungsten Chemicals', 'APT', 'Tungsten Powders'],
    suppliers: [1, 4],
  },
  {
    kind: 'bullion-dealer',
    tier: 4,
    count: 16,
    metals: ['gold'],
    buysFrom: [],
    countries: [
      ['CH', 3],
      ['AE', 3],
      ['HK', 2],
      ['GB', 1],
      ['SG', 1],
      ['IN', 2],
      ['TR', 1],
      ['UG', 1],
      ['ZA', 1],
    ],
    words: ['Bullion', 'Gold Trading', 'Precious Metals'],
    suppliers: [1, 4],
  },
  {
    kind: 'precious-metals-trader',
    tier: 4,
    count: 8,
    metals: ['gold'],
    buysFrom: [],
    countries: [
      ['CH', 2],
      ['AE', 2],
      ['HK', 1],
      ['DE', 1],
      ['IN', 1],
    ],
    words: ['Precious Metals Trading', 'Metals Exchange', 'Bullion Services'],
    suppliers: [1, 4],
  },
  {
    kind: 'metal-trader',
    tier: 4,
    count: 10,
    metals: ['tin', 'tungsten'],
    buysFrom: [],
    countries: [
      ['NL', 1],
      ['GB', 2],
      ['CH', 1],
      ['SG', 2],
      ['HK', 2],
      ['US', 1],
      ['ZA', 1],
      ['RW', 1],
    ],
    words: ['Metals Trading', 'Minor Metals', 'Metal Resources'],
    suppliers: [1, 3],
  },
  {
    kind: 'cobalt-chemicals',
    tier: 4,
    count: 5,
    metals: ['cobalt'],
    buysFrom: [],
    countries: [
      ['CN', 3],
      ['FI', 1],
      ['BE', 1],
    ],
    words: ['Cobalt Chemicals', 'Precursors', 'Battery Chemicals'],
    suppliers: [1, 3],
  },
  {
    kind: 'jewellery-bullion',
    tier: 4,
    count: 1,
    metals: ['gold'],
    buysFrom: [],
    countries: [['IT', 1]],
    words: ['Metalli Preziosi'],
    suppliers: [1, 1],
    onlySmelters: [DEMO_IDS.soleSourceSmelter],
  },
];

interface BusinessUnit {
  id: string;
  name: string;
  country: string;
  metals: Metal[];
  buysFrom: string[];
  suppliers: [number, number];
  saqScore: number;
}

const BUSINESS_UNITS: BusinessUnit[] = [
  {
    id: 'aurelia-watches',
    name: 'Aurelia Watches SA',
    country: 'CH',
    metals: ['gold', 'tungsten', 'tin', 'tantalum'],
    buysFrom: ['watch-movement', 'watch-case', 'display-module', 'ems'],
    suppliers: [9, 12],
    saqScore: 91,
  },
  {
    id: 'aurelia-wearables',
    name: 'Aurelia Wearables Pte. Ltd.',
    country: 'SG',
    metals: ['tin', 'tantalum', 'gold', 'tungsten', 'cobalt'],
    buysFrom: ['ems', 'battery-pack', 'display-module', 'sensor-module', 'haptics'],
    suppliers: [10, 14],
    saqScore: 88,
  },
  {
    id: 'aurelia-audio',
    name: 'Aurelia Audio A/S',
    country: 'DK',
    metals: ['tin', 'tantalum', 'gold', 'tungsten', 'cobalt'],
    buysFrom: ['ems', 'battery-pack', 'acoustic-module', 'haptics'],
    suppliers: [8, 11],
    saqScore: 86,
  },
  {
    id: 'aurelia-smart-home',
    name: 'Aurelia Smart Home GmbH',
    country: 'DE',
    metals: ['tin', 'tantalum', 'gold'],
    buysFrom: ['ems', 'sensor-module', 'display-module'],
    suppliers: [7, 10],
    saqScore: 84,
  },
  {
    id: 'aurelia-fine-jewellery',
    name: 'Aurelia Fine Jewellery S.p.A.',
    country: 'IT',
    metals: ['gold'],
    buysFrom: ['jewellery-workshop'],
    suppliers: [2, 2],
    saqScore: 93,
  },
];

/** Skip-tier relationships that happen in practice: a material maker selling straight to a tier-1 assembler. */
const SHORTCUTS: [buyerKind: string, supplierKind: string][] = [
  ['ems', 'solder-alloy'],
  ['sensor-module', 'gold-wire'],
  ['haptics', 'tungsten-alloy'],
  ['watch-case', 'precious-alloy'],
  ['display-module', 'solder-alloy'],
];

// Invented name stems (two syllables each), combined with an industry word and a legal form per country.
const STEM_HEADS = [
  'Ar',
  'Bel',
  'Cor',
  'Dal',
  'El',
  'Fen',
  'Gal',
  'Hal',
  'Is',
  'Jor',
  'Kel',
  'Lor',
  'Mar',
  'Nor',
  'Or',
  'Pel',
  'Quin',
  'Ros',
  'Sil',
  'Tar',
  'Ul',
  'Vel',
  'Wex',
  'Yar',
  'Zel',
];
const STEM_TAILS = [
  'vane',
  'mora',
  'dix',
  'stra',
  'wyn',
  'ton',
  'mere',
  'ris',
  'vale',
  'cor',
  'dane',
  'lis',
  'thos',
  'mund',
  'rix',
  'via',
  'nor',
  'ley',
  'brook',
  'can',
];

const LEGAL_FORMS: Record<string, string> = {
  CN: 'Co., Ltd.',
  HK: 'Limited',
  TW: 'Co., Ltd.',
  JP: 'Co., Ltd.',
  KR: 'Co., Ltd.',
  SG: 'Pte. Ltd.',
  MY: 'Sdn. Bhd.',
  TH: 'Co., Ltd.',
  VN: 'JSC',
  PH: 'Inc.',
  IN: 'Pvt. Ltd.',
  DE: 'GmbH',
  AT: 'GmbH',
  CH: 'SA',
  IT: 'S.r.l.',
  FR: 'SAS',
  NL: 'B.V.',
  BE: 'NV',
  GB: 'Ltd',
  US: 'Inc.',
  MX: 'S.A. de C.V.',
  CZ: 's.r.o.',
  PL: 'Sp. z o.o.',
  FI: 'Oy',
  DK: 'A/S',
  ZA: '(Pty) Ltd',
  AE: 'FZE',
  TR: 'A.Ş.',
  UG: 'Limited',
  RW: 'Ltd',
  BR: 'Ltda.',
  BO: 'S.R.L.',
  KZ: 'LLP',
  IL: 'Ltd.',
};

function companyName(stem: string, words: string, country: string): string {
  if (country === 'ID') return `PT ${stem} ${words}`;
  const form = LEGAL_FORMS[country];
  if (form === undefined) throw new Error(`no legal form for ${country}`);
  return `${stem} ${words} ${form}`;
}

export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

// ---------------------------------------------------------------------------------------------
// Smelters

interface FictionalSmelter {
  id: string;
  name: string;
  metal: Metal;
  country: string;
  rmapStatus: RmapStatus;
  recycledOrScrap?: boolean;
  lastAudit?: string;
  /** Fixed origins (country, percent); empty for recycled smelters. */
  origins: [string, number][];
}

const FICTIONAL_SMELTERS: FictionalSmelter[] = [
  {
    id: 'DEMO-SN-1',
    name: 'Demo Non-Conformant Tin Smelter (fictional)',
    metal: 'tin',
    country: 'MM',
    rmapStatus: 'non_conformant',
    origins: [
      ['MM', 55],
      ['CD', 30],
      ['RW', 15],
    ],
  },
  {
    id: 'DEMO-TA-1',
    name: 'Demo Non-Conformant Tantalum Smelter (fictional)',
    metal: 'tantalum',
    country: 'CD',
    rmapStatus: 'non_conformant',
    origins: [
      ['CD', 70],
      ['BI', 20],
      ['RW', 10],
    ],
  },
  {
    id: 'DEMO-AU-1',
    name: 'Demo Non-Conformant Gold Refinery (fictional)',
    metal: 'gold',
    country: 'AE',
    rmapStatus: 'non_conformant',
    origins: [
      ['SD', 35],
      ['ML', 25],
      ['CD', 25],
      ['VE', 15],
    ],
  },
  {
    id: 'DEMO-SN-RECY-1',
    name: 'Demo Recycled Tin Smelter (fictional)',
    metal: 'tin',
    country: 'BE',
    rmapStatus: 'conformant',
    recycledOrScrap: true,
    lastAudit: '2024-11-05',
    origins: [],
  },
  {
    id: 'DEMO-AU-RECY-1',
    name: 'Demo Recycled Gold Refinery (fictional)',
    metal: 'gold',
    country: 'DE',
    rmapStatus: 'conformant',
    recycledOrScrap: true,
    lastAudit: '2025-02-18',
    origins: [],
  },
  {
    id: 'DEMO-W-RECY-1',
    name: 'Demo Recycled Tungsten Smelter (fictional)',
    metal: 'tungsten',
    country: 'AT',
    rmapStatus: 'active',
    recycledOrScrap: true,
    origins: [],
  },
  {
    id: 'DEMO-CO-REF-1',
    name: 'Demo Cobalt Refinery 1 (fictional)',
    metal: 'cobalt',
    country: 'CN',
    rmapStatus: 'active',
    origins: [['CD', 100]],
  },
  {
    id: 'DEMO-CO-REF-2',
    name: 'Demo Cobalt Refinery 2 (fictional)',
    metal: 'cobalt',
    country: 'FI',
    rmapStatus: 'conformant',
    lastAudit: '2024-09-30',
    origins: [['CD', 100]],
  },
  {
    id: 'DEMO-CO-REF-3',
    name: 'Demo Cobalt Refinery 3 (fictional)',
    metal: 'cobalt',
    country: 'CD',
    rmapStatus: 'unknown',
    origins: [['CD', 100]],
  },
];

/** Real smelters per metal taken from the look-up (including the forced ones below). */
const REAL_SMELTERS_PER_METAL: Partial<Record<Metal, number>> = { tin: 18, tantalum: 12, tungsten: 14, gold: 24 };

/** Always included: the look-up's smelters in Dodd-Frank covered countries, and the sole source. */
const FORCED_REAL_SMELTERS = [
  'CID003387',
  'CID004724',
  'CID004065',
  'CID004054',
  'CID003185',
  'CID005006',
  'CID004506',
  DEMO_IDS.soleSourceSmelter,
];

/** Where ore of each metal is shown to come from (weights). Fictional. */
const ORIGIN_POOLS: Partial<Record<Metal, [string, number][]>> = {
  tin: [
    ['ID', 4],
    ['MY', 2],
    ['MM', 3],
    ['CN', 4],
    ['BO', 2],
    ['PE', 2],
    ['BR', 2],
    ['CD', 2],
    ['RW', 2],
    ['AU', 1],
    ['NG', 1],
    ['TH', 1],
    ['LA', 1],
    ['BI', 1],
    ['UG', 1],
  ],
  tantalum: [
    ['CD', 4],
    ['RW', 3],
    ['BR', 2],
    ['AU', 2],
    ['NG', 2],
    ['ET', 1],
    ['MZ', 1],
    ['CN', 1],
    ['BI', 1],
    ['UG', 1],
    ['CA', 1],
  ],
  tungsten: [
    ['CN', 5],
    ['VN', 2],
    ['RU', 2],
    ['BO', 1],
    ['RW', 2],
    ['AT', 1],
    ['PT', 1],
    ['ES', 1],
    ['KR', 1],
    ['UG', 1],
    ['CD', 1],
    ['BI', 1],
    ['MN', 1],
  ],
  gold: [
    ['AU', 3],
    ['PE', 3],
    ['GH', 2],
    ['ZA', 2],
    ['CA', 2],
    ['US', 2],
    ['RU', 1],
    ['ML', 1],
    ['BF', 1],
    ['SD', 1],
    ['UG', 1],
    ['CD', 2],
    ['TZ', 1],
    ['CO', 1],
    ['MX', 1],
    ['PG', 1],
    ['CN', 2],
    ['BR', 1],
  ],
};

// ---------------------------------------------------------------------------------------------
// Shares

/** Split `total` percent into n positive integer parts. */
function splitPercent(rng: Rng, n: number, total: number): number[] {
  if (n > total) throw new Error(`cannot split ${total}% into ${n} positive parts`);
  const weights = Array.from({ length: n }, () => 0.3 + rng.next() * 1.7);
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.max(1, Math.floor((w / sum) * total)));
  let diff = total - parts.reduce((a, b) => a + b, 0);
  // Spread the rounding difference, keeping every part >= 1.
  for (let i = 0; diff !== 0; i = (i + 1) % n) {
    if (diff > 0) {
      parts[i]! += 1;
      diff -= 1;
    } else if (parts[i]! > 1) {
      parts[i]! -= 1;
      diff += 1;
    }
  }
  return parts;
}

type ShareMode = 'full' | 'remainder' | 'partial' | 'none';

interface EdgeDraft {
  from: string;
  to: string;
  metal: Metal;
  source: string;
  share?: number;
  /** Percent fixed in advance (e.g. the scrap return of the cycle). */
  fixedPercent?: number;
}

/** Give shares to the incoming relationships of one buyer for one metal. */
function assignShares(rng: Rng, group: EdgeDraft[], forceFull: boolean): void {
  const fixed = group.filter((e) => e.fixedPercent !== undefined);
  const free = group.filter((e) => e.fixedPercent === undefined);
  for (const e of fixed) e.share = e.fixedPercent! / 100;
  const fixedTotal = fixed.reduce((s, e) => s + e.fixedPercent!, 0);
  if (free.length === 0) return;
  let mode: ShareMode;
  if (forceFull) mode = 'full';
  else if (free.length === 1)
    mode = rng.weighted<ShareMode>([
      ['full', 0.88],
      ['remainder', 0.06],
      ['none', 0.06],
    ]);
  else
    mode = rng.weighted<ShareMode>([
      ['full', 0.7],
      ['remainder', 0.12],
      ['partial', 0.1],
      ['none', 0.08],
    ]);

  if (mode === 'none') {
    for (const e of free) delete e.share;
    return;
  }
  let withShare = free;
  let total = 100 - fixedTotal;
  if (mode === 'remainder') total = Math.max(free.length, Math.round(total * (0.6 + rng.next() * 0.35)));
  if (mode === 'partial') {
    const without = rng.int(1, Math.min(2, free.length - 1));
    const shuffled = rng.shuffle(free);
    for (const e of shuffled.slice(0, without)) delete e.share;
    withShare = shuffled.slice(without);
    total = Math.max(withShare.length, Math.round(total * (0.5 + rng.next() * 0.3)));
  }
  // Whole percentages: they add up to exactly 100 (or less), though a floating-point sum of
  // them may read 1.0000000000000002; readers compare with a tolerance.
  const parts = splitPercent(rng, withShare.length, total);
  withShare.forEach((e, i) => (e.share = parts[i]! / 100));
}

// ---------------------------------------------------------------------------------------------
// The generator

interface CompanyDraft {
  node: Company;
  kind: string;
  /** Supply distance from the focal company as designed: 0 group, 1 business units, 2 tier-1 suppliers, ... 5 tier-4. */
  tier: number;
  metals: Metal[];
  buysFrom: string[];
  suppliers: [number, number];
}

const SOURCES = {
  company: 'demo: supplier survey 2025 (fictional)',
  smelter: 'demo: CMRT 6.5 smelter list 2025 (fictional)',
  country: 'demo: smelter origin disclosure 2025 (fictional)',
  scrap: 'demo: scrap return agreement (fictional)',
};

type CheckCountry = (code: string, what: string) => void;

/** The SUPPLIES drafts, once per (from, to, metal), in the order added. */
class DemoEdges {
  readonly list: EdgeDraft[] = [];
  readonly keys = new Set<string>();

  add(e: EdgeDraft): boolean {
    const key = `${e.from}\u0000${e.to}\u0000${e.metal}`;
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    this.list.push(e);
    return true;
  }
}

const commonMetals = (a: Metal[], b: Metal[]) => a.filter((m) => b.includes(m));

export function generateDemo(): DemoDocument {
  const rng = new Rng(DEMO_SEED);
  const referenceCountries = loadCountries();
  const countryIds = new Set(referenceCountries.map((c) => c.id));
  const cahraCountries = new Set(referenceCountries.filter((c) => c.cahra).map((c) => c.id));
  const checkCountry: CheckCountry = (code, what) => {
    if (!countryIds.has(code)) throw new Error(`${what}: ${code} is not an ISO country in the reference data`);
  };
  const companies = demoCompanies(rng, checkCountry);
  const { chosenReal, smelterNodes } = demoSmelters(rng, checkCountry);
  const edges = new DemoEdges();
  linkCompanyTiers(rng, companies, edges);
  addShortcutsAndCycle(rng, companies, edges);
  linkSmelters(rng, companies, smelterNodes, edges);
  originSupplies(rng, chosenReal, smelterNodes, cahraCountries, checkCountry, edges);
  assignDemoShares(rng, companies, edges.list);
  return assembleDemo(companies, smelterNodes, edges.list);
}

/** The focal group, its business units, then each kind's generated suppliers (name, country, SAQ, human-rights risk). */
function demoCompanies(rng: Rng, checkCountry: CheckCountry): CompanyDraft[] {
  const companies: CompanyDraft[] = [];
  const usedNames = new Set<string>();
  const usedIds = new Set<string>();
  const addCompany = (draft: CompanyDraft) => {
    checkCountry(draft.node.country, draft.node.id);
    if (usedIds.has(draft.node.id)) throw new Error(`duplicate company id ${draft.node.id}`);
    usedIds.add(draft.node.id);
    usedNames.add(draft.node.name);
    companies.push(draft);
  };
  addCompany({
    node: {
      label: 'Company',
      id: DEMO_IDS.focal,
      name: 'Aurelia Watch & Electronics Group',
      country: 'CH',
      saqScore: 95,
      humanRightsRisk: 'low',
      tags: ['demo', 'focal-company'],
    },
    kind: 'group',
    tier: 0,
    metals: ['tin', 'tantalum', 'tungsten', 'gold', 'cobalt'],
    buysFrom: ['business-unit'],
    suppliers: [5, 5],
  });
  for (const bu of BUSINESS_UNITS) {
    addCompany({
      node: {
        label: 'Company',
        id: bu.id,
        name: bu.name,
        country: bu.country,
        saqScore: bu.saqScore,
        humanRightsRisk: 'low',
        tags: ['demo', 'business-unit'],
      },
      kind: 'business-unit',
      tier: 1,
      metals: bu.metals,
      buysFrom: bu.buysFrom,
      suppliers: bu.suppliers,
    });
  }
  const stems = rng.shuffle(STEM_HEADS.flatMap((h) => STEM_TAILS.map((t) => `${h}${t}`)));
  let stemIndex = 0;
  const freshName = (spec: (typeof KINDS)[number], country: string): string => {
    for (let tries = 0; ; tries++) {
      if (tries > 50) throw new Error('ran out of company names');
      const stem = stems[stemIndex % stems.length]!;
      stemIndex += 1;
      const name = companyName(stem, rng.pick(spec.words), country);
      if (!usedNames.has(name) && !usedIds.has(slugify(name))) return name;
    }
  };
  for (const spec of KINDS) {
    for (let i = 0; i < spec.count; i++) {
      const country = rng.weighted(spec.countries);
      const name = freshName(spec, country);
      addCompany({
        node: supplierNode(rng, spec, name, country),
        kind: spec.kind,
        tier: spec.tier + 1,
        metals: spec.metals,
        buysFrom: spec.buysFrom,
        suppliers: spec.suppliers,
      });
    }
  }
  return companies;
}

/** A generated supplier: sub-tier suppliers answer fewer questionnaires, and the risk picture gets murkier upstream. */
function supplierNode(rng: Rng, spec: (typeof KINDS)[number], name: string, country: string): Company {
  const node: Company = { label: 'Company', id: slugify(name), name, country, tags: ['demo', spec.kind] };
  if (rng.chance(spec.tier <= 2 ? 0.6 : 0.35)) node.saqScore = rng.int(spec.tier <= 2 ? 55 : 35, 98);
  if (rng.chance(0.35)) {
    const risky = ['RW', 'UG', 'CD', 'MM', 'AE', 'IN', 'BO', 'KZ', 'ID', 'MX', 'PH'].includes(country);
    node.humanRightsRisk = rng.weighted<'low' | 'medium' | 'high'>(
      risky
        ? [
            ['low', 0.3],
            ['medium', 0.45],
            ['high', 0.25],
          ]
        : [
            ['low', 0.65],
            ['medium', 0.3],
            ['high', 0.05],
          ],
    );
  }
  return node;
}

/** The fictional smelters, and real ones drawn from the look-up per metal (the forced ones first) with a drawn RMAP status. */
function demoSmelters(rng: Rng, checkCountry: CheckCountry): { chosenReal: Smelter[]; smelterNodes: Smelter[] } {
  const reference = loadReferenceSmelters();
  const refById = new Map(reference.map((s) => [s.id, s]));
  const chosenReal: Smelter[] = [];
  for (const metal of Object.keys(REAL_SMELTERS_PER_METAL) as Metal[]) {
    const want = REAL_SMELTERS_PER_METAL[metal]!;
    const forced = FORCED_REAL_SMELTERS.map((id) => {
      const s = refById.get(id);
      if (!s) throw new Error(`forced smelter ${id} is not in the look-up`);
      return s;
    }).filter((s) => s.metal === metal);
    const rest = rng.shuffle(reference.filter((s) => s.metal === metal && !FORCED_REAL_SMELTERS.includes(s.id)));
    chosenReal.push(...forced, ...rest.slice(0, want - forced.length));
  }
  const realStatus = new Map<string, RmapStatus>();
  for (const s of chosenReal) {
    realStatus.set(
      s.id,
      s.id === DEMO_IDS.soleSourceSmelter
        ? 'conformant'
        : rng.weighted<RmapStatus>([
            ['conformant', 0.65],
            ['active', 0.15],
            ['unknown', 0.2],
          ]),
    );
  }
  const smelterNodes: Smelter[] = [
    ...FICTIONAL_SMELTERS.map((f) => {
      checkCountry(f.country, f.id);
      const node: Smelter = {
        label: 'Smelter',
        id: f.id,
        name: f.name,
        aliases: [],
        metal: f.metal,
        country: f.country,
        rmapStatus: f.rmapStatus,
      };
      if (f.recycledOrScrap) node.recycledOrScrap = true;
      if (f.lastAudit) node.lastAudit = f.lastAudit;
      return node;
    }),
    ...[...chosenReal]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((s) => ({ ...s, aliases: [...s.aliases], rmapStatus: realStatus.get(s.id)! })),
  ];
  return { chosenReal, smelterNodes };
}

/**
 * Company → company, tier by tier: every supplier gets a buyer, buyers fill up to their number of
 * suppliers, every metal of a buyer comes from somewhere.
 */
function linkCompanyTiers(rng: Rng, companies: readonly CompanyDraft[], edges: DemoEdges): void {
  const pairKeys = new Set<string>();
  const buyerCount = new Map<string, number>();
  /** Link supplier → buyer for their common metals: one always, the others usually. */
  const link = (supplier: CompanyDraft, buyer: CompanyDraft, first?: Metal) => {
    // Business units pass every metal they take in on to the group.
    const pOther = buyer.node.id === DEMO_IDS.focal ? 1 : 0.85;
    const key = `${supplier.node.id}\u0000${buyer.node.id}`;
    const metals = commonMetals(supplier.metals, buyer.metals);
    if (metals.length === 0) throw new Error(`${supplier.node.id} and ${buyer.node.id} share no metal`);
    const lead = first ?? rng.pick(metals);
    edges.add({ from: supplier.node.id, to: buyer.node.id, metal: lead, source: SOURCES.company });
    for (const m of metals)
      if (m !== lead && rng.chance(pOther)) edges.add({ from: supplier.node.id, to: buyer.node.id, metal: m, source: SOURCES.company });
    if (!pairKeys.has(key)) {
      pairKeys.add(key);
      buyerCount.set(supplier.node.id, (buyerCount.get(supplier.node.id) ?? 0) + 1);
    }
  };
  const eligible = (supplier: CompanyDraft, buyer: CompanyDraft) =>
    buyer.buysFrom.includes(supplier.kind) && commonMetals(supplier.metals, buyer.metals).length > 0;

  for (let tier = 0; tier <= 4; tier++) {
    const buyers = companies.filter((c) => c.tier === tier);
    const suppliers = companies.filter((c) => c.tier === tier + 1);
    const target = new Map(buyers.map((b) => [b.node.id, rng.int(b.suppliers[0], b.suppliers[1])]));
    const pairsOf = (b: CompanyDraft) => [...pairKeys].filter((k) => k.endsWith(`\u0000${b.node.id}`)).length;
    // Every supplier gets at least one buyer.
    for (const s of rng.shuffle(suppliers)) {
      const options = buyers.filter((b) => eligible(s, b));
      if (options.length === 0) throw new Error(`no buyer for ${s.node.id} (${s.kind})`);
      const roomy = options.filter((b) => pairsOf(b) < target.get(b.node.id)!);
      link(s, rng.pick(roomy.length > 0 ? roomy : options));
    }
    // Buyers fill up to their number of suppliers, preferring suppliers that already sell a lot
    // (a few large suppliers shared by many buyers, as in real networks).
    for (const b of buyers) {
      const options = suppliers.filter((s) => eligible(s, b));
      let guard = 0;
      while (pairsOf(b) < target.get(b.node.id)! && guard++ < 50) {
        const free = options.filter((s) => !pairKeys.has(`${s.node.id}\u0000${b.node.id}`));
        if (free.length === 0) break;
        link(rng.weighted(free.map((s) => [s, 1 + (buyerCount.get(s.node.id) ?? 0) ** 1.5] as const)), b);
      }
      // Every metal of the buyer comes from somewhere.
      for (const m of b.metals) {
        if (edges.list.some((e) => e.to === b.node.id && e.metal === m)) continue;
        const withMetal = options.filter((s) => s.metals.includes(m));
        if (withMetal.length === 0) throw new Error(`no supplier of ${m} for ${b.node.id}`);
        link(rng.pick(withMetal), b, m);
      }
    }
  }
}

/** Skip-tier relationships, and the one cycle. */
function addShortcutsAndCycle(rng: Rng, companies: readonly CompanyDraft[], edges: DemoEdges): void {
  for (let i = 0; i < 8; i++) {
    const [buyerKind, supplierKind] = rng.pick(SHORTCUTS);
    const buyer = rng.pick(companies.filter((c) => c.kind === buyerKind));
    const supplier = rng.pick(companies.filter((c) => c.kind === supplierKind));
    const m = rng.pick(commonMetals(supplier.metals, buyer.metals));
    edges.add({ from: supplier.node.id, to: buyer.node.id, metal: m, source: SOURCES.company });
  }
  // The cycle: a solder maker (tier 3) sells tin to a PCB maker (tier 2), which sells to an EMS
  // provider (tier 1), which sends its tin scrap and dross back to the solder maker.
  const sellsTin = (c: CompanyDraft, to: CompanyDraft) =>
    edges.list.some((e) => e.from === c.node.id && e.to === to.node.id && e.metal === 'tin');
  const cycleC = companies.find((c) => c.kind === 'ems')!;
  const cycleB = companies.find((c) => c.kind === 'pcb-fab' && sellsTin(c, cycleC)) ?? companies.find((c) => c.kind === 'pcb-fab')!;
  const cycleA =
    companies.find((c) => c.kind === 'solder-alloy' && sellsTin(c, cycleB)) ?? companies.find((c) => c.kind === 'solder-alloy')!;
  edges.add({ from: cycleA.node.id, to: cycleB.node.id, metal: 'tin', source: SOURCES.company });
  edges.add({ from: cycleB.node.id, to: cycleC.node.id, metal: 'tin', source: SOURCES.company });
  edges.add({ from: cycleC.node.id, to: cycleA.node.id, metal: 'tin', source: SOURCES.scrap, fixedPercent: 5 });
}

/**
 * Smelter → company: the raw-material traders (tier 4) buy from smelters, a few never name theirs
 * for one metal; some material makers buy directly.
 */
function linkSmelters(rng: Rng, companies: readonly CompanyDraft[], smelterNodes: readonly Smelter[], edges: DemoEdges): void {
  const kindSpec = new Map(KINDS.map((k) => [k.kind, k]));
  const smeltersByMetal = new Map<Metal, Smelter[]>();
  for (const s of smelterNodes) smeltersByMetal.set(s.metal, [...(smeltersByMetal.get(s.metal) ?? []), s]);
  const tier4 = companies.filter((c) => c.tier === 5);
  // A few traders never named their smelters for one metal: that metal's origin is undisclosed.
  const undisclosed = new Set<string>();
  for (const kind of ['tin-trader', 'bullion-dealer', 'tungsten-apt']) {
    const c = rng.pick(tier4.filter((x) => x.kind === kind));
    undisclosed.add(`${c.node.id}\u0000${c.metals[0]}`);
  }
  const smelterBuyerCount = new Map<string, number>();
  const linkSmelter = (s: Smelter, c: CompanyDraft) => {
    if (edges.add({ from: s.id, to: c.node.id, metal: s.metal, source: SOURCES.smelter })) {
      smelterBuyerCount.set(s.id, (smelterBuyerCount.get(s.id) ?? 0) + 1);
    }
  };
  const smelterBuyers = (s: Smelter) =>
    tier4.filter(
      (c) =>
        c.metals.includes(s.metal) &&
        !undisclosed.has(`${c.node.id}\u0000${s.metal}`) &&
        (kindSpec.get(c.kind)!.onlySmelters?.includes(s.id) ?? true),
    );
  const smelterTargets = new Map(tier4.map((c) => [c.node.id, rng.int(...kindSpec.get(c.kind)!.suppliers)]));
  // Every smelter gets a buyer.
  for (const s of rng.shuffle(smelterNodes)) {
    const options = smelterBuyers(s);
    if (options.length === 0) throw new Error(`no buyer for smelter ${s.id}`);
    linkSmelter(s, rng.pick(options));
  }
  for (const c of tier4) {
    const spec = kindSpec.get(c.kind)!;
    for (const m of c.metals) {
      if (undisclosed.has(`${c.node.id}\u0000${m}`)) continue;
      const pool = (smeltersByMetal.get(m) ?? []).filter((s) => spec.onlySmelters?.includes(s.id) ?? true);
      const want = spec.onlySmelters ? pool.length : smelterTargets.get(c.node.id)!;
      let guard = 0;
      while (edges.list.filter((e) => e.to === c.node.id && e.metal === m).length < want && guard++ < 50) {
        const free = pool.filter((s) => !edges.keys.has(`${s.id}\u0000${c.node.id}\u0000${m}`));
        if (free.length === 0) break;
        linkSmelter(rng.weighted(free.map((s) => [s, 1 + (smelterBuyerCount.get(s.id) ?? 0)] as const)), c);
      }
    }
  }
  // Some material makers buy part of their metal straight from a smelter.
  for (const c of companies.filter((x) => x.tier === 4)) {
    const p = kindSpec.get(c.kind)!.smelterDirect ?? 0;
    if (p > 0 && rng.chance(p)) {
      const m = rng.pick(c.metals);
      linkSmelter(rng.pick((smeltersByMetal.get(m) ?? []).filter((s) => !s.recycledOrScrap)), c);
    }
  }
}

/** Country → smelter: the fictional smelters' designed origins, and drawn origins for most real ones. */
function originSupplies(
  rng: Rng,
  chosenReal: readonly Smelter[],
  smelterNodes: readonly Smelter[],
  cahraCountries: ReadonlySet<string>,
  checkCountry: CheckCountry,
  edges: DemoEdges,
): void {
  const fictionalById = new Map(FICTIONAL_SMELTERS.map((f) => [f.id, f]));
  const realWithoutOrigins = new Set(
    rng
      .shuffle(chosenReal.filter((s) => !FORCED_REAL_SMELTERS.includes(s.id)))
      .slice(0, 4)
      .map((s) => s.id),
  );
  for (const s of smelterNodes) {
    const fictional = fictionalById.get(s.id);
    if (fictional) {
      for (const [country, percent] of fictional.origins) {
        checkCountry(country, s.id);
        edges.add({ from: country, to: s.id, metal: s.metal, source: SOURCES.country, fixedPercent: percent });
      }
      continue;
    }
    if (realWithoutOrigins.has(s.id)) continue; // the smelter did not disclose its origins
    for (const c of realOrigins(rng, s, cahraCountries)) {
      checkCountry(c, s.id);
      edges.add({ from: c, to: s.id, metal: s.metal, source: SOURCES.country });
    }
  }
}

/**
 * 1–4 origin countries of a real smelter. It is shown with ore from a CAHRA-listed country only
 * when it is located in that country itself: the demo invents no conflict-area sourcing for real
 * facilities elsewhere.
 */
function realOrigins(rng: Rng, s: Smelter, cahraCountries: ReadonlySet<string>): string[] {
  const fullPool = ORIGIN_POOLS[s.metal]!;
  const pool = fullPool.filter(([c]) => !cahraCountries.has(c));
  const n = rng.weighted<number>([
    [1, 0.3],
    [2, 0.35],
    [3, 0.25],
    [4, 0.1],
  ]);
  const origins: string[] = [];
  if (fullPool.some(([c]) => c === s.country) && (cahraCountries.has(s.country) || rng.chance(0.7))) origins.push(s.country);
  let guard = 0;
  while (origins.length < n && guard++ < 100) {
    const c = rng.weighted(pool);
    if (!origins.includes(c)) origins.push(c);
  }
  return origins;
}

/** Shares per (buyer, metal) group, in key order; fully disclosed for the group's intake, its business units and the fixed demo chains. */
function assignDemoShares(rng: Rng, companies: readonly CompanyDraft[], edges: readonly EdgeDraft[]): void {
  const byId = new Map(companies.map((c) => [c.node.id, c]));
  const groups = new Map<string, EdgeDraft[]>();
  for (const e of edges) {
    const key = `${e.to}\u0000${e.metal}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const cobaltOrJewellery = (id: string) => {
    const c = byId.get(id);
    return c !== undefined && c.metals.length === 1 && (c.metals[0] === 'cobalt' || c.kind.startsWith('jewellery'));
  };
  for (const [key, group] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const to = group[0]!.to;
    const forceFull =
      to === DEMO_IDS.focal || BUSINESS_UNITS.some((b) => b.id === to) || cobaltOrJewellery(to) || key.endsWith('\u0000cobalt');
    assignShares(rng, group, forceFull);
  }
}

/** The document: nodes parsed, LOCATED_IN for companies and fictional smelters, SUPPLIES sorted by (from, to, metal). */
function assembleDemo(companies: readonly CompanyDraft[], smelterNodes: readonly Smelter[], edges: readonly EdgeDraft[]): DemoDocument {
  const fictionalIds = new Set(FICTIONAL_SMELTERS.map((f) => f.id));
  const companyNodes = companies.map((c) => CompanySchema.parse(c.node));
  const nodes = [...companyNodes, ...smelterNodes.map((s) => SmelterSchema.parse(s))];
  const locatedIn: LocatedIn[] = [
    ...companyNodes.map((c) => ({ type: 'LOCATED_IN' as const, from: c.id, to: c.country })),
    ...smelterNodes.filter((s) => fictionalIds.has(s.id)).map((s) => ({ type: 'LOCATED_IN' as const, from: s.id, to: s.country })),
  ].map((r) => LocatedInSchema.parse(r));
  const supplies: Supplies[] = edges
    .map((e) => {
      const r: Record<string, unknown> = { type: 'SUPPLIES', from: e.from, to: e.to, metal: e.metal };
      if (e.share !== undefined) r.share = e.share;
      r.source = e.source;
      return SuppliesSchema.parse(r);
    })
    .sort((a, b) => {
      const ka = `${a.from}\u0000${a.to}\u0000${a.metal}`;
      const kb = `${b.from}\u0000${b.to}\u0000${b.metal}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  return { notice: DEMO_NOTICE, generatedBy: DEMO_GENERATED_BY, nodes, relationships: [...locatedIn, ...supplies] };
}

/** The committed file's text: one node or relationship per line, so that diffs stay readable. */
export function serializeDemo(doc: DemoDocument): string {
  const lines = ['{'];
  lines.push(`  "notice": ${JSON.stringify(doc.notice)},`);
  lines.push(`  "generatedBy": ${JSON.stringify(doc.generatedBy)},`);
  const list = (key: string, items: readonly unknown[], last: boolean) => {
    lines.push(`  ${JSON.stringify(key)}: [`);
    items.forEach((item, i) => lines.push(`    ${JSON.stringify(item)}${i < items.length - 1 ? ',' : ''}`));
    lines.push(`  ]${last ? '' : ','}`);
  };
  list('nodes', doc.nodes, false);
  list('relationships', doc.relationships, true);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const doc = generateDemo();
  writeFileSync(DEMO_FILE, serializeDemo(doc));
  const companies = doc.nodes.filter((n) => n.label === 'Company').length;
  const smelters = doc.nodes.filter((n) => n.label === 'Smelter').length;
  const supplies = doc.relationships.filter((r) => r.type === 'SUPPLIES').length;
  console.log(
    `wrote ${DEMO_FILE}: ${companies} companies, ${smelters} smelters, ` +
      `${supplies} SUPPLIES, ${doc.relationships.length - supplies} LOCATED_IN`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
