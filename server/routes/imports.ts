/**
 * POST /api/v1/imports/graph — a whole graph in one all-or-nothing write: the JSON document of
 * README's "The API in brief", or the same as CSV (multipart/form-data with file parts `nodes` and `relationships`,
 * the files GET /api/v1/export?format=csv gives).
 */
import { errorCodes, type FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  GraphDocumentSchema,
  GraphNodeSchema,
  RelationshipSchema,
  type GraphDocument,
  type GraphDocumentInput,
} from '../../graph/model.js';
import { DomainError, ValidationError } from '../errors.js';
import { CSV_PARTS, NODE_CSV_COLUMNS, RELATIONSHIP_CSV_COLUMNS } from '../exporters/graph-export.js';
import { locateInCsv, readGraphCsv } from '../importers/graph-csv.js';
import { MAX_IMPORT_ROWS } from '../importers/import-limits.js';
import { collectMultipartFiles, multipartFileSchema, unreadableAs400, type MultipartUpload } from '../plugins/multipart.js';
import { problemResponses, WriteResultSchema } from '../../contract/http.js';

// Moved to server/importers/import-limits.ts so the importers need not import a route; re-exported for callers of this module.
export { MAX_IMPORT_ROWS };
/** Bytes of JSON per import, and bytes per CSV file part. */
export const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

const ImportBody = GraphDocumentSchema.extend({
  nodes: z.array(GraphNodeSchema).max(MAX_IMPORT_ROWS).default([]),
  relationships: z.array(RelationshipSchema).max(MAX_IMPORT_ROWS).default([]),
});

const CsvImportBody = z
  .object({
    nodes: multipartFileSchema(
      `nodes.csv: a header row naming any of the columns ${NODE_CSV_COLUMNS.map((c) => c.name).join(', ')} (label and id required), then one node per row. Empty cells are absent properties; lists are "|"-joined.`,
      'text/csv',
    ).optional(),
    relationships: multipartFileSchema(
      `relationships.csv: a header row naming any of the columns ${RELATIONSHIP_CSV_COLUMNS.map((c) => c.name).join(', ')} (type, from and to required), then one relationship per row.`,
      'text/csv',
    ).optional(),
  })
  .strict()
  .refine((b) => b.nodes !== undefined || b.relationships !== undefined, {
    message: 'send a part named nodes or relationships (or both)',
    path: ['nodes'],
  });
type CsvImportBody = { nodes?: MultipartUpload; relationships?: MultipartUpload };

export interface ImportRoutesOptions {
  /** Bytes per CSV file part; default IMPORT_BODY_LIMIT (tests lower it). */
  csvFileBytes?: number;
}

export default async function importRoutes(app: FastifyInstance, options: ImportRoutesOptions = {}): Promise<void> {
  const csvFileBytes = options.csvFileBytes ?? IMPORT_BODY_LIMIT;
  app.withTypeProvider<ZodTypeProvider>().post(
    '/imports/graph',
    {
      preValidation: async (request) => {
        if (request.isMultipart()) {
          // The parts become the body that the multipart/form-data schema below validates.
          request.body = await unreadableAs400(request, () =>
            collectMultipartFiles(request, { names: CSV_PARTS, limits: { fileSize: csvFileBytes, files: 2, fields: 2, parts: 4 } }),
          );
          return;
        }
        // The content map below validates only the media types it names, and Fastify also parses
        // text/plain: anything else must not reach the handler as an unchecked (empty) document.
        if (request.mediaType === undefined)
          throw new ValidationError('The request has no body', [
            { path: 'body', message: 'is required: a JSON document (application/json) or CSV parts (multipart/form-data)' },
          ]);
        if (request.mediaType !== 'application/json')
          throw new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(request.headers['content-type'] ?? '');
        (request as unknown as { sentBody?: unknown }).sentBody = request.body;
      },
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['imports'],
        summary: 'Import nodes and relationships (JSON or CSV), all or nothing',
        description: `Nodes that exist are updated (properties merged); relationships are upserted by (type, from, to, metal) and name their ends by id. One invalid row or a relationship whose end does not exist rejects the whole import and writes nothing. Send the JSON document, or multipart/form-data with CSV file parts named "nodes" and "relationships" (either may be absent; each at most ${csvFileBytes} bytes and ${MAX_IMPORT_ROWS} rows), as GET /api/v1/export?format=csv writes them. CSV problems name the file, row (the header is row 1) and column.`,
        body: {
          content: {
            'application/json': { schema: ImportBody },
            'multipart/form-data': { schema: CsvImportBody },
          },
        },
        response: { 200: WriteResultSchema, ...problemResponses(400, 413, 415, 422, 503) },
      },
    },
    async (request) => {
      const prefixed = (err: unknown) => {
        if (err instanceof DomainError) for (const f of err.fields) if (!f.path.startsWith('body')) f.path = `body.${f.path}`;
        return err;
      };
      if (request.isMultipart()) {
        const body = request.body as CsvImportBody;
        try {
          const csv = await readGraphCsv({ nodes: body.nodes?.bytes, relationships: body.relationships?.bytes });
          try {
            return await app.store.importGraph(csv.document);
          } catch (err) {
            throw err instanceof DomainError ? locateInCsv(err, csv) : err;
          }
        } catch (err) {
          throw prefixed(err);
        }
      }
      // The store gets the document as sent, not as parsed: parsing fills defaults (rmapStatus
      // "unknown"…) that would overwrite stored values when a node is merged. The schema above has
      // already checked it; the store checks it again, then resolves relationship ends.
      const sent = (request as unknown as { sentBody?: GraphDocumentInput }).sentBody ?? (request.body as GraphDocumentInput);
      // The parsed rows go along, so the store need not parse them a second time.
      const parsed = request.body as GraphDocument;
      try {
        return await app.store.importGraph(
          { nodes: sent.nodes ?? [], relationships: sent.relationships ?? [] },
          { parsed: { nodes: parsed.nodes ?? [], relationships: parsed.relationships ?? [] } },
        );
      } catch (err) {
        throw prefixed(err);
      }
    },
  );
}
