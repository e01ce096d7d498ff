/**
 * Reads CMRT/EMRT workbooks in a worker thread, so that an import never holds the service's event
 * loop: unzipping, exceljs and the reader's parsing of a hostile 25 MB workbook are seconds of CPU,
 * during which /health and every other request would wait. The main thread only posts the bytes
 * and gets back the plain CmrtDocument (structured-cloned) or the reader's domain error, rebuilt
 * with the same class, message and fields, so that routes and the CLI answer exactly as before.
 *
 * One thread, started on first use and kept (starting tsx and exceljs costs about half a second);
 * it is unreferenced while idle, so that it never keeps a process alive. Its heap is capped: a
 * workbook that needs more is refused (413) and the thread replaced, not the service killed.
 */
import { Worker } from 'node:worker_threads';
import { deserializeDomainError, PayloadTooLargeError, serializeDomainError, type SerializedDomainError } from '../../errors.js';
import type { CmrtDocument } from './cmrt-document.js';
import type { ReadCmrtOptions } from './cmrt-reader.js';

/** Heap of the reader thread: a 20,000-row CMRT needs a few hundred MB. */
const READER_HEAP_MB = 1536;

export interface ReadRequest {
  id: number;
  bytes: Uint8Array;
  options: ReadCmrtOptions;
}

/** How a reader error crosses the thread boundary. */
export type SerializedReadError = SerializedDomainError;

export type ReadReply = { id: number; document: CmrtDocument } | { id: number; error: SerializedReadError };

export const serializeReadError = serializeDomainError;

/** The error the reader threw, as its own class (it throws ValidationError, PayloadTooLargeError, UnprocessableError). */
export function deserializeReadError(e: SerializedReadError): Error {
  // Anything else is a bug, not the upload's fault: a 500 whose message the error handler never shows.
  return deserializeDomainError(e) ?? new Error(`reading the workbook failed: ${e.message}`);
}

interface PendingRead {
  fileName: string;
  resolve: (document: CmrtDocument) => void;
  reject: (err: Error) => void;
}

let worker: Worker | undefined;
const pending = new Map<number, PendingRead>();
let nextId = 1;

function spawn(): Worker {
  const thread = new Worker(new URL('./cmrt-reader-worker-bootstrap.mjs', import.meta.url), {
    workerData: { entry: new URL('./cmrt-reader-worker.ts', import.meta.url).href },
    resourceLimits: { maxOldGenerationSizeMb: READER_HEAP_MB },
  });
  thread.on('message', (reply: ReadReply) => {
    const read = pending.get(reply.id);
    if (!read) return;
    pending.delete(reply.id);
    if (pending.size === 0) thread.unref();
    if ('document' in reply) read.resolve(reply.document);
    else read.reject(deserializeReadError(reply.error));
  });
  const fail = (err: Error | undefined, code?: number): void => {
    if (worker === thread) worker = undefined;
    const outOfMemory = (err as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    for (const read of pending.values()) {
      read.reject(
        outOfMemory
          ? new PayloadTooLargeError(`${read.fileName} needs more than the ${READER_HEAP_MB} MB of memory a workbook may use`, [
              { path: read.fileName, message: 'workbook too large to read' },
            ])
          : new Error(`the CMRT reader thread ${err ? `crashed: ${err.message}` : `exited with code ${code}`}`),
      );
    }
    pending.clear();
  };
  thread.on('error', (err) => fail(err));
  thread.on('exit', (code) => fail(undefined, code));
  thread.unref();
  return thread;
}

/**
 * readCmrtWorkbook in the reader thread: the same document, or the same error. The bytes are
 * copied to the thread (the caller keeps its buffer).
 */
export function readCmrtWorkbookOffThread(bytes: Uint8Array, options: ReadCmrtOptions): Promise<CmrtDocument> {
  const thread = (worker ??= spawn());
  const id = nextId++;
  // Referenced while it reads, so that a CLI waiting for nothing else does not exit.
  thread.ref();
  return new Promise<CmrtDocument>((resolve, reject) => {
    pending.set(id, { fileName: options.fileName, resolve, reject });
    thread.postMessage({ id, bytes, options } satisfies ReadRequest);
  });
}

/** Workbooks being read in the reader thread now. */
export function cmrtReadsInFlight(): number {
  return pending.size;
}
