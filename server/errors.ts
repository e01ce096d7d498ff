/**
 * The one error vocabulary of oretrace. Stores, importers and routes throw these; a single error
 * handler (server/plugins/problem-details.ts) turns them into RFC 9457 problem+json responses.
 * Anything else that escapes is a 500 whose message is never shown to the client.
 */

/** One offending input, named so a client can point at it. */
export interface FieldProblem {
  /** Where the problem is, e.g. "body.relationships[3].to" or "query.limit". */
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** Short, stable, machine-readable; the `type` URI of the problem ends with it. */
  abstract readonly code: string;
  abstract readonly title: string;
  readonly fields: FieldProblem[];

  constructor(message: string, fields: FieldProblem[] = []) {
    super(message);
    this.name = new.target.name;
    this.fields = fields;
  }
}

/** Malformed input: wrong type, missing field, value out of range. */
export class ValidationError extends DomainError {
  readonly status = 400;
  readonly code = 'validation-failed';
  readonly title = 'The request is not valid';
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'not-found';
  readonly title = 'Not found';
}

/**
 * Well-formed input that cannot be applied to the graph as it is: a relationship whose end does
 * not exist, ends of the wrong kind, an id that names two different nodes.
 */
export class UnprocessableError extends DomainError {
  readonly status = 422;
  readonly code = 'unprocessable';
  readonly title = 'The request cannot be applied to the graph';
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'payload-too-large';
  readonly title = 'The request is too large';
}

/** The store cannot be reached; the request may succeed later. */
export class StoreUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'store-unavailable';
  readonly title = 'The graph store is unavailable';
  /** Seconds a client should wait before retrying. */
  readonly retryAfter: number;

  constructor(message: string, retryAfter = 5) {
    super(message);
    this.retryAfter = retryAfter;
  }
}

/** No API key, or one that no configured key matches. */
export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthorized';
  readonly title = 'An API key is needed';
}

/** A valid API key whose role may not do this. */
export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
  readonly title = 'This API key may not do that';
}

export class TooManyRequestsError extends DomainError {
  readonly status = 429;
  readonly code = 'too-many-requests';
  readonly title = 'Too many requests';
  /** Seconds a client should wait before retrying. */
  readonly retryAfter: number;

  constructor(message: string, retryAfter: number) {
    super(message);
    this.retryAfter = retryAfter;
  }
}

/**
 * The write conflicts with what the graph already holds: an id that a node of another label
 * holds (ids are unique across labels, as relationships name their ends by id alone).
 */
export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'conflict';
  readonly title = 'The request conflicts with the graph';
}

/**
 * An analysis ran past its deadline (ANALYSIS_TIMEOUT_MS): its worker was stopped and replaced.
 * 503: the same request may succeed on a less busy service.
 */
export class AnalysisTimeoutError extends DomainError {
  readonly status = 503;
  readonly code = 'analysis-timeout';
  readonly title = 'The analysis took longer than its time limit (ANALYSIS_TIMEOUT_MS)';
  /** Seconds a client should wait before retrying. */
  readonly retryAfter: number;

  constructor(message: string, retryAfter: number) {
    super(message);
    this.retryAfter = retryAfter;
  }
}

/**
 * An analysis filled the heap its worker may use (ANALYSIS_HEAP_MB): the worker was replaced.
 * 422 rather than 503: only the running analysis grows a worker's heap, so the same request on the
 * same graph would need as much again; a smaller one (a lower limit or maxDepth) may fit.
 */
export class AnalysisMemoryError extends DomainError {
  readonly status = 422;
  readonly code = 'analysis-memory-limit';
  readonly title = 'The analysis needed more memory than its limit (ANALYSIS_HEAP_MB)';
}

/** How a domain error crosses a worker-thread boundary (analysis pool, CMRT reader, smelter matcher). */
export interface SerializedDomainError {
  /** The error's class name, or 'Error' for anything that is not a DomainError. */
  kind: string;
  message: string;
  fields: FieldProblem[];
}

export function serializeDomainError(err: unknown): SerializedDomainError {
  if (err instanceof DomainError) return { kind: err.name, message: err.message, fields: err.fields };
  return { kind: 'Error', message: err instanceof Error ? err.message : String(err), fields: [] };
}

/** The domain errors a worker may throw, rebuilt by class name (those made of a message and fields). */
const CARRIED: Record<string, new (message: string, fields?: FieldProblem[]) => DomainError> = {
  ValidationError,
  NotFoundError,
  UnprocessableError,
  PayloadTooLargeError,
  ConflictError,
};

/** The domain error as its own class, or undefined when `kind` names none of them (a bug: the caller says whose). */
export function deserializeDomainError(e: SerializedDomainError): DomainError | undefined {
  const ErrorClass = CARRIED[e.kind];
  return ErrorClass ? new ErrorClass(e.message, e.fields) : undefined;
}
