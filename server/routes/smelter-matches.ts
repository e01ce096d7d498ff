/**
 * Smelter matching for people: what would a declaration's smelter resolve to, and the decisions a
 * user takes on a match. A decision is stored on the smelter itself — a confirmed name joins its
 * `aliases`, a rejected one its `rejectedNames` — so every later import (API or CLI, any API
 * instance) reuses it without a separate table.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CountryCodeSchema, MetalSchema, NodeIdSchema, SmelterNameSchema, SmelterSchema } from '../../graph/model.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { smelterNameKey } from '../importers/smelter-names.js';
import { closeSmelterMatcher, smelterMatcherOf } from '../importers/smelter-matcher-thread.js';
import { problemResponses } from '../../contract/http.js';

const MatchQuery = z.object({
  metal: MetalSchema,
  name: SmelterNameSchema.optional().describe('The smelter name as a declaration gives it'),
  id: z.string().trim().min(1).max(200).optional().describe('The smelter identification number as given, if any'),
  country: CountryCodeSchema.optional(),
});

const SmelterMatchSchema = z
  .object({
    status: z.enum(['resolved_by_id', 'resolved_by_name', 'unresolved']),
    smelterId: z.string().nullable(),
    confidence: z.number(),
    decision: z.enum(['confirmed', 'rejected']).optional(),
    idMismatch: z.object({ claimedId: z.string(), claimedName: z.string(), referenceName: z.string() }).optional(),
    candidates: z.array(
      z.object({
        smelterId: z.string(),
        name: z.string(),
        metal: MetalSchema,
        countryCode: z.string(),
        score: z.number(),
        reason: z.string(),
      }),
    ),
  })
  .meta({ id: 'SmelterMatch', description: 'How a declared smelter resolves to an RMI smelter id, with the candidates.' });

const DecisionBody = z.object({
  name: SmelterNameSchema.describe('The name as declarations write it'),
  decision: z.enum(['confirm', 'reject']).describe('confirm: this name is this smelter; reject: it is not'),
});

export default async function smelterMatchRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // The store's matcher thread serves this route and the CMRT import alike; it ends with the app.
  app.addHook('onClose', async () => closeSmelterMatcher(app.store));
  // A served app starts it at once, so that the first match does not wait for the thread to start
  // (onListen never runs under inject: tests start it only when they match). Best effort: a store
  // that is down now is read again by the first match.
  app.addHook('onListen', async () => {
    smelterMatcherOf(app.store)
      .warmUp()
      .catch((err: unknown) => app.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'smelter matcher: warm-up failed'));
  });

  r.get(
    '/smelter-matches',
    {
      schema: {
        tags: ['smelters'],
        summary: 'Resolve a declared smelter to an RMI smelter id',
        description:
          'By id first, else by metal, normalised name and country, using the RMI look-up and the graph (including confirmed and rejected names).',
        querystring: MatchQuery,
        response: { 200: SmelterMatchSchema, ...problemResponses(400, 503) },
      },
    },
    async (request) => {
      const { metal, name, id, country } = request.query;
      if (!name && !id) throw new ValidationError('Give a name or an id', [{ path: 'query.name', message: 'give name, id or both' }]);
      // In the matcher thread: building the resolver after a write, and a worst-case query, are
      // CPU the event loop must not spend.
      return smelterMatcherOf(app.store).resolve({ metal, smelterId: id ?? null, name: name ?? null, countryCode: country ?? null });
    },
  );

  r.post(
    '/smelters/:id/name-decisions',
    {
      schema: {
        tags: ['smelters'],
        summary: 'Confirm or reject that a declared name is this smelter',
        description:
          "Confirm adds the name to the smelter's aliases (and removes it from rejectedNames); reject adds it to rejectedNames (and removes it from aliases). Later imports use the decision.",
        params: z.object({ id: NodeIdSchema }),
        body: DecisionBody,
        response: { 200: SmelterSchema, ...problemResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { name, decision } = request.body;
      const smelter = await app.store.getNode('Smelter', id);
      if (!smelter) throw new NotFoundError(`No smelter has id "${id}"`);
      const key = smelterNameKey(name);
      const same = (n: string) => smelterNameKey(n) === key;
      const aliases = smelter.aliases.filter((a) => !same(a));
      const rejectedNames = (smelter.rejectedNames ?? []).filter((a) => !same(a));
      if (decision === 'confirm') {
        if (!same(smelter.name)) aliases.push(name);
      } else {
        if (same(smelter.name)) {
          throw new ValidationError(`"${name}" is the smelter's own name`, [
            { path: 'body.name', message: "cannot reject the smelter's own name" },
          ]);
        }
        rejectedNames.push(name);
      }
      const updated = { ...smelter, aliases, rejectedNames };
      await app.store.upsertNodes([updated], 'replace');
      return updated;
    },
  );
}
