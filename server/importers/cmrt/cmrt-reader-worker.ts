/**
 * The body of the CMRT reader thread (cmrt-reader-thread.ts): reads one workbook per message and
 * answers with the plain CmrtDocument, or with the domain error the reader threw.
 */
import { parentPort } from 'node:worker_threads';
import { readCmrtWorkbook } from './cmrt-reader.js';
import { serializeReadError, type ReadReply, type ReadRequest } from './cmrt-reader-thread.js';

const port = parentPort;
if (!port) throw new Error('cmrt-reader-worker.ts runs as a worker thread');

port.on('message', (request: ReadRequest) => {
  void (async () => {
    let reply: ReadReply;
    try {
      reply = { id: request.id, document: await readCmrtWorkbook(request.bytes, request.options) };
    } catch (err) {
      reply = { id: request.id, error: serializeReadError(err) };
    }
    port.postMessage(reply);
  })();
});
