/**
 * The REST resource of one node label: GET/PUT/DELETE /api/v1/<plural>/:id and the filtered,
 * paged list. Companies, smelters and countries differ only in their schema and filters, so they
 * share this one definition (see companies.ts, smelters.ts, countries.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { GraphNode, NodeLabel } from '../../graph/model.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { NodeFilter } from '../stores/graph-store.js';
import { PageQuerySchema, pageOf, problemResponses } from '../../contract/http.js';

export interface EntityResource<S extends z.ZodObject, F extends z.ZodObject> {
  label: NodeLabel;
  /** URL segment, e.g. "companies". */
  plural: string;
  /** The node schema from graph/model.ts. */
  schema: S;
  /** The id as it appears in the path (countries: ISO alpha-2). */
  idSchema: z.ZodType<string>;
  /** Extra list filters beside search, limit and cursor. */
  filters: F;
  toFilter: (query: z.infer<F> & { search?: string | undefined }) => NodeFilter;
  tag: string;
}

export function entityRoutes<S extends z.ZodObject, F extends z.ZodObject>(resource: EntityResource<S, F>) {
  const { label, plural, schema, idSchema, tag } = resource;
  const noun = label.toLowerCase();
  const Params = z.object({ id: idSchema });
  // PUT carries the node without its label and id (they come from the URL); echoing them back, as
  // a GET answer has them, is allowed when they agree.
  const Body = schema.omit({ label: true, id: true }).extend({
    label: z.literal(label).optional(),
    id: z.string().optional(),
  });
  const ListQuery = PageQuerySchema.extend({
    search: z.string().trim().min(1).max(200).optional().describe('Case-insensitive part of the name or id'),
  }).extend(resource.filters.shape);

  return async function routes(app: FastifyInstance): Promise<void> {
    // The schemas are generic here, which defeats the type provider's inference; the zod schemas
    // still validate and serialise every request and answer at run time.
    const r = app.withTypeProvider<ZodTypeProvider>() as unknown as FastifyInstance;
    type IdRequest = { params: { id: string } };

    r.get(
      `/${plural}`,
      {
        schema: {
          tags: [tag],
          summary: `List ${plural}, filtered and paged`,
          querystring: ListQuery,
          response: { 200: pageOf(schema), ...problemResponses(400, 503) },
        },
      },
      async (request) => {
        const { limit, cursor, ...rest } = request.query as { limit: number; cursor?: string } & Record<string, unknown>;
        const filter = resource.toFilter(rest as z.infer<F> & { search?: string });
        return app.store.listNodes(label, filter, { limit, cursor });
      },
    );

    r.get(
      `/${plural}/:id`,
      {
        schema: {
          tags: [tag],
          summary: `Get one ${noun}`,
          params: Params,
          response: { 200: schema, ...problemResponses(400, 404, 503) },
        },
      },
      async (request) => {
        const { params } = request as unknown as IdRequest;
        const node = await app.store.getNode(label, params.id);
        if (!node) throw new NotFoundError(`No ${noun} has id "${params.id}"`);
        return node;
      },
    );

    r.put(
      `/${plural}/:id`,
      {
        schema: {
          tags: [tag],
          summary: `Create or replace a ${noun}`,
          description:
            'The body is the whole node: properties it leaves out are removed. 201 when created, 200 when replaced. ' +
            '409 when a node of another label holds the id: ids are unique across labels, as relationships name their ends by id.',
          params: Params,
          body: Body,
          response: { 200: schema, 201: schema, ...problemResponses(400, 409, 422, 503) },
        },
      },
      async (request, reply) => {
        const { id } = (request as unknown as IdRequest).params;
        const body = request.body as Record<string, unknown>;
        if (body.id !== undefined && body.id !== id) {
          throw new ValidationError(`body.id "${String(body.id)}" differs from the id in the path "${id}"`, [
            { path: 'body.id', message: `must equal the id in the path ("${id}") or be left out` },
          ]);
        }
        const existed = (await app.store.getNode(label, id)) !== null;
        await app.store.upsertNodes([{ ...body, label, id } as GraphNode], 'replace');
        const stored = await app.store.getNode(label, id);
        if (!stored) throw new NotFoundError(`The ${noun} "${id}" vanished right after it was written`);
        return reply.code(existed ? 200 : 201).send(stored);
      },
    );

    r.delete(
      `/${plural}/:id`,
      {
        schema: {
          tags: [tag],
          summary: `Delete a ${noun} and its relationships`,
          params: Params,
          response: { 204: z.undefined().describe('Deleted'), ...problemResponses(400, 404, 503) },
        },
      },
      async (request, reply) => {
        const { id } = (request as unknown as IdRequest).params;
        const deleted = await app.store.deleteNode(label, id);
        if (!deleted) throw new NotFoundError(`No ${noun} has id "${id}"`);
        return reply.code(204).send();
      },
    );
  };
}
