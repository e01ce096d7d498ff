/**
 * The answer of a CMRT/EMRT import (API and `oretrace import cmrt --json`): one report per file and
 * the write. Declared once here; server/importers/cmrt/cmrt-import-plan.ts builds it.
 */
import { z } from 'zod';
import { MetalSchema, NodeIdSchema } from '../graph/model.js';

export const ImportWarningSchema = z
  .object({
    code: z.string().describe('Stable, e.g. "metal-used-without-smelters", "id-name-mismatch", "cross-file-contradiction"'),
    message: z.string(),
    file: z.string(),
    sheet: z.string().optional(),
    row: z.number().int().optional(),
    column: z.string().optional(),
  })
  .meta({ id: 'ImportWarning', description: 'Something a person should look at; it did not stop the import.' });

export const ImportedSmelterRowSchema = z.object({
  row: z.number().int().describe('Row on the Smelter List sheet'),
  metal: MetalSchema.nullable(),
  name: z.string().nullable(),
  smelterId: z
    .string()
    .nullable()
    .describe('The smelter written: an RMI id, or a local id (LOCAL-…) when unresolved; null when not written'),
  status: z.enum(['resolved_by_id', 'resolved_by_name', 'unresolved', 'not_listed', 'not_yet_identified', 'skipped']),
  confidence: z.number().min(0).max(1),
  duplicate: z.boolean().describe('The same smelter and metal appear on an earlier row of the file'),
  candidates: z.array(z.object({ smelterId: z.string(), name: z.string(), score: z.number() })),
});

export const CmrtFileReportSchema = z
  .object({
    file: z.string(),
    templateKind: z.enum(['CMRT', 'EMRT']),
    templateVersion: z.string(),
    company: NodeIdSchema,
    declaration: z.object({
      companyName: z.string().nullable(),
      scope: z.string().nullable(),
      effectiveDate: z.string().nullable(),
      blank: z.boolean(),
    }),
    rowsRead: z.number().int().describe('Non-empty Smelter List rows'),
    smeltersByMetal: z.partialRecord(MetalSchema, z.number().int()).describe('Distinct smelters written per metal'),
    resolution: z.object({
      byId: z.number().int(),
      byName: z.number().int(),
      unresolved: z.number().int(),
      notListed: z.number().int(),
      notYetIdentified: z.number().int(),
    }),
    duplicates: z.number().int().describe('Rows that repeat a (smelter, metal) listed on an earlier row of the same file'),
    duplicateSmelters: z.number().int().describe('Distinct (smelter, metal) pairs listed more than once'),
    smelters: z.array(ImportedSmelterRowSchema),
    warnings: z.array(ImportWarningSchema),
  })
  .meta({ id: 'CmrtFileReport' });

export const CmrtImportResultSchema = z
  .object({
    files: z.array(CmrtFileReportSchema),
    nodesUpserted: z.number().int(),
    relationshipsUpserted: z.number().int(),
    version: z.number().int(),
    dryRun: z.boolean(),
  })
  .meta({ id: 'CmrtImportResult' });
