import { z } from 'zod';
import { CountryCodeSchema, MetalSchema, NodeIdSchema, RmapStatusSchema, SmelterSchema } from '../../graph/model.js';
import { entityRoutes } from './entity-routes.js';

export default entityRoutes({
  label: 'Smelter',
  plural: 'smelters',
  schema: SmelterSchema,
  idSchema: NodeIdSchema,
  filters: z.object({
    metal: MetalSchema.optional(),
    rmapStatus: RmapStatusSchema.optional(),
    country: CountryCodeSchema.optional(),
  }),
  toFilter: (q) => ({ search: q.search, metal: q.metal, rmapStatus: q.rmapStatus, country: q.country }),
  tag: 'smelters',
});
