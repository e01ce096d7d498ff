/**
 * The analysis operations of the app's OpenAPI document (tag "analyses"), each with the answer
 * schema of the catalogue it answers in, and the request that asks one of them about a company:
 * shared by the tests that drive every analysis route over HTTP (random graphs, adversarial
 * shapes, the hostile-shape fuzzer), so that a new analysis route joins them by its tag alone.
 */
import { z } from 'zod';
import { answerSchemas } from '../../../server/analytics/analysis-catalog.js';

export interface AnalysisOperation {
  method: 'GET' | 'POST';
  path: string;
  /** Parameter names by where they go. */
  path_: string[];
  query: { name: string; required: boolean }[];
  body: { properties: Record<string, unknown>; required: string[] } | undefined;
  schema: z.ZodType;
  schemaId: string;
}

/** The part of an OpenAPI operation read here. */
interface OpenApiOperation {
  tags?: string[];
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}

export interface AnalysisDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** The catalogue's answer schemas by their OpenAPI component id. */
export function answerSchemasById(): Map<string, z.ZodType> {
  const byId = new Map<string, z.ZodType>();
  for (const schema of Object.values(answerSchemas)) {
    const id = z.globalRegistry.get(schema)?.id;
    if (typeof id === 'string') byId.set(id, schema);
  }
  return byId;
}

/** Every operation tagged "analyses"; one answering in no schema of the catalogue is an error. */
export function analysisOperations(doc: AnalysisDocument): AnalysisOperation[] {
  const byId = answerSchemasById();
  const found: AnalysisOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op.tags?.includes('analyses')) continue;
      const ref = op.responses['200']?.content?.['application/json']?.schema.$ref ?? '';
      const schemaId = ref.replace('#/components/schemas/', '');
      const schema = byId.get(schemaId);
      if (!schema) throw new Error(`${method} ${path} answers ${ref || 'no $ref'}, which is not an answer schema of the catalogue`);
      const params = op.parameters ?? [];
      const body = op.requestBody?.content['application/json']?.schema;
      found.push({
        method: method.toUpperCase() as 'GET' | 'POST',
        path,
        path_: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: p.required === true })),
        body: body ? { properties: body.properties ?? {}, required: body.required ?? [] } : undefined,
        schema,
        schemaId,
      });
    }
  }
  return found;
}

export interface AnalysisRequest {
  method: 'GET' | 'POST';
  url: string;
  payload?: Record<string, unknown>;
}

/** What an analysis request is about. */
export interface AnalysisTarget {
  /** The company of a company route ({id}); routes without one ignore it. */
  company: string;
  /** The nodes a scenario removes. */
  remove: string[];
  /** Every `limit` parameter (the routes cap it: 100 is within every cap); absent: the route's default. */
  limit?: number;
}

/**
 * The request asking `op` about the target, for tin. A parameter the rules here cannot fill and
 * the route requires is an error, so that a new route's needs are seen, not skipped.
 */
export function analysisRequest(op: AnalysisOperation, target: AnalysisTarget): AnalysisRequest {
  const unknownPath = op.path_.filter((p) => p !== 'id');
  if (unknownPath.length > 0) throw new Error(`${op.path}: no rule to fill path parameter ${unknownPath.join(', ')}`);
  const query = new URLSearchParams();
  for (const q of op.query) {
    if (q.name === 'metal') query.set('metal', 'tin');
    else if (q.name === 'limit') {
      if (target.limit !== undefined) query.set('limit', String(target.limit));
    } else if (q.required) throw new Error(`${op.path}: no rule to fill required query parameter ${q.name}`);
  }
  let payload: Record<string, unknown> | undefined;
  if (op.body) {
    payload = {};
    for (const name of Object.keys(op.body.properties)) {
      if (name === 'remove') payload.remove = target.remove;
      else if (name === 'metals') payload.metals = ['tin'];
      else if (op.body.required.includes(name)) throw new Error(`${op.path}: no rule to fill body property ${name}`);
    }
  }
  const path = op.path.replace(/^\/api\/v1/, '').replace('{id}', encodeURIComponent(target.company));
  return { method: op.method, url: `/api/v1${path}${query.size > 0 ? `?${query}` : ''}`, ...(payload ? { payload } : {}) };
}
