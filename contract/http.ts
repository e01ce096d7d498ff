/**
 * Shapes of the HTTP API that are not domain concepts: problems, pages, health. Domain shapes
 * come from graph/model.ts; both register ids so that OpenAPI refers to them by name. Part of the
 * contract shared by the server and the browser (see contract/ in README's "Where things live"):
 * it imports only zod and graph/, so the limits the schemas check are defined here.
 */
import { z } from 'zod';

/** Largest page a list route gives; the stores check it too (server/stores/write-rules.ts re-exports it). */
export const MAX_PAGE_LIMIT = 1000;

export const ProblemSchema = z
  .object({
    type: z.string().describe('Identifies the kind of problem'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('The offending fields, e.g. "query.limit" or "body.relationships[3].to"'),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem detail (application/problem+json)' });
export type Problem = z.infer<typeof ProblemSchema>;

/** Error responses every route may give, for OpenAPI. */
export function problemResponses<const S extends readonly number[]>(...statuses: S) {
  return Object.fromEntries(statuses.map((s) => [s, ProblemSchema])) as Record<S[number], typeof ProblemSchema>;
}

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(50).describe(`Items per page, 1..${MAX_PAGE_LIMIT}`),
  cursor: z.string().max(2000).optional().describe('nextCursor of the previous page'),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Query-string booleans: only "true" and "false", so a typo is an error, not a silent false. */
export const QueryBooleanSchema = z.enum(['true', 'false']).transform((v) => v === 'true');

export const WriteResultSchema = z
  .object({
    nodesUpserted: z.number().int(),
    relationshipsUpserted: z.number().int(),
    version: z.number().int().describe('Store version after the write'),
  })
  .meta({ id: 'WriteResult' });
