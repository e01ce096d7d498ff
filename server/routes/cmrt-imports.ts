/**
 * POST /api/v1/imports/cmrt?company=ID — one or more CMRT/EMRT workbooks (multipart, file parts
 * named `file`) declared by one company: parsed, smelters matched to RMI ids, checked, and written
 * in one all-or-nothing import. The answer is the import report.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CountryCodeSchema, NodeIdSchema } from '../../graph/model.js';
import { DomainError, ValidationError } from '../errors.js';
import { importCmrtFiles } from '../importers/cmrt/cmrt-import.js';
import { MAX_CMRT_UPLOAD_BYTES } from '../importers/cmrt/workbook-guard.js';
import { collectMultipartFileList, multipartFileSchema, unreadableAs400, type MultipartUpload } from '../plugins/multipart.js';
import { CmrtImportResultSchema } from '../../contract/cmrt-import.js';
import { problemResponses, QueryBooleanSchema } from '../../contract/http.js';

/** Workbooks per request; more files go through the CLI or several requests. */
export const MAX_CMRT_FILES_PER_REQUEST = 20;

const CmrtImportQuery = z.object({
  company: NodeIdSchema.describe('The declaring company: the buyer of every smelter the files list'),
  country: CountryCodeSchema.optional().describe('Creates the company with this country when the graph does not hold it yet'),
  name: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .optional()
    .describe("Name for a company created by the import (default: the declaration's company name)"),
  dryRun: QueryBooleanSchema.optional().describe('"true": parse, match and check, but write nothing'),
});

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CmrtUploadBody = z.object({
  file: z
    .array(multipartFileSchema('A CMRT 6.x or EMRT 2.x workbook (.xlsx)', XLSX))
    .min(1, 'send at least one file part named "file"')
    .max(MAX_CMRT_FILES_PER_REQUEST),
});

export default async function cmrtImportRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/imports/cmrt',
    {
      preValidation: async (request) => {
        if (!request.isMultipart()) {
          throw new ValidationError('Send the workbooks as multipart/form-data', [
            { path: 'headers.content-type', message: 'must be multipart/form-data with file parts named "file"' },
          ]);
        }
        request.body = {
          file: await unreadableAs400(request, () =>
            collectMultipartFileList(request, {
              name: 'file',
              limits: { fileSize: MAX_CMRT_UPLOAD_BYTES, files: MAX_CMRT_FILES_PER_REQUEST },
            }),
          ),
        };
      },
      schema: {
        tags: ['imports'],
        summary: 'Import CMRT/EMRT declarations (.xlsx), all or nothing',
        description: `multipart/form-data with one or more file parts named "file" (at most ${MAX_CMRT_FILES_PER_REQUEST}, each at most ${MAX_CMRT_UPLOAD_BYTES} bytes). Smelters are matched by RMI id, else by metal, name and country; unresolved ones get a local id (LOCAL-…) and identified=false; a name confirmed or rejected with POST /smelters/{id}/name-decisions is reused. An unreadable workbook writes nothing. Answers with one report per file: rows read, smelters per metal, resolution counts, duplicates and consistency warnings with sheet, row and column.`,
        querystring: CmrtImportQuery,
        body: { content: { 'multipart/form-data': { schema: CmrtUploadBody } } },
        response: { 200: CmrtImportResultSchema, ...problemResponses(400, 404, 413, 415, 422, 503) },
      },
    },
    async (request) => {
      const { company, country, name, dryRun } = request.query;
      const files = (request.body as { file: MultipartUpload[] }).file;
      const uploads = files.map((f, i) => ({ fileName: f.fileName ?? `upload-${i + 1}.xlsx`, bytes: f.bytes, companyId: company }));
      try {
        return await importCmrtFiles(app.store, uploads, { newCompany: { name, country }, dryRun });
      } catch (err) {
        // Reader problems name the file (and sheet); say which part of the request that was.
        if (err instanceof DomainError)
          for (const f of err.fields) if (!f.path.startsWith('query.') && !f.path.startsWith('body')) f.path = `body.file(${f.path})`;
        throw err;
      }
    },
  );
}
