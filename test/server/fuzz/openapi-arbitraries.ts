/**
 * fast-check arbitraries for HTTP requests, derived from the app's OpenAPI document — which
 * fastify-type-provider-zod generates from the routes' zod schemas — so a new route or field is
 * fuzzed without touching the fuzz test. Each request is valid, nearly valid (one thing wrong) or
 * plain garbage, with a bias towards the edges: limits ±1, empty and over-long strings, control
 * characters, unknown and prototype-polluting keys, malformed JSON, percent-encoding and multipart.
 */
import fc from 'fast-check';

/** The part of JSON Schema (2020-12, as @fastify/swagger writes it) the generators read. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  contentMediaType?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

export interface OpenApiParameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface OpenApiOperation {
  method: string;
  /** The OpenAPI path, e.g. /api/v1/companies/{id}. */
  path: string;
  parameters: OpenApiParameter[];
  /** Media type → schema of the request body. */
  body: Record<string, JsonSchema>;
}

export interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { parameters?: OpenApiParameter[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>
  >;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface FuzzRequest {
  method: string;
  /** The request target as sent: origin form (`/api/…?…`) or absolute form (`http://host/api/…`). */
  url: string;
  /** How it is sent: app.inject, or written on a socket (absolute form, which inject would normalise). */
  via?: 'inject' | 'socket';
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** For the report: which route and what kind of request. */
  route: string;
  kind: string;
}

export function operationsOf(doc: OpenApiDocument): OpenApiOperation[] {
  const ops: OpenApiOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
      const body: Record<string, JsonSchema> = {};
      for (const [type, content] of Object.entries(op.requestBody?.content ?? {})) body[type] = content.schema;
      ops.push({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], body });
    }
  }
  return ops;
}

/** Ids that exist in the fixture graph, so that valid requests reach the store and the engine. */
export interface KnownIds {
  companies: string[];
  smelters: string[];
  countries: string[];
}

const CONTROL = ['\u0000', '\u0001', '\n', '\r', '\t', '\u007f', '\u0085', '\u001b[31m'];
const TRICKY = [
  '',
  ' ',
  '  padded  ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  "'",
  '"',
  '`',
  '\\',
  '/',
  '..',
  '%',
  '%00',
  '%zz',
  '&',
  '=',
  '?',
  '#',
  '|',
  ',',
  '"a,b"',
  '{}',
  '[]',
  '{"a":',
  '🦜',
  '\ud800',
  'e\u0301',
  '\u202e',
  'Ǆ',
  'İ',
  'ß',
  '北京',
  '}) DETACH DELETE n //',
  '$id',
];

/** Strings with a bias towards what breaks parsers. */
export function edgyString(maxLength = 300): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: Math.min(maxLength, 40) }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: Math.min(maxLength, 20) }) },
    { weight: 2, arbitrary: fc.constantFrom(...TRICKY) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.string({ maxLength: 5 }), fc.constantFrom(...CONTROL), fc.string({ maxLength: 5 })).map((p) => p.join('')),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('x'.repeat(maxLength), 'x'.repeat(maxLength + 1), 'é'.repeat(maxLength + 1), ' '.repeat(maxLength + 1)),
    },
  );
}

export class SchemaArbitraries {
  /** Arbitraries are built once per (schema, depth): building them is the costly part. */
  private readonly cache = new Map<string, WeakMap<JsonSchema, fc.Arbitrary<unknown>>>();

  private memo(kind: string, schema: JsonSchema, depth: number, build: () => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
    const key = `${kind}:${depth}`;
    let byKey = this.cache.get(key);
    if (!byKey) this.cache.set(key, (byKey = new WeakMap()));
    let arb = byKey.get(schema);
    if (!arb) byKey.set(schema, (arb = build()));
    return arb;
  }

  constructor(
    private readonly components: Record<string, JsonSchema>,
    private readonly known: KnownIds,
  ) {}

  /** A named component of the document, if it has one. */
  component(name: string): JsonSchema | undefined {
    return this.components[name];
  }

  resolve(schema: JsonSchema): JsonSchema {
    let s = schema;
    for (let i = 0; s.$ref && i < 20; i++) {
      const name = s.$ref.replace('#/components/schemas/', '');
      const target = this.components[name];
      if (!target) throw new Error(`the OpenAPI document has no component ${name}`);
      s = target;
    }
    return s;
  }

  private typeOf(s: JsonSchema): string | undefined {
    if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
    if (s.type) return s.type;
    if (s.properties) return 'object';
    if (s.items) return 'array';
    return undefined;
  }

  /** A string that fits `pattern` and the length limits, drawn from ids and codes the graph knows. */
  private stringFor(s: JsonSchema): fc.Arbitrary<string> {
    if (s.format === 'binary') return fc.string({ maxLength: 50 });
    if (s.format === 'date')
      return fc.oneof(
        fc.constant('2024-05-10'),
        fc.date({ noInvalidDate: true, min: new Date('1900-01-01'), max: new Date('2999-12-31') }).map((d) => d.toISOString().slice(0, 10)),
      );
    if (s.format === 'date-time')
      return fc.date({ noInvalidDate: true, min: new Date('1970-01-01'), max: new Date('2999-12-31') }).map((d) => d.toISOString());
    if (s.pattern === '^[A-Z]{2}$') return fc.oneof(fc.constantFrom(...this.known.countries), fc.stringMatching(/^[A-Z]{2}$/));
    if (s.pattern && /^\^\[A-Z\]\{2\}-/.test(s.pattern)) return fc.stringMatching(/^[A-Z]{2}-[A-Z0-9]{1,3}$/);
    const max = Math.min(s.maxLength ?? 60, 60);
    const min = s.minLength ?? 0;
    const ids = [...this.known.companies, ...this.known.smelters, ...this.known.countries];
    return fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...ids) },
      {
        weight: 2,
        arbitrary: fc
          .string({ minLength: Math.max(min, 1), maxLength: Math.max(max, 1) })
          .filter((x) => x.trim().length > 0 && !/\p{Cc}/u.test(x)),
      },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9 .-]{0,20}$/) },
    );
  }

  /** Values that satisfy the schema (mostly: a pattern it cannot follow is approximated). */
  valid(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
    return this.memo('valid', schema, depth, () => this.buildValid(schema, depth));
  }

  /** Values that break the schema in one place, or in several, or entirely. */
  invalid(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
    return this.memo('invalid', schema, depth, () => this.buildInvalid(schema, depth));
  }

  private buildValid(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const union = s.oneOf ?? s.anyOf;
    if (union) return fc.oneof(...union.map((u) => this.valid(u, depth + 1)));
    if (s.allOf) return this.valid({ ...s, allOf: undefined, ...Object.assign({}, ...s.allOf.map((x) => this.resolve(x))) }, depth + 1);
    switch (this.typeOf(s)) {
      case 'string':
        return this.stringFor(s);
      case 'integer': {
        const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000);
        const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1000);
        return fc.oneof(fc.constantFrom(min, max), fc.integer({ min, max: Math.min(max, min + 100) }), fc.integer({ min, max }));
      }
      case 'number': {
        const lo = s.minimum ?? s.exclusiveMinimum ?? -1e6;
        const hi = s.maximum ?? s.exclusiveMaximum ?? 1e6;
        const inside = fc
          .double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true })
          .filter(
            (x) =>
              (s.exclusiveMinimum === undefined || x > s.exclusiveMinimum) &&
              (s.exclusiveMaximum === undefined || x < s.exclusiveMaximum) &&
              !Object.is(x, -0),
          );
        const edges = [s.minimum, s.maximum].filter((x): x is number => x !== undefined);
        return edges.length > 0 ? fc.oneof(fc.constantFrom(...edges), inside) : inside;
      }
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const minLength = s.minItems ?? 0;
        const maxLength = Math.max(minLength, Math.min(s.maxItems ?? 4, depth > 2 ? 2 : 4));
        return fc.array(s.items ? this.valid(s.items, depth + 1) : fc.jsonValue({ maxDepth: 1 }), { minLength, maxLength });
      }
      case 'object': {
        const props = s.properties ?? {};
        const required = new Set(s.required ?? []);
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) record[k] = this.valid(v, depth + 1);
        const base = fc.record(record, { requiredKeys: [...required].filter((k) => k in props) });
        if (s.additionalProperties && typeof s.additionalProperties === 'object') {
          const extra = fc.dictionary(
            s.propertyNames ? (this.valid(s.propertyNames, depth + 1) as fc.Arbitrary<string>) : fc.string({ maxLength: 10 }),
            this.valid(s.additionalProperties, depth + 1),
            { maxKeys: 3 },
          );
          return fc.tuple(base, extra).map(([a, b]) => ({ ...b, ...a }));
        }
        return base;
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  private buildInvalid(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    const wrongType = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.constantFrom(1e308, -1e308, 0.1, -0, 2 ** 53 + 1),
      edgyString(),
      fc.constant([]),
      fc.constant({}),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const type = this.typeOf(s);
    const union = s.oneOf ?? s.anyOf;
    const options: fc.Arbitrary<unknown>[] = [wrongType];
    if (union) options.push(...union.map((u) => this.invalid(u, depth + 1)));
    if (type === 'string' || s.enum) {
      options.push(edgyString((s.maxLength ?? 200) + 1));
      if (s.maxLength !== undefined && s.maxLength <= 100_000) options.push(fc.constant('y'.repeat(s.maxLength + 1)));
    }
    if (type === 'integer' || type === 'number') {
      const edges = [s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum].filter((x): x is number => x !== undefined);
      options.push(
        fc.constantFrom(...edges.flatMap((e) => [e - 1, e + 1, e - 1e-9, e + 1e-9, e]), 0.5, -1, 1e21, Number.MAX_SAFE_INTEGER + 2),
      );
      options.push(fc.constantFrom('1', '1e3', 'Infinity', '0x10', ' 5 ', ''));
    }
    if (type === 'array' && depth < 3) {
      const item = s.items ?? {};
      options.push(fc.array(this.invalid(item, depth + 1), { minLength: 1, maxLength: 3 }));
      options.push(
        fc.tuple(fc.array(this.valid(item, depth + 1), { maxLength: 3 }), this.invalid(item, depth + 1)).map(([ok, bad]) => [...ok, bad]),
      );
      if (s.minItems !== undefined && s.minItems > 0) options.push(fc.constant([]));
      if (s.maxItems !== undefined && s.maxItems < 2000)
        options.push(this.valid(item, depth + 1).map((v) => Array.from({ length: s.maxItems! + 1 }, () => v)));
    }
    if (type === 'object' && depth < 3) {
      const props = Object.keys(s.properties ?? {});
      const valid = this.valid(s, depth + 1) as fc.Arbitrary<Record<string, unknown>>;
      if (props.length > 0) {
        // One property wrong.
        options.push(
          fc.oneof(
            ...props.map((key) =>
              fc.tuple(valid, this.invalid(s.properties![key]!, depth + 1)).map(([obj, bad]) => ({ ...obj, [key]: bad })),
            ),
          ),
        );
        // A required property missing.
        const required = s.required ?? [];
        if (required.length > 0)
          options.push(
            fc
              .tuple(valid, fc.constantFrom(...required))
              .map(([obj, key]) => Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key))),
          );
      }
      // Unknown and prototype-polluting keys (as JSON text makes them: own properties).
      options.push(
        fc
          .tuple(
            valid,
            fc.constantFrom('__proto__', 'constructor', 'prototype', 'unknownField', 'label', 'type', ''),
            fc.jsonValue({ maxDepth: 2 }),
          )
          .map(([obj, key, value]) => {
            const out = { ...obj };
            Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
            return out;
          }),
      );
    }
    return fc.oneof(...options);
  }
}

/** encodeURIComponent for any string, lone surrogates included (as UTF-8 of U+FFFD, as Buffer does). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.!~*'()]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const BROKEN_ENCODINGS = ['%', '%zz', '%E0%A4%A', '%C0%80', '%00', '%FF%FE', '%2F..%2F', '%u0041', '+'];

/** How to encode a query value or path segment; with `malformed`, sometimes broken encoding. */
export function encodings(malformed: boolean): fc.Arbitrary<(value: unknown) => string> {
  const asText = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
  const plain = (value: unknown) => percentEncode(asText(value));
  if (!malformed) return fc.constant(plain);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(plain) },
    { weight: 1, arbitrary: fc.constantFrom(...BROKEN_ENCODINGS).map((broken) => () => broken) },
    { weight: 1, arbitrary: fc.constant((value: unknown) => asText(value).replace(/[&#?%/]/g, '')) },
  );
}

/** The encoded form of a value, as encodings() makes it. */
export function encodeComponent(value: fc.Arbitrary<unknown>, malformed: boolean): fc.Arbitrary<{ raw: unknown; text: string }> {
  return fc.tuple(value, encodings(malformed)).map(([raw, encode]) => ({ raw, text: encode(raw) }));
}

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'text/csv',
  'application/problem+json',
  '',
  ';;;',
];

/** Request bodies that are not JSON documents at all. */
export const GARBAGE_BODIES: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '0',
    '"text"',
    '[]',
    '{',
    '{"nodes": [',
    '{"a":1}{"b":2}',
    '\u0000',
    '{"__proto__": {"polluted": true}}',
    '{"constructor": {"prototype": {"polluted": true}}}',
  ),
  fc.constant('['.repeat(5000) + ']'.repeat(5000)),
  fc.constant(`{"nodes": [${'{"label":"Company"},'.repeat(2000)}{}]}`),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.string({ maxLength: 200 }),
);

export function multipartPayload(
  parts: Array<{ name: string; fileName?: string | undefined; type?: string; content: Buffer }>,
  boundary: string,
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      `form-data; name="${p.name.replace(/"/g, '%22')}"` +
      `${p.fileName !== undefined ? `; filename="${p.fileName.replace(/"/g, '%22')}"` : ''}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`),
      p.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
