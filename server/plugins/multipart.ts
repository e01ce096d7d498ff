/**
 * multipart/form-data for uploads (CSV graph import, CMRT workbooks), registered once for the
 * whole app. The limits below are the defaults of every route: generous enough for any upload
 * the API takes, and each route tightens or widens them for itself by passing `limits` to
 * `request.parts({ limits })` or to `collectMultipartFiles(request, { limits })`.
 *
 * A part over its size limit, or a request with too many parts, is a 413 problem; a part with a
 * name the route does not take is a 400 naming the part.
 */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { DomainError, PayloadTooLargeError, ValidationError } from '../errors.js';

/** Bytes per file part (64 MiB, as much as a JSON import body). */
export const MULTIPART_FILE_SIZE_LIMIT = 64 * 1024 * 1024;
/** File parts per request. */
export const MULTIPART_FILES_LIMIT = 20;
/** Non-file fields per request. */
export const MULTIPART_FIELDS_LIMIT = 20;
/** Parts (files and fields together) per request. */
export const MULTIPART_PARTS_LIMIT = MULTIPART_FILES_LIMIT + MULTIPART_FIELDS_LIMIT;
/** Bytes per non-file field (1 MiB). */
export const MULTIPART_FIELD_SIZE_LIMIT = 1024 * 1024;

export interface MultipartLimits {
  fileSize: number;
  files: number;
  fields: number;
  parts: number;
  fieldSize: number;
}

export const DEFAULT_MULTIPART_LIMITS: Readonly<MultipartLimits> = {
  fileSize: MULTIPART_FILE_SIZE_LIMIT,
  files: MULTIPART_FILES_LIMIT,
  fields: MULTIPART_FIELDS_LIMIT,
  parts: MULTIPART_PARTS_LIMIT,
  fieldSize: MULTIPART_FIELD_SIZE_LIMIT,
};

/** One uploaded part, read into memory. */
export interface MultipartUpload {
  /** The name the client gave the file; undefined for a plain form field. */
  fileName: string | undefined;
  mimeType: string;
  bytes: Buffer;
}

function isUpload(value: unknown): value is MultipartUpload {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as MultipartUpload).bytes);
}

/**
 * The zod schema of one uploaded part, for a route's multipart/form-data body: validates what
 * collectMultipartFiles produced and documents the part in OpenAPI as a binary string.
 */
export function multipartFileSchema(description: string, mediaType: string) {
  return z
    .custom<MultipartUpload>(isUpload, 'must be a file part')
    .meta({ type: 'string', format: 'binary', contentMediaType: mediaType, description });
}

const LIMIT_ERRORS: Record<string, (limits: MultipartLimits) => string> = {
  FST_PARTS_LIMIT: (l) => `more than ${l.parts} parts`,
  FST_FILES_LIMIT: (l) => `more than ${l.files} file parts`,
  FST_FIELDS_LIMIT: (l) => `more than ${l.fields} form fields`,
};

/**
 * Read the parts of a multipart request into memory, keyed by part name. Only the names given are
 * taken, each once, as a file or as a plain field. Throws ValidationError (400) naming an unknown
 * or repeated part, PayloadTooLargeError (413) naming a part over the size limit or the limit on
 * the number of parts.
 */
export async function collectMultipartFiles<N extends string>(
  request: FastifyRequest,
  options: { names: readonly N[]; limits?: Partial<MultipartLimits> },
): Promise<Partial<Record<N, MultipartUpload>>> {
  const limits: MultipartLimits = { ...DEFAULT_MULTIPART_LIMITS, ...options.limits };
  const taken = new Set<string>(options.names);
  const collected: Partial<Record<N, MultipartUpload>> = {};
  const expected = options.names.map((n) => `"${n}"`).join(' and ');
  try {
    for await (const part of request.parts({ limits })) {
      const name = part.fieldname;
      if (!taken.has(name) || collected[name as N] !== undefined) {
        if (part.type === 'file') part.file.resume();
        const repeated = taken.has(name);
        throw new ValidationError(repeated ? `The part "${name}" is given twice` : `Unexpected part "${name}"`, [
          {
            path: `body.${name}`,
            message: repeated ? 'is given twice; send it once' : `is not a part this route takes; send parts named ${expected}`,
          },
        ]);
      }
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        collected[name as N] = { fileName: part.filename || undefined, mimeType: part.mimetype, bytes };
      } else {
        if (part.valueTruncated)
          throw new PayloadTooLargeError(`The part "${name}" is larger than ${limits.fieldSize} bytes`, [
            { path: `body.${name}`, message: `is larger than ${limits.fieldSize} bytes as a form field; send it as a file part` },
          ]);
        collected[name as N] = { fileName: undefined, mimeType: part.mimetype, bytes: Buffer.from(String(part.value), 'utf8') };
      }
    }
  } catch (err) {
    throw multipartLimitError(err, limits);
  }
  return collected;
}

/** @fastify/multipart's limit errors as our 413 problems naming the part; other errors unchanged. */
function multipartLimitError(err: unknown, limits: MultipartLimits): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    const name = (err as { part?: { fieldname?: string } }).part?.fieldname ?? 'file';
    return new PayloadTooLargeError(`The part "${name}" is larger than ${limits.fileSize} bytes`, [
      { path: `body.${name}`, message: `is larger than ${limits.fileSize} bytes` },
    ]);
  }
  if (typeof code === 'string' && code in LIMIT_ERRORS) {
    const message = `The request has ${LIMIT_ERRORS[code]!(limits)}`;
    return new PayloadTooLargeError(message, [{ path: 'body', message }]);
  }
  return err;
}

/**
 * Read every file part named `name` (a route that takes several files under one name, e.g. CMRT
 * workbooks), in order. Plain fields are ignored; any other part name is a 400 naming it; the
 * limits give 413s as in collectMultipartFiles.
 */
export async function collectMultipartFileList(
  request: FastifyRequest,
  options: { name: string; limits?: Partial<MultipartLimits> },
): Promise<MultipartUpload[]> {
  const limits: MultipartLimits = { ...DEFAULT_MULTIPART_LIMITS, ...options.limits };
  const files: MultipartUpload[] = [];
  try {
    for await (const part of request.parts({ limits })) {
      if (part.type !== 'file') continue;
      if (part.fieldname !== options.name) {
        part.file.resume();
        throw new ValidationError(`Unexpected part "${part.fieldname}"`, [
          { path: `body.${part.fieldname}`, message: `is not a part this route takes; send file parts named "${options.name}"` },
        ]);
      }
      files.push({ fileName: part.filename || undefined, mimeType: part.mimetype, bytes: await part.toBuffer() });
    }
  } catch (err) {
    throw multipartLimitError(err, limits);
  }
  return files;
}

async function multipart(app: FastifyInstance): Promise<void> {
  await app.register(fastifyMultipart, { limits: { ...DEFAULT_MULTIPART_LIMITS }, throwFileSizeLimit: true });
}

export default fp(multipart, { name: 'multipart' });

/** How long the multipart parser may hold the request body back without taking any of it. */
export const MULTIPART_STALL_MS = 5000;

/**
 * A multipart body the parser cannot read (no boundary, cut short, malformed part headers) is the
 * client's mistake: busboy's plain Errors would otherwise become 500s. And some malformed part
 * headers (a bare CR inside a file name, with a large part after it) make busboy stop without
 * finishing or failing, holding the request stream paused: when that lasts MULTIPART_STALL_MS
 * with no byte moving, the request is answered 400 instead of hanging until it times out.
 */
export async function unreadableAs400<T>(request: FastifyRequest, read: () => Promise<T>): Promise<T> {
  const unreadable = (why: string) =>
    new ValidationError(`The multipart/form-data body cannot be read: ${why}`, [
      { path: 'body', message: `is not readable multipart/form-data (${why})` },
    ]);
  let watch: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    // Stalled: the request stream is paused (the parser's backpressure) or ended, and no byte has
    // moved — from the socket, or through the stream's buffer — for MULTIPART_STALL_MS. A slow
    // client is not stalled: its stream flows, waiting for bytes; a fast one moves bytes.
    const raw = request.raw;
    const progress = () => `${raw.socket?.bytesRead ?? ''}/${raw.readableLength}/${raw.readableEnded}`;
    let last = progress();
    let since = Date.now();
    watch = setInterval(
      () => {
        const now = progress();
        const held = raw.readableFlowing === false || raw.readableEnded;
        if (!held || now !== last) {
          last = now;
          since = Date.now();
        } else if (Date.now() - since >= MULTIPART_STALL_MS) {
          reject(unreadable('its parser stopped part-way (a malformed part header?)'));
        }
      },
      Math.min(250, MULTIPART_STALL_MS),
    );
  });
  try {
    return await Promise.race([read(), watchdog]);
  } catch (err) {
    if (err instanceof DomainError || !(err instanceof Error)) throw err;
    throw unreadable(err.message);
  } finally {
    clearInterval(watch);
  }
}
