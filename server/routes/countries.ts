import { z } from 'zod';
import { CountryCodeSchema, CountrySchema } from '../../graph/model.js';
import { QueryBooleanSchema } from '../../contract/http.js';
import { entityRoutes } from './entity-routes.js';

export default entityRoutes({
  label: 'Country',
  plural: 'countries',
  schema: CountrySchema,
  idSchema: CountryCodeSchema,
  filters: z.object({ cahra: QueryBooleanSchema.optional().describe('Only countries on (true) or off (false) a CAHRA list') }),
  toFilter: (q) => ({ search: q.search, cahra: q.cahra }),
  tag: 'countries',
});
