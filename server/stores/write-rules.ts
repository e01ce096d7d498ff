/**
 * The write rules both store adapters share, so that they cannot drift apart: parsing a batch
 * with row-precise errors, checking relationship ends, and the cursor format.
 */
import type { z } from 'zod';
import { endsAllowed, GraphNodeSchema, RelationshipSchema, type GraphNode, type NodeLabel, type Relationship } from '../../graph/model.js';
import { ConflictError, UnprocessableError, ValidationError, type FieldProblem } from '../errors.js';

/** A cap on problems listed in one error, so a million bad rows do not make a million-line answer. */
const MAX_LISTED_PROBLEMS = 50;

export function zodIssuesToFields(issues: readonly z.core.$ZodIssue[], prefix: string): FieldProblem[] {
  return issues.map((issue) => ({
    path: [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))]
      .join('')
      .replace(/^\./, '')
      .replace(/\.\[/g, '['),
    message: issue.message,
  }));
}

function parseRows<T>(schema: z.ZodType<T>, rows: readonly unknown[], path: string, what: string): T[] {
  const out: T[] = [];
  const problems: FieldProblem[] = [];
  rows.forEach((row, i) => {
    const result = schema.safeParse(row);
    if (result.success) out.push(result.data);
    else if (problems.length < MAX_LISTED_PROBLEMS) problems.push(...zodIssuesToFields(result.error.issues, `${path}[${i}]`));
  });
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new ValidationError(`Invalid ${what}: ${first.path}: ${first.message}`, problems.slice(0, MAX_LISTED_PROBLEMS));
  }
  return out;
}

export function parseNodes(rows: readonly unknown[], path = 'nodes'): GraphNode[] {
  return parseRows(GraphNodeSchema, rows, path, 'node');
}

export function parseRelationships(rows: readonly unknown[], path = 'relationships'): Relationship[] {
  return parseRows(RelationshipSchema, rows, path, 'relationship');
}

/** An import's rows parsed: as the caller parsed them (ImportOptions.parsed), else here. */
export function parseDocument(
  document: { nodes: readonly unknown[]; relationships: readonly unknown[] },
  parsed: { nodes: GraphNode[]; relationships: Relationship[] } | undefined,
): { nodes: GraphNode[]; relationships: Relationship[] } {
  if (
    parsed !== undefined &&
    parsed.nodes.length === document.nodes.length &&
    parsed.relationships.length === document.relationships.length
  )
    return parsed;
  return { nodes: parseNodes(document.nodes), relationships: parseRelationships(document.relationships) };
}

/** Ids a batch of relationships refers to, for one lookup of their labels. */
export function endIds(relationships: readonly Relationship[]): string[] {
  const ids = new Set<string>();
  for (const r of relationships) {
    ids.add(r.from);
    ids.add(r.to);
  }
  return [...ids];
}

/**
 * Check that every relationship's ends exist, are unambiguous, and are of kinds the model allows.
 * `labelsById` maps an id to the labels of the nodes that carry it (after the batch's own nodes are
 * counted): a map, or any lookup by id. Throws UnprocessableError naming each offending row.
 */
export function checkRelationshipEnds(
  relationships: readonly Relationship[],
  labelsById: Pick<ReadonlyMap<string, readonly NodeLabel[]>, 'get'>,
  path = 'relationships',
): void {
  const problems: FieldProblem[] = [];
  const endLabel = (id: string, field: string): NodeLabel | undefined => {
    const labels = labelsById.get(id) ?? [];
    if (labels.length === 0) problems.push({ path: field, message: `no node has id "${id}"` });
    else if (labels.length > 1) problems.push({ path: field, message: `id "${id}" is ambiguous: it names a ${labels.join(' and a ')}` });
    else return labels[0];
    return undefined;
  };
  relationships.forEach((r, i) => {
    if (problems.length >= MAX_LISTED_PROBLEMS) return;
    const fromLabel = endLabel(r.from, `${path}[${i}].from`);
    const toLabel = endLabel(r.to, `${path}[${i}].to`);
    if (fromLabel && toLabel && !endsAllowed(r.type, fromLabel, toLabel)) {
      problems.push({
        path: `${path}[${i}]`,
        message: `${r.type} cannot go from a ${fromLabel} to a ${toLabel}`,
      });
    }
  });
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new UnprocessableError(`${first.path}: ${first.message}`, problems);
  }
}

/** The ids of a batch of nodes, for one lookup of the labels that already hold them. */
export function nodeIds(nodes: readonly GraphNode[]): string[] {
  return [...new Set(nodes.map((n) => n.id))];
}

/**
 * Ids are unique across labels: relationships name their ends by id alone, so an id under two
 * labels would leave an import naming it unable to say which node it means (and the embedded
 * store could not tell, on loading, which of the two a relationship belonged to). Refuses every
 * node whose id a node of another label holds, in the store (`heldBy`: the stored labels of the
 * batch's ids) or earlier in the same batch. Throws ConflictError naming each such row.
 */
export function checkIdsFree(nodes: readonly GraphNode[], heldBy: ReadonlyMap<string, readonly NodeLabel[]>, path = 'nodes'): void {
  const problems: FieldProblem[] = [];
  const inBatch = new Map<string, { label: NodeLabel; index: number }>();
  nodes.forEach((node, i) => {
    if (problems.length >= MAX_LISTED_PROBLEMS) return;
    const holder = (heldBy.get(node.id) ?? []).find((label) => label !== node.label);
    const earlier = inBatch.get(node.id);
    if (holder !== undefined) {
      problems.push({ path: `${path}[${i}].id`, message: `id "${node.id}" is already held by a ${holder}` });
    } else if (earlier !== undefined && earlier.label !== node.label) {
      problems.push({
        path: `${path}[${i}].id`,
        message: `id "${node.id}" is already given to a ${earlier.label} by ${path}[${earlier.index}]`,
      });
    } else if (earlier === undefined) {
      inBatch.set(node.id, { label: node.label, index: i });
    }
  });
  if (problems.length > 0) {
    throw new ConflictError(`${problems[0]!.message}; ids are unique across labels`, problems);
  }
}

/** Labels by id for the nodes of a batch, merged into labels found in the store. */
export function mergeLabels(stored: ReadonlyMap<string, readonly NodeLabel[]>, batchNodes: readonly GraphNode[]): Map<string, NodeLabel[]> {
  const merged = new Map<string, NodeLabel[]>();
  for (const [id, labels] of stored) merged.set(id, [...labels]);
  for (const n of batchNodes) {
    const labels = merged.get(n.id) ?? [];
    if (!labels.includes(n.label)) labels.push(n.label);
    merged.set(n.id, labels);
  }
  return merged;
}

// Cursors are the sort key of the last item, opaque to clients: base64url of a JSON array.
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, parts: number): string[] | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === parts && key.every((k) => typeof k === 'string')) return key as string[];
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('Invalid cursor: pass back the nextCursor of a previous page unchanged', [
    { path: 'query.cursor', message: 'is not a cursor this service issued' },
  ]);
}

export function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** Defined with the page schema it bounds (contract/http.ts); the stores check it as well. */
export { MAX_PAGE_LIMIT } from '../../contract/http.js';

/**
 * The properties a caller actually sent, taken from the parsed (trimmed, checked) value. Parsing
 * fills defaults (rmapStatus "unknown", source "manual"…); a merge-upsert of an existing node or
 * relationship must not let those defaults overwrite stored values the caller did not mention.
 */
export function givenProperties<T extends object>(raw: unknown, parsed: T): Partial<T> {
  if (raw === null || typeof raw !== 'object') return {};
  const given: Partial<T> = {};
  for (const key of Object.keys(raw) as Array<keyof T>) {
    if (key in parsed && parsed[key] !== undefined) given[key] = parsed[key];
  }
  return given;
}
