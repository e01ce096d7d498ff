/**
 * Requests written byte for byte on a TCP socket, for what app.inject (light-my-request) would
 * normalise: a percent-encoded path goes through as sent, and an absolute-form request line
 * (`POST http://host/api/… HTTP/1.1`) reaches Node's parser as a proxy would send it.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface RawRequest {
  method: string;
  /** The request target exactly as written on the request line. */
  target: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
}

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The port of an app listening on loopback (listen({ port: 0 }) first). */
export function portOf(app: FastifyInstance): number {
  return (app.server.address() as AddressInfo).port;
}

export function rawRequest(port: number, req: RawRequest): Promise<RawResponse> {
  const body = req.payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(req.payload) ? req.payload : Buffer.from(req.payload, 'utf8');
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, connection: 'close', ...req.headers };
  if (body.length > 0 || !['GET', 'HEAD', 'DELETE'].includes(req.method)) headers['content-length'] = String(body.length);
  const head = [`${req.method} ${req.target} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    // The server closes the connection after answering (connection: close), perhaps before reading the body.
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks), req.method === 'HEAD'));
      } catch (err) {
        reject(err);
      }
    });
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}

function parseResponse(raw: Buffer, headOnly: boolean): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '');
  if (!status) throw new Error(`not an HTTP/1.1 status line: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = headOnly ? Buffer.alloc(0) : raw.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { statusCode: Number(status[1]), headers, body: body.toString('utf8') };
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Every unreserved character of the path (not the query) that `pick` chooses, as %XX. */
export function percentEncodePath(url: string, pick: (char: string, index: number) => boolean): string {
  const q = url.indexOf('?');
  const [path, query] = q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q)];
  // An escape already there (%2F) stays as it is: its hex digits are not characters of the path.
  const tokens = path.match(/%[0-9A-Fa-f]{2}|[\s\S]/gu) ?? [];
  return (
    tokens
      .map((t, i) => (/^[A-Za-z0-9._~-]$/.test(t) && pick(t, i) ? `%${t.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : t))
      .join('') + query
  );
}

/** The absolute form of an origin-form target, as sent to a proxy. */
export function absoluteForm(url: string, host = 'x'): string {
  return `http://${host}${url}`;
}
