/**
 * The CMRT/EMRT import as a service: read every workbook first (a file that cannot be read stops
 * the whole import before anything is written), gather what the plan needs from the store, plan,
 * then write everything in one all-or-nothing `importGraph`.
 */
import type { Country, Metal } from '../../../graph/model.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { loadCountries, loadDoddFrankCountries, loadReferenceSmelters } from '../../seeding/reference-data.js';
import { listAllNodes, type GraphStore, type WriteResult } from '../../stores/graph-store.js';
import { smelterMatcherOf, type ClaimOutcome, type SmelterKnowledge } from '../smelter-matcher-thread.js';
import type { SmelterClaim } from '../smelter-resolution.js';
import type { CmrtDocument } from './cmrt-document.js';
import {
  planCmrtImport,
  smelterClaimOf,
  type CmrtFileReport,
  type CmrtImportContext,
  type KnownSmelterRecord,
} from './cmrt-import-plan.js';
import { readCmrtWorkbookOffThread } from './cmrt-reader-thread.js';

export interface CmrtUpload {
  fileName: string;
  bytes: Uint8Array;
  /** The declaring company (the buyer of every smelter the file lists). */
  companyId: string;
}

export interface CmrtImportOptions {
  /** For a declarant the graph does not hold yet: its name (default: the declaration's company name) and country. */
  newCompany?: { name?: string | undefined; country?: string | undefined } | undefined;
  /** Reports each file as it is read (the CLI draws a progress bar with it). */
  onFileRead?: ((done: number, total: number, fileName: string) => void) | undefined;
  /** Parse, resolve and check, but write nothing. */
  dryRun?: boolean | undefined;
}

export interface CmrtImportResult {
  files: CmrtFileReport[];
  nodesUpserted: number;
  relationshipsUpserted: number;
  /** The store version after the write (before it, for a dry run). */
  version: number;
  dryRun: boolean;
}

// Where they were defined before matching moved to its thread; the reference refresh imports them from here.
export { graphSmelters, knownSmelterOf, type SmelterKnowledge } from '../smelter-matcher-thread.js';

/**
 * The graph's smelters at the store's current version, read once per version (the resolver built
 * from them lives in the matcher thread: smelterMatcherOf(store)).
 */
export function smelterKnowledge(store: GraphStore): Promise<SmelterKnowledge> {
  return smelterMatcherOf(store).knowledge();
}

/**
 * The resolutions of every claim the plan will make, matched in the matcher thread as one batch,
 * and a resolver that answers the plan from them: the plan stays synchronous and pure, and gets
 * the answer (or the error) the resolver gave for each claim.
 */
async function resolveClaimsOffThread(
  store: GraphStore,
  knowledge: SmelterKnowledge,
  documents: readonly CmrtDocument[],
): Promise<CmrtImportContext['resolver']> {
  const byKey = new Map<string, SmelterClaim>();
  for (const document of documents) {
    for (const row of document.smelters) {
      // A superset of the rows the plan resolves (it skips some first): a claim's error counts only if the plan asks for it.
      if (row.kind !== 'listed' || row.metal === null) continue;
      const claim = smelterClaimOf(row, row.metal);
      byKey.set(claimKey(claim), claim);
    }
  }
  const claims = [...byKey.values()];
  const outcomes = await smelterMatcherOf(store).resolveAll(claims, knowledge);
  const answers = new Map<string, ClaimOutcome>(claims.map((c, i) => [claimKey(c), outcomes[i]!]));
  return {
    resolve(claim) {
      const outcome = answers.get(claimKey(claim));
      if (!outcome) throw new Error('importCmrtFiles: the plan resolved a claim that was not matched beforehand');
      if ('error' in outcome) throw outcome.error;
      return outcome.resolution;
    },
  };
}

/** The same text for the same claim, whatever the order its fields were set in. */
function claimKey(c: SmelterClaim): string {
  return JSON.stringify([c.metal, c.smelterId, c.name, c.lookupName ?? null, c.countryCode]);
}

export async function readCmrtUploads(
  uploads: readonly CmrtUpload[],
  onFileRead?: CmrtImportOptions['onFileRead'],
): Promise<CmrtDocument[]> {
  const documents: CmrtDocument[] = [];
  for (const [i, upload] of uploads.entries()) {
    // In the reader thread: a hostile workbook costs seconds of CPU, which the event loop must not.
    documents.push(await readCmrtWorkbookOffThread(upload.bytes, { fileName: upload.fileName }));
    onFileRead?.(i + 1, uploads.length, upload.fileName);
  }
  return documents;
}

export async function importCmrtFiles(
  store: GraphStore,
  uploads: readonly CmrtUpload[],
  options: CmrtImportOptions = {},
): Promise<CmrtImportResult> {
  if (uploads.length === 0) throw new ValidationError('No CMRT file given', [{ path: 'files', message: 'give at least one .xlsx file' }]);
  const documents = await readCmrtUploads(uploads, options.onFileRead);

  const companyIds = new Set<string>();
  const newCompanies = new Map<string, { name: string; country: string }>();
  for (const [i, upload] of uploads.entries()) {
    if (companyIds.has(upload.companyId) || newCompanies.has(upload.companyId)) continue;
    const existing = await store.getNode('Company', upload.companyId);
    if (existing) {
      companyIds.add(upload.companyId);
      continue;
    }
    const name = options.newCompany?.name ?? documents[i]!.declaration.companyName ?? undefined;
    const country = options.newCompany?.country;
    if (!country || !name) {
      throw new NotFoundError(`Company ${upload.companyId} does not exist`, [
        {
          path: 'query.company',
          message:
            `no company "${upload.companyId}"; create it first, ` +
            `or give its country${name ? '' : ' and name'} (country=…${name ? '' : ', name=…'}) to create it with the import`,
        },
      ]);
    }
    newCompanies.set(upload.companyId, { name, country });
  }

  const knowledge = await smelterKnowledge(store);
  const { smelters } = knowledge;
  // Matched in the matcher thread: with thousands of rows and long names, seconds of CPU.
  const resolver = await resolveClaimsOffThread(store, knowledge, documents);
  const countries = (await listAllNodes(store, 'Country')).filter((n): n is Country => n.label === 'Country');
  const smeltersById = new Map<string, KnownSmelterRecord>();
  for (const s of smelters) smeltersById.set(s.id, { id: s.id, name: s.name, metal: s.metal, country: s.country, node: s });
  for (const s of loadReferenceSmelters()) {
    if (!smeltersById.has(s.id))
      smeltersById.set(s.id, { id: s.id, name: s.name, metal: s.metal as Metal, country: s.country, aliases: s.aliases });
  }
  const referenceCountries = new Map(loadCountries().map((c) => [c.id, c]));
  // The graph's own flags win (a user may have added custom lists); a graph without countries
  // falls back to the shipped lists.
  const cahraSource = countries.length > 0 ? countries : [...referenceCountries.values()];
  const cahra = new Set(cahraSource.filter((c) => c.cahra).map((c) => c.id));

  const plan = planCmrtImport(
    documents.map((document, i) => ({ document, companyId: uploads[i]!.companyId })),
    {
      resolver,
      smeltersById,
      countryIds: new Set(countries.map((c) => c.id)),
      referenceCountries,
      coveredCountries: new Set(loadDoddFrankCountries().map((c) => c.alpha2)),
      cahraCountries: cahra,
      companyIds,
      newCompanies,
      importedAt: new Date().toISOString(),
    },
  );

  if (options.dryRun) {
    return { files: plan.reports, nodesUpserted: 0, relationshipsUpserted: 0, version: await store.version(), dryRun: true };
  }
  const write: WriteResult = await store.importGraph({ nodes: plan.nodes, relationships: plan.relationships });
  return { files: plan.reports, ...write, dryRun: false };
}
