/**
 * The domain model of the supply graph (README's graph model), declared once in zod. Validation, the TypeScript
 * types, the OpenAPI document and the stores all derive from these schemas.
 *
 * Material flow has one direction everywhere: a SUPPLIES relationship points from the source to
 * the buyer (ore country → smelter → company → company).
 */
import { z } from 'zod';
import { METAL_IDS } from './metals.js';

/** A node id: any printable text, so RMI ids ("CID001070"), ISO codes and local ids all fit. */
export const NodeIdSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  // Control characters in ids break CSV/GraphML export and log lines; nothing legitimate needs them.
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

export const CountryCodeSchema = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in upper case, e.g. "CD"');

export const MetalSchema = z.enum(METAL_IDS);
export type Metal = z.infer<typeof MetalSchema>;

export const RMAP_STATUSES = ['conformant', 'active', 'non_conformant', 'not_enrolled', 'unknown'] as const;
export const RmapStatusSchema = z.enum(RMAP_STATUSES);
export type RmapStatus = z.infer<typeof RmapStatusSchema>;

export const HUMAN_RIGHTS_RISKS = ['low', 'medium', 'high'] as const;
export const HumanRightsRiskSchema = z.enum(HUMAN_RIGHTS_RISKS);

export const NODE_LABELS = ['Company', 'Smelter', 'Country'] as const;
export const NodeLabelSchema = z.enum(NODE_LABELS);
export type NodeLabel = z.infer<typeof NodeLabelSchema>;

export const RELATIONSHIP_TYPES = ['SUPPLIES', 'LOCATED_IN'] as const;
export const RelationshipTypeSchema = z.enum(RELATIONSHIP_TYPES);
export type RelationshipType = z.infer<typeof RelationshipTypeSchema>;

const NameSchema = z.string().trim().min(1, 'must not be empty').max(500);
const ShortTextListSchema = z.array(z.string().trim().min(1).max(500)).max(200);

/**
 * The longest smelter name (or alias, or rejected name) the service takes. Smelter matching works
 * in proportion to name lengths; the longest real one in the RMI lists and look-ups is 107
 * characters (RMI cobalt refiners 2023), 91 in the CMRT 6.5 look-up, 78 in the filled CMRTs here.
 */
export const SMELTER_NAME_MAX_LENGTH = 200;
export const SmelterNameSchema = z.string().trim().min(1, 'must not be empty').max(SMELTER_NAME_MAX_LENGTH);
const SmelterNameListSchema = z.array(SmelterNameSchema).max(200);

/** Calendar date as text; kept as text end to end so no driver temporal type leaks out. */
export const IsoDateSchema = z.iso.date('must be a date in the form YYYY-MM-DD');

export const CompanySchema = z
  .object({
    label: z.literal('Company'),
    id: NodeIdSchema,
    name: NameSchema,
    country: CountryCodeSchema,
    saqScore: z.number().min(0).max(100).optional(),
    humanRightsRisk: HumanRightsRiskSchema.optional(),
    tags: ShortTextListSchema.optional(),
  })
  .strict()
  .meta({ id: 'Company', description: 'A firm: the focal company or a supplier of any tier.' });
export type Company = z.infer<typeof CompanySchema>;

export const SmelterSchema = z
  .object({
    label: z.literal('Smelter'),
    id: NodeIdSchema.describe('RMI smelter identification number (CID + 6 digits) where one exists, else a local id'),
    name: SmelterNameSchema,
    aliases: SmelterNameListSchema.default([]),
    metal: MetalSchema,
    country: CountryCodeSchema,
    rmapStatus: RmapStatusSchema.default('unknown'),
    recycledOrScrap: z.boolean().optional(),
    lastAudit: IsoDateSchema.optional(),
    identified: z
      .boolean()
      .optional()
      .describe('false when no RMI smelter id matched what a declaration said and the smelter got a local id'),
    rejectedNames: SmelterNameListSchema.optional().describe(
      'Names a user said are NOT this smelter; smelter matching never proposes it for them again',
    ),
  })
  .strict()
  .meta({ id: 'Smelter', description: 'A smelter or refiner.' });
export type Smelter = z.infer<typeof SmelterSchema>;

export const CountrySchema = z
  .object({
    label: z.literal('Country'),
    id: CountryCodeSchema,
    name: NameSchema,
    cahra: z.boolean().default(false),
    lists: z
      .array(z.string().trim().min(1).max(100))
      .max(50)
      .default([])
      .describe('Lists naming this country, e.g. EU-CAHRA, DFA-1502, or custom ones'),
    cahraRegions: z
      .array(z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, 'must be an ISO 3166-2 code'))
      .max(500)
      .optional()
      .describe('ISO 3166-2 codes of the regions the EU list designates when it does not designate the whole country'),
    riskScore: z.number().min(0).max(1).optional(),
  })
  .strict()
  .meta({ id: 'Country', description: 'A country, possibly a conflict-affected or high-risk area (CAHRA).' });
export type Country = z.infer<typeof CountrySchema>;

export const GraphNodeSchema = z.discriminatedUnion('label', [CompanySchema, SmelterSchema, CountrySchema]).meta({ id: 'GraphNode' });
export type GraphNode = z.infer<typeof GraphNodeSchema>;
/** What callers send: defaults not yet applied. */
export type GraphNodeInput = z.input<typeof GraphNodeSchema>;

export const ShareSchema = z
  .number()
  .gt(0, 'must be greater than 0')
  .lte(1, 'must be at most 1')
  .describe("Fraction of the buyer's intake of the metal that comes through this relationship");

export const SuppliesSchema = z
  .object({
    type: z.literal('SUPPLIES'),
    from: NodeIdSchema.describe('The source: a Country (ore), a Smelter or a Company'),
    to: NodeIdSchema.describe('The buyer: a Smelter (from a Country) or a Company'),
    metal: MetalSchema,
    share: ShareSchema.optional(),
    source: z.string().trim().min(1).max(1000).default('manual').describe('Provenance: file, template version, date, or "manual"'),
    updatedAt: z.iso.datetime().optional().describe('Set by the store on every write'),
  })
  .strict()
  .meta({ id: 'Supplies', description: 'Material flow of one metal from a source to a buyer.' });
export type Supplies = z.infer<typeof SuppliesSchema>;

export const LocatedInSchema = z
  .object({
    type: z.literal('LOCATED_IN'),
    from: NodeIdSchema.describe('A Company or Smelter'),
    to: CountryCodeSchema.describe('The Country it is located in'),
    updatedAt: z.iso.datetime().optional(),
  })
  .strict()
  .meta({ id: 'LocatedIn' });
export type LocatedIn = z.infer<typeof LocatedInSchema>;

export const RelationshipSchema = z.discriminatedUnion('type', [SuppliesSchema, LocatedInSchema]).meta({ id: 'Relationship' });
export type Relationship = z.infer<typeof RelationshipSchema>;
export type RelationshipInput = z.input<typeof RelationshipSchema>;

/**
 * Which labels may sit at each end of a relationship. SUPPLIES never points from a company to a
 * smelter or into a country: ore enters at countries and leaves towards companies.
 */
export const ALLOWED_ENDS: Record<RelationshipType, ReadonlyArray<readonly [NodeLabel, NodeLabel]>> = {
  SUPPLIES: [
    ['Country', 'Smelter'],
    ['Smelter', 'Company'],
    ['Company', 'Company'],
  ],
  LOCATED_IN: [
    ['Company', 'Country'],
    ['Smelter', 'Country'],
  ],
};

export function endsAllowed(type: RelationshipType, fromLabel: NodeLabel, toLabel: NodeLabel): boolean {
  return ALLOWED_ENDS[type].some(([f, t]) => f === fromLabel && t === toLabel);
}

/** The identity of a relationship: upserts and deletes address it by this key. */
export interface RelationshipKey {
  type: RelationshipType;
  from: string;
  to: string;
  /** Only SUPPLIES has a metal; LOCATED_IN is keyed by its ends alone. */
  metal?: Metal | undefined;
}

export function relationshipKey(r: RelationshipKey): string {
  return r.type === 'SUPPLIES' ? `SUPPLIES\u0000${r.from}\u0000${r.to}\u0000${r.metal}` : `LOCATED_IN\u0000${r.from}\u0000${r.to}`;
}

/** The graph-import document of README's "The API in brief"; also the JSON export. */
export const GraphDocumentSchema = z
  .object({
    nodes: z.array(GraphNodeSchema).default([]),
    relationships: z.array(RelationshipSchema).default([]),
  })
  .meta({ id: 'GraphDocument', description: 'Nodes and relationships; relationships name their ends by id.' });
export type GraphDocument = z.infer<typeof GraphDocumentSchema>;
export type GraphDocumentInput = z.input<typeof GraphDocumentSchema>;
