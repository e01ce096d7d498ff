/**
 * The single place where errors become HTTP answers: RFC 9457 application/problem+json, with the
 * offending fields named. Domain errors (server/errors.ts) carry their own status; the engine's
 * errors (graph/errors.ts: an unknown id) are mapped here; request validation errors become 400;
 * anything unexpected is a 500 whose detail never leaks internals.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  AnalysisTimeoutError,
  DomainError,
  StoreUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  type FieldProblem,
} from '../errors.js';
import type { Problem } from '../../contract/http.js';
import { UnknownNodeError, UnsolvableCycleError } from '../../graph/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `urn:oretrace:problem:${code}`;
}

const CONTEXT_PREFIX: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** "/relationships/3/to" in the body → "body.relationships[3].to" */
function fieldPath(context: string | undefined, instancePath: string): string {
  const parts = instancePath.split('/').filter((p) => p !== '');
  let path = CONTEXT_PREFIX[context ?? 'body'] ?? context ?? 'body';
  for (const part of parts) path += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  return path;
}

/** Where in the HTTP request each engine request field that can name an unknown node comes from. */
const ENGINE_FIELD_PATHS: Record<string, string> = { remove: 'body.remove' };

/** An id the snapshot does not hold: 404, naming the request field when the id was one of a list. */
function unknownNodeProblem(error: UnknownNodeError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = error.field === undefined ? undefined : (ENGINE_FIELD_PATHS[error.field] ?? error.field);
  const fields = path === undefined ? undefined : [{ path, message: `no node has id "${error.id}"` }];
  return sendProblem(reply, request, 404, 'not-found', 'Not found', error.message, fields);
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: string,
  title: string,
  detail?: string,
  errors?: FieldProblem[],
): FastifyReply {
  const body: Problem = { type: problemType(code), title, status, instance: request.url };
  if (detail !== undefined) body.detail = detail;
  if (errors && errors.length > 0) body.errors = errors;
  // Serialised here rather than through the route's response schema: problems have one shape everywhere.
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
}

/**
 * For Fastify's `frameworkErrors` server option: a URL that cannot be decoded (`/companies/%`) or
 * a path parameter over maxParamLength is refused by the router before any hook or error handler
 * runs, and without this Fastify answers in its own JSON shape instead of a problem.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const code = status === 414 ? 'uri-too-long' : 'bad-request';
  return sendProblem(reply, request, status, code, 'The request cannot be read', error.message);
}

async function problemDetails(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const fields = error.validation.map((v) => ({
        path: fieldPath(error.validationContext, v.instancePath),
        message: v.message ?? 'is invalid',
      }));
      const first = fields[0]!;
      return sendProblem(reply, request, 400, 'validation-failed', 'The request is not valid', `${first.path}: ${first.message}`, fields);
    }
    if (error instanceof UnknownNodeError) return unknownNodeProblem(error, request, reply);
    if (error instanceof UnsolvableCycleError) {
      request.log.warn({ err: error }, 'supply cycle the engine cannot solve');
      return sendProblem(reply, request, 422, 'unsolvable-cycle', 'The analysis cannot be solved on this graph', error.message);
    }
    if (error instanceof DomainError) {
      if (error instanceof StoreUnavailableError) {
        reply.header('Retry-After', String(error.retryAfter));
        request.log.warn({ err: error }, 'graph store unavailable');
      }
      if (error instanceof TooManyRequestsError || error instanceof AnalysisTimeoutError)
        reply.header('Retry-After', String(error.retryAfter));
      if (error instanceof UnauthorizedError) reply.header('WWW-Authenticate', 'Bearer realm="oretrace"');
      return sendProblem(reply, request, error.status, error.code, error.title, error.message, error.fields);
    }
    // Fastify's own client errors: malformed JSON, unsupported media type, body too large…
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = status === 413 ? 'payload-too-large' : status === 415 ? 'unsupported-media-type' : 'bad-request';
      return sendProblem(reply, request, status, code, 'The request cannot be read', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, request, 500, 'internal', 'Internal server error', 'The server failed to answer; the failure is logged.');
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, 404, 'not-found', 'Not found', `No route for ${request.method} ${request.url.split('?')[0]}`),
  );
}

export default fp(problemDetails, { name: 'problem-details' });
