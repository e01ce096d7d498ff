import { z } from 'zod';
import { CompanySchema, CountryCodeSchema, NodeIdSchema } from '../../graph/model.js';
import { entityRoutes } from './entity-routes.js';

export default entityRoutes({
  label: 'Company',
  plural: 'companies',
  schema: CompanySchema,
  idSchema: NodeIdSchema,
  filters: z.object({ country: CountryCodeSchema.optional() }),
  toFilter: (q) => ({ search: q.search, country: q.country }),
  tag: 'companies',
});
