import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import multipart, { collectMultipartFiles, DEFAULT_MULTIPART_LIMITS, type MultipartLimits } from '../../../server/plugins/multipart.js';
import problemDetails from '../../../server/plugins/problem-details.js';

async function form(parts: [string, string, 'file' | 'field'][]) {
  const f = new FormData();
  for (const [name, content, kind] of parts) {
    if (kind === 'field') f.append(name, content);
    else f.append(name, new Blob([content]), `${name}.txt`);
  }
  const response = new Response(f);
  return { payload: Buffer.from(await response.arrayBuffer()), headers: { 'content-type': response.headers.get('content-type')! } };
}

let app: FastifyInstance;
beforeAll(async () => {
  app = Fastify();
  await app.register(problemDetails);
  await app.register(multipart);
  const names = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
  // One route on the plugin's defaults, one that narrows them for itself.
  app.post('/defaults', async (request) => summary(await collectMultipartFiles(request, { names })));
  const narrow: Partial<MultipartLimits> = { fileSize: 10, files: 2, fields: 1, parts: 3, fieldSize: 5 };
  app.post('/narrow', async (request) => summary(await collectMultipartFiles(request, { names, limits: narrow })));
  app.post('/few-parts', async (request) => summary(await collectMultipartFiles(request, { names, limits: { parts: 2 } })));
  await app.ready();
});
afterAll(async () => app.close());

function summary(parts: Partial<Record<string, { fileName: string | undefined; bytes: Buffer }>>) {
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, { fileName: v!.fileName ?? null, text: v!.bytes.toString('utf8') }]));
}

describe('multipart plugin', () => {
  it('has generous, documented defaults', () => {
    expect(DEFAULT_MULTIPART_LIMITS).toEqual({ fileSize: 64 * 1024 * 1024, files: 20, fields: 20, parts: 40, fieldSize: 1024 * 1024 });
  });

  it('collects files and fields by part name', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/defaults',
      ...(await form([
        ['a', 'x'.repeat(1000), 'file'],
        ['b', 'hello', 'field'],
      ])),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ a: { fileName: 'a.txt', text: 'x'.repeat(1000) }, b: { fileName: null, text: 'hello' } });
  });

  it('a route narrows the limits for itself: 413 naming the part or the limit', async () => {
    const cases: [[string, string, 'file' | 'field'][], string, { path: string; message: string }][] = [
      [[['a', 'x'.repeat(11), 'file']], 'The part "a" is larger than 10 bytes', { path: 'body.a', message: 'is larger than 10 bytes' }],
      [
        [['a', 'toolong', 'field']],
        'The part "a" is larger than 5 bytes',
        { path: 'body.a', message: 'is larger than 5 bytes as a form field; send it as a file part' },
      ],
      [
        [
          ['a', '1', 'file'],
          ['b', '2', 'file'],
          ['c', '3', 'file'],
        ],
        'The request has more than 2 file parts',
        { path: 'body', message: 'The request has more than 2 file parts' },
      ],
      [
        [
          ['a', '1', 'field'],
          ['b', '2', 'field'],
        ],
        'The request has more than 1 form fields',
        { path: 'body', message: 'The request has more than 1 form fields' },
      ],
    ];
    for (const [parts, detail, field] of cases) {
      const res = await app.inject({ method: 'POST', url: '/narrow', ...(await form(parts)) });
      expect(res.statusCode, detail).toBe(413);
      expect(res.json()).toMatchObject({ status: 413, detail, errors: [field] });
    }
    // The same bodies pass on the defaults.
    const res = await app.inject({ method: 'POST', url: '/defaults', ...(await form([['a', 'x'.repeat(11), 'file']])) });
    expect(res.statusCode).toBe(200);
  });

  it('413 for too many parts', async () => {
    const parts: [string, string, 'file' | 'field'][] = [
      ['a', '1', 'file'],
      ['b', '2', 'field'],
      ['c', '3', 'file'],
    ];
    const res = await app.inject({ method: 'POST', url: '/few-parts', ...(await form(parts)) });
    expect(res.statusCode).toBe(413);
    expect(res.json().errors).toEqual([{ path: 'body', message: 'The request has more than 2 parts' }]);
  });
});
