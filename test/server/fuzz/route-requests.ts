/**
 * Requests for one operation of the OpenAPI document, for routes-fuzz.test.ts: valid (to reach
 * the route's real work), nearly valid (one thing wrong) or garbage, as fast-check arbitraries.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { NODE_CSV_COLUMNS, RELATIONSHIP_CSV_COLUMNS } from '../../../server/exporters/graph-export.js';
import { absoluteForm, percentEncodePath } from '../plugins/raw-http.js';
import { fixtureNodes } from '../stores/graph-store-contract.js';
import {
  CONTENT_TYPES,
  edgyString,
  encodeComponent,
  GARBAGE_BODIES,
  multipartPayload,
  percentEncode,
  type SchemaArbitraries,
  type FuzzRequest,
  type JsonSchema,
  type KnownIds,
  type OpenApiOperation,
} from './openapi-arbitraries.js';

export const known: KnownIds = {
  companies: fixtureNodes.filter((n) => n.label === 'Company').map((n) => n.id),
  smelters: fixtureNodes.filter((n) => n.label === 'Smelter').map((n) => n.id),
  countries: fixtureNodes.filter((n) => n.label === 'Country').map((n) => n.id),
};

const WORKBOOK = readFileSync(new URL('../../fixtures/cmrt/cmrt-6.4_central-glass_2024-05-10.xlsx', import.meta.url));

type Mode = 'valid' | 'nearly' | 'garbage';

/** With probability p (a whole number of percent), `arb`'s value, else null. */
function sometimes<T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | null> {
  if (percent <= 0) return fc.constant(null);
  if (percent >= 100) return arb;
  return fc.oneof({ weight: percent, arbitrary: arb }, { weight: 100 - percent, arbitrary: fc.constant(null) });
}

/** One of two arbitraries, the second with probability `percent`. */
function mostly<T>(usual: fc.Arbitrary<T>, rare: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T> {
  if (percent <= 0) return usual;
  if (percent >= 100) return rare;
  return fc.oneof({ weight: 100 - percent, arbitrary: usual }, { weight: percent, arbitrary: rare });
}

/** A CSV file for the graph import: a header of known and unknown columns, rows of edgy cells. */
function csvFile(part: string): fc.Arbitrary<Buffer> {
  const columns = (part === 'relationships' ? RELATIONSHIP_CSV_COLUMNS : NODE_CSV_COLUMNS).map((c) => c.name);
  const ids = [...known.companies, ...known.smelters, ...known.countries];
  const cellValue = fc.oneof(
    fc.constantFrom(
      '',
      'Company',
      'Smelter',
      'Country',
      'SUPPLIES',
      'LOCATED_IN',
      'tin',
      'gold',
      'JP',
      'DE',
      '0.5',
      '1',
      '2',
      '-1',
      'true',
      'a|b',
      'conformant',
      '2024-05-10',
      ...ids,
    ),
    edgyString(40),
  );
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return fc
    .tuple(
      fc.shuffledSubarray([...columns, 'unknownColumn', ''], { minLength: 1 }),
      fc.integer({ min: 0, max: 6 }),
      fc.array(cellValue, { minLength: 0, maxLength: 60 }),
      fc.constantFrom('\r\n', '\n', '\r'),
      fc.boolean(),
    )
    .map(([header, rows, cells, eol, bom]) => {
      const lines = [header.map(quote).join(',')];
      for (let r = 0; r < rows; r++)
        lines.push(header.map((_, c) => quote(cells[(r * header.length + c) % Math.max(cells.length, 1)] ?? '')).join(','));
      return Buffer.from(`${bom ? '\ufeff' : ''}${lines.join(eol)}${eol}`, 'utf8');
    });
}

function fileContent(schema: JsonSchema, name: string): fc.Arbitrary<Buffer> {
  const bytes = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b));
  if (schema.contentMediaType === 'text/csv') return fc.oneof({ weight: 4, arbitrary: csvFile(name) }, { weight: 1, arbitrary: bytes });
  if (schema.contentMediaType?.includes('spreadsheetml')) {
    return fc.oneof(
      { weight: 6, arbitrary: bytes },
      {
        weight: 3,
        arbitrary: fc.constantFrom(Buffer.from('PK\u0003\u0004'), Buffer.from(`PK\u0005\u0006${'\u0000'.repeat(18)}`), Buffer.alloc(0)),
      },
      // A real workbook now and then (slow to parse), sometimes cut short.
      { weight: 1, arbitrary: fc.constantFrom(WORKBOOK, WORKBOOK.subarray(0, WORKBOOK.length >> 1)) },
    );
  }
  return bytes;
}

/** How often each part of a request is broken, by mode (percent). */
const BROKEN: Record<Mode, { value: number; missing: number; body: number }> = {
  valid: { value: 0, missing: 0, body: 0 },
  nearly: { value: 25, missing: 15, body: 50 },
  garbage: { value: 50, missing: 50, body: 70 },
};

interface ParamValue {
  raw: unknown;
  text: string;
  bad: boolean;
}

/** Every request one operation may get: built once per operation, no arbitrary made per value. */
export function requestsFor(op: OpenApiOperation, arbs: SchemaArbitraries): fc.Arbitrary<FuzzRequest> {
  return spelledTargets(
    fc.oneof(
      { weight: 2, arbitrary: requestsIn('valid', op, arbs) },
      { weight: 2, arbitrary: requestsIn('nearly', op, arbs) },
      { weight: 1, arbitrary: requestsIn('garbage', op, arbs) },
    ),
  );
}

/**
 * The same requests with their targets spelled as the router also takes them (Trust issue,
 * finding 1): random unreserved characters of the path percent-encoded (`/%61pi/…`), or the
 * absolute form a proxy sends (`http://host/api/…`, over a socket: inject would normalise it).
 * The kind says which: `…/encoded`, `…/absolute`.
 */
export function spelledTargets(requests: fc.Arbitrary<FuzzRequest>): fc.Arbitrary<FuzzRequest> {
  const spelling = fc.oneof(
    { weight: 6, arbitrary: fc.constant('plain' as const) },
    { weight: 2, arbitrary: fc.constant('encoded' as const) },
    { weight: 1, arbitrary: fc.constant('absolute' as const) },
    { weight: 1, arbitrary: fc.constant('absolute-encoded' as const) },
  );
  const picks = fc.array(fc.boolean(), { minLength: 1, maxLength: 64 });
  return fc.tuple(requests, spelling, picks, fc.boolean()).map(([req, how, chosen, overSocket]): FuzzRequest => {
    if (how === 'plain') return req;
    const encoded = how === 'absolute' ? req.url : percentEncodePath(req.url, (_c, i) => chosen[i % chosen.length]!);
    const absolute = how.startsWith('absolute');
    return {
      ...req,
      url: absolute ? absoluteForm(encoded, 'fuzz.example') : encoded,
      // Encoded targets go both ways: through inject, and as written over a socket.
      via: absolute || overSocket ? 'socket' : 'inject',
      kind: `${req.kind}/${how}`,
    };
  });
}

/** Only valid requests for one operation: what reaches the route's real work when allowed. */
export function validRequestsFor(op: OpenApiOperation, arbs: SchemaArbitraries): fc.Arbitrary<FuzzRequest> {
  return requestsIn('valid', op, arbs);
}

function requestsIn(mode: Mode, op: OpenApiOperation, arbs: SchemaArbitraries): fc.Arbitrary<FuzzRequest> {
  const route = `${op.method} ${op.path}`;
  const rate = BROKEN[mode];
  const malformedEncoding = mode !== 'valid';

  const encoded = (value: fc.Arbitrary<unknown>, bad: boolean): fc.Arbitrary<ParamValue> =>
    encodeComponent(value, bad || malformedEncoding).map((v) => ({ ...v, bad }));
  const paramValue = (schema: JsonSchema, name: string): fc.Arbitrary<ParamValue> => {
    // `policy` is a risk-policy override as one JSON-encoded string: a valid one is the JSON of a
    // RiskPolicyOverride, a broken one anything.
    const override = name === 'policy' ? arbs.component('RiskPolicyOverrideInput') : undefined;
    const good = override ? arbs.valid(override).map((v) => JSON.stringify(v) ?? '') : arbs.valid(schema);
    const bad = override ? arbs.invalid(override).map((v) => JSON.stringify(v) ?? '') : arbs.invalid(schema);
    return mostly(encoded(good, false), encoded(bad, true), rate.value);
  };

  // Path: every {param}.
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const pathValues = fc.tuple(...pathParams.map((p) => paramValue(p.schema, p.name).map((v) => ({ name: p.name, ...v }))));

  // Query: each parameter absent, valid or not; extra and repeated keys now and then. A cursor is
  // opaque (the nextCursor of a previous page): a valid request mostly leaves it out.
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const query = fc
    .tuple(
      ...queryParams.map((p) => {
        const pair = paramValue(p.schema, p.name).map((v) => `${percentEncode(p.name)}=${v.text}`);
        const present = p.required ? 100 - rate.missing : mode === 'valid' && p.name === 'cursor' ? 10 : 50;
        return sometimes(pair, present);
      }),
      sometimes(
        fc.tuple(edgyString(20), encodeComponent(edgyString(20), malformedEncoding)).map(([k, v]) => `${percentEncode(k)}=${v.text}`),
        mode === 'valid' ? 5 : 30,
      ),
      sometimes(
        fc.constantFrom(...queryParams.map((p) => p.name), 'limit').map((k) => `${k}=1&${k}=2`),
        mode === 'valid' ? 0 : 20,
      ),
    )
    .map((parts) => parts.filter((p): p is string => p !== null).join('&'));

  // Body: JSON, multipart, or something else entirely.
  const jsonSchema = op.body['application/json'];
  const multipartSchema = op.body['multipart/form-data'];
  const hasBody = jsonSchema !== undefined || multipartSchema !== undefined;
  type Body = { payload?: string | Buffer; headers: Record<string, string>; kind: string };
  const bodies: fc.Arbitrary<Body>[] = [];
  if (jsonSchema) {
    const json = (value: fc.Arbitrary<unknown>, kind: string) =>
      value.map((v): Body => ({ payload: JSON.stringify(v) ?? 'null', headers: { 'content-type': 'application/json' }, kind }));
    bodies.push(mostly(json(arbs.valid(jsonSchema), 'json-valid'), json(arbs.invalid(jsonSchema), 'json-invalid'), rate.body));
  }
  if (multipartSchema) {
    const props = Object.entries(arbs.resolve(multipartSchema).properties ?? {});
    const partArbs = props.map(([name, schema]) => {
      const s = arbs.resolve(schema);
      const file = s.type === 'array' && s.items ? arbs.resolve(s.items) : s;
      const part = fc.record({
        name: fc.constant(name),
        fileName: fc.option(fc.oneof(fc.constantFrom(`${name}.csv`, `${name}.xlsx`), edgyString(30)), { nil: undefined, freq: 8 }),
        type: fc.constantFrom(file.contentMediaType ?? 'application/octet-stream', 'application/octet-stream', 'text/plain'),
        content: fileContent(file, name),
      });
      return fc.array(part, { minLength: 0, maxLength: s.type === 'array' ? 3 : 1 });
    });
    const extra = sometimes(
      fc.record({
        name: edgyString(20),
        fileName: fc.option(edgyString(20), { nil: undefined }),
        type: fc.constant('text/plain'),
        content: fc.string({ maxLength: 30 }).map((x) => Buffer.from(x)),
      }),
      mode === 'valid' ? 5 : 30,
    );
    bodies.push(
      fc.tuple(fc.tuple(...partArbs), extra, fc.constantFrom('oretraceFuzzBoundary', 'x', '--', 'a'.repeat(70))).map(
        ([parts, more, boundary]): Body => ({
          payload: multipartPayload([...parts.flat(), ...(more ? [more] : [])], boundary),
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
          kind: 'multipart',
        }),
      ),
    );
  }
  const garbage = fc
    .tuple(GARBAGE_BODIES, fc.constantFrom(...CONTENT_TYPES))
    .map(([payload, type]): Body => ({ payload, headers: type === '' ? {} : { 'content-type': type }, kind: 'garbage-body' }));
  const noBody = fc.constant<Body>({ headers: {}, kind: 'no-body' });
  const body: fc.Arbitrary<Body> = hasBody
    ? mode === 'garbage'
      ? fc.oneof(...bodies, garbage, noBody)
      : fc.oneof(
          ...bodies.map((arbitrary) => ({ weight: 8, arbitrary })),
          { weight: 1, arbitrary: garbage },
          { weight: 1, arbitrary: noBody },
        )
    : mode === 'garbage'
      ? fc.oneof(noBody, garbage)
      : noBody;

  const extraHeaders = sometimes(
    fc.oneof(
      fc.constantFrom<Record<string, string>>(
        { authorization: 'Bearer ' },
        { authorization: 'Bearer x' },
        { authorization: 'Basic Zm9vOmJhcg==' },
        { accept: 'application/xml' },
        { accept: '*/*' },
        { 'x-forwarded-for': '::1, 10.0.0.1' },
      ),
      edgyString(50).map((v) => ({ authorization: `Bearer ${v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')}` })),
    ),
    mode === 'garbage' ? 50 : 10,
  );

  return fc.tuple(pathValues, query, body, extraHeaders).map(([values, q, b, h]): FuzzRequest => {
    const p = values.reduce((url, v) => url.replace(`{${v.name}}`, v.text), op.path);
    let payload = b.payload;
    // A body may repeat the id of its path (PUT of an entity): a valid one repeats it exactly.
    const pathId = values.find((v) => v.name === 'id');
    if (pathId && !pathId.bad && b.kind === 'json-valid' && typeof payload === 'string') {
      const parsed = JSON.parse(payload) as unknown;
      if (parsed && typeof parsed === 'object' && 'id' in parsed) payload = JSON.stringify({ ...parsed, id: pathId.raw });
    }
    return {
      method: op.method,
      url: q ? `${p}?${q}` : p,
      headers: { ...b.headers, ...(h ?? {}) },
      ...(payload !== undefined ? { payload } : {}),
      route,
      kind: `${mode}/${b.kind}`,
    };
  });
}
