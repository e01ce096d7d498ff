/**
 * GET /api/v1/export?format=json|csv|graphml[&part=nodes|relationships] — the whole graph as a
 * file download. JSON is the import document (POST /api/v1/imports/graph takes it back); CSV is
 * two files, one per request (`part`), so that curl and programs get plain CSV, not an archive;
 * GraphML opens in Gephi, networkx, yEd.
 *
 * The answer is streamed in chunks from one store scan, so a large graph is never held as one
 * string.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CSV_PARTS,
  EXPORT_CONTENT_TYPES,
  EXPORT_FORMATS,
  exportChunks,
  exportFileName,
  GraphExportSchema,
  NODE_CSV_COLUMNS,
  RELATIONSHIP_CSV_COLUMNS,
} from '../exporters/graph-export.js';
import { problemResponses } from '../../contract/http.js';

export const ExportQuerySchema = z
  .object({
    format: z
      .enum(EXPORT_FORMATS)
      .default('json')
      .describe('json: the graph-import document; csv: one of two files (see part); graphml: GraphML 1.0'),
    part: z.enum(CSV_PARTS).optional().describe('With format=csv (required there): which file, nodes.csv or relationships.csv'),
  })
  .superRefine((q, ctx) => {
    if (q.format === 'csv' && q.part === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['part'],
        message: 'is required with format=csv: nodes or relationships (a CSV export is two files)',
      });
    if (q.format !== 'csv' && q.part !== undefined)
      ctx.addIssue({ code: 'custom', path: ['part'], message: `only goes with format=csv; a ${q.format} export is one file` });
  });

const csvDescription = (columns: readonly { name: string }[]) => `RFC 4180 CSV with the header ${columns.map((c) => c.name).join(',')}`;

export default async function exportRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/export',
    {
      schema: {
        tags: ['graph'],
        summary: 'Export the whole graph as JSON, CSV or GraphML',
        description: `A file download (Content-Disposition: attachment). json: the document POST /api/v1/imports/graph takes, with the store version and the export time. csv: part=nodes gives nodes.csv (${csvDescription(NODE_CSV_COLUMNS)}), part=relationships gives relationships.csv (${csvDescription(RELATIONSHIP_CSV_COLUMNS)}); lists are "|"-joined ("\\|" for a "|" inside an item), empty cells are absent properties. graphml: GraphML 1.0, node ids as in the graph (unique across labels), a label attribute, edges with type, metal, share, source, updatedAt.`,
        querystring: ExportQuerySchema,
        response: {
          200: {
            description: 'The export file',
            content: {
              'application/json': { schema: GraphExportSchema },
              'text/csv': { schema: z.string().describe('nodes.csv or relationships.csv') },
              'application/graphml+xml': { schema: z.string().describe('GraphML 1.0') },
            },
          },
          ...problemResponses(400, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const { format, part } = request.query;
      const scan = await app.store.scan();
      // Built before any header is sent: a check that fails (GraphML ids) is then a clean 422.
      const chunks = exportChunks(scan, format, { part });
      const fileName = exportFileName(format, part);
      return (
        reply
          .type(EXPORT_CONTENT_TYPES[format])
          .header('content-disposition', `attachment; filename="${fileName}"`)
          // A stream is sent as it is; the response schemas above only document the bodies.
          .send(Readable.from(chunks) as never)
      );
    },
  );
}
