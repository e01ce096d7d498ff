/**
 * Cypher injection is impossible by construction (issue 6, ARCHITECTURE.md, "Where to add"): values travel only as
 * parameters, and the only text spliced into queries is labels and relationship types from fixed
 * sets. This checks the source of the Neo4j adapter (so that a future edit cannot quietly splice
 * caller text into a query) and every query the builders can produce.
 *
 * The end-to-end counterpart, hostile strings in every field of every route against a real Neo4j,
 * is test/server/faults/cypher-injection.neo4j.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { NODE_LABELS, RELATIONSHIP_TYPES } from '../../../graph/model.js';
import * as cypher from '../../../server/stores/neo4j-cypher.js';

const CYPHER_FILE = fileURLToPath(new URL('../../../server/stores/neo4j-cypher.ts', import.meta.url));
const STORE_FILE = fileURLToPath(new URL('../../../server/stores/neo4j-store.ts', import.meta.url));

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => walk(child, visit));
}

const text = (sf: ts.SourceFile, n: ts.Node) => n.getText(sf).replace(/\s+/g, ' ');

/**
 * Every expression neo4j-cypher.ts may splice into query text, and why it cannot carry caller
 * text. A new interpolation fails this test until it is reviewed and added here.
 */
const ALLOWED_INTERPOLATIONS: Record<string, string> = {
  'cypherLabel(label)': 'looks the label up in the frozen LABEL_TEXT table; throws for anything else',
  'cypherLabel(fromLabel)': 'same',
  'cypherLabel(toLabel)': 'same',
  'cypherLabel(f)': 'same, over ALLOWED_ENDS of the model',
  'cypherLabel(t)': 'same, over ALLOWED_ENDS of the model',
  'cypherLabel(l)': 'same, over NODE_LABELS',
  'String(label)': 'only in the TypeError message of cypherLabel, never in a query',
  'label.toLowerCase()': 'constraint names, over the NODE_LABELS constant',
  META_LABEL: 'the constant "OretraceMeta"',
  l: 'const l = cypherLabel(label)',
  variable: "typed 'a' | 'b', passed as literals",
  param: "typed '$from' | '$to', passed as literals",
  "parts.join(' OR ')": 'constant predicate texts',
  "where.join(' AND ')": 'constant predicate texts',
  pattern: 'one of three constant patterns chosen by the direction enum',
  "metal ? '\\nWHERE r.metal = $metal' : ''": 'a constant predicate, chosen by a boolean',
  rows: 'Math.max(1, Math.floor(batch)) of a number',
  "ALLOWED_ENDS.SUPPLIES.map( ([f, t]) => ` MATCH (:${cypherLabel(f)} {id: $from})-[r:SUPPLIES {metal: $metal}]->(:${cypherLabel(t)} {id: $to}) RETURN r`, ).join('\\n UNION ALL\\n')":
    'label pairs of the model',
  "NODE_LABELS.map((l) => ` MATCH (${variable}:${cypherLabel(l)} {id: ${param}}) RETURN ${variable}`).join('\\n UNION ALL\\n')":
    'labels of the model',
  "NODE_LABELS.map((l) => `n:${cypherLabel(l)}`).join(' OR ')": 'labels of the model',
  END_FLAGS_EXPRESSION: 'a constant expression over fixed relationship types',
  BY_END_IDS: 'a constant UNWIND/MATCH prefix whose values are all parameters',
  "mode === 'replace' ? 'SET n = row.props' : 'SET n += row.given'": 'one of two constant clauses chosen by the mode enum',
};

describe('neo4j-cypher.ts splices only fixed texts into queries', () => {
  it('interpolates nothing but reviewed, closed-set expressions', () => {
    const sf = parse(CYPHER_FILE);
    const found = new Set<string>();
    walk(sf, (n) => {
      if (ts.isTemplateSpan(n)) found.add(text(sf, n.expression));
    });
    const unreviewed = [...found].filter((e) => !Object.hasOwn(ALLOWED_INTERPOLATIONS, e));
    expect(unreviewed, 'new interpolations in neo4j-cypher.ts: review them and list them above').toEqual([]);
    expect(found.size).toBeGreaterThan(10);
  });

  it('builds queries only from closed-set arguments (labels, modes, directions, booleans, a batch size)', () => {
    const sf = parse(CYPHER_FILE);
    const allowedTypes = new Set([
      'NodeLabel',
      "'merge' | 'replace'",
      "'upstream' | 'downstream' | 'both'",
      'boolean',
      'ListNodesOptions',
      'ListSuppliesOptions',
      'number',
      "'a' | 'b'",
      "'$from' | '$to'",
      'unknown', // isNodeLabel: a guard, returns a boolean, builds no query
      'readonly string[]', // modelLabelOf: picks a label out of a record's labels, builds no query
    ]);
    const seen: string[] = [];
    walk(sf, (n) => {
      if (ts.isFunctionDeclaration(n)) {
        for (const p of n.parameters) {
          const type = p.type ? text(sf, p.type) : '(untyped)';
          seen.push(`${n.name?.text}(${text(sf, p.name)}: ${type})`);
          expect(allowedTypes, `${n.name?.text}: parameter ${text(sf, p.name)}`).toContain(type);
        }
      }
    });
    expect(seen.length).toBeGreaterThan(10);
  });

  it('refuses any label outside the model, whatever it looks like', () => {
    for (const hostile of [
      'Company) DETACH DELETE n //',
      'Company`',
      '`Company`',
      'company',
      '__proto__',
      'constructor',
      'toString',
      'OretraceMeta',
      '',
      ' Company',
    ]) {
      expect(() => cypher.cypherLabel(hostile as never), hostile).toThrow(TypeError);
      expect(cypher.isNodeLabel(hostile)).toBe(false);
    }
    for (const label of NODE_LABELS) expect(cypher.cypherLabel(label)).toBe(label);
  });
});

/** Every query text the builders can produce. */
function everyQuery(): string[] {
  const queries: string[] = [
    ...cypher.CONSTRAINTS,
    cypher.ENSURE_META,
    cypher.BUMP_VERSION_AT,
    cypher.BUMP_MISSING_VERSION,
    cypher.FIND_META,
    cypher.LOCK_VERSION_AT,
    cypher.CREATE_AND_LOCK_META,
    cypher.READ_VERSION,
    cypher.LOCK_VERSION,
    cypher.FIND_BY_ID,
    cypher.DELETE_SUPPLIES,
    cypher.CENTER_CANDIDATES,
    cypher.SCAN_SUPPLIES,
    cypher.SCAN_LOCATED_IN,
    ...cypher.COUNT_QUERIES,
    ...cypher.clearQueries(1000),
    cypher.updateNodesQuery('merge'),
    cypher.updateNodesQuery('replace'),
    cypher.CREATE_SUPPLIES,
    cypher.MERGE_SUPPLIES,
    cypher.CREATE_LOCATED_IN,
    cypher.MERGE_LOCATED_IN,
  ];
  const bools = [false, true];
  for (const label of NODE_LABELS) {
    queries.push(cypher.seekIdsQuery(label), cypher.scanIdsQuery(label), cypher.countLabelQuery(label), cypher.createNodesQuery(label));
    queries.push(cypher.getNodeQuery(label), cypher.deleteNodeQuery(label), cypher.scanNodesQuery(label));
    for (const after of bools)
      for (const search of bools)
        for (const country of bools)
          for (const metal of bools)
            for (const rmapStatus of bools)
              for (const cahra of bools) queries.push(cypher.listNodesQuery(label, { after, search, country, metal, rmapStatus, cahra }));
  }
  for (const from of bools)
    for (const to of bools)
      for (const metal of bools) for (const after of bools) queries.push(cypher.listSuppliesQuery({ from, to, metal, after }));
  for (const direction of ['upstream', 'downstream', 'both'] as const)
    for (const metal of bools) queries.push(cypher.neighborhoodHopQuery(direction, metal));
  return queries;
}

describe('every query the adapter can send', () => {
  const queries = everyQuery();

  it('names only the labels and relationship types of the model', () => {
    const allowed = new Set<string>([...NODE_LABELS, ...RELATIONSHIP_TYPES, cypher.META_LABEL]);
    for (const q of queries) {
      // `(n:Label`, `[r:TYPE`, `n:Label OR`, `r:SUPPLIES|LOCATED_IN`: a colon glued to a name.
      for (const m of q.matchAll(/[\w)\]]?:([A-Za-z_]\w*(?:\|[A-Za-z_]\w*)*)/g)) {
        if (/^\s/.test(q.slice(m.index! + m[0].indexOf(':') + 1))) continue;
        for (const name of m[1]!.split('|')) expect(allowed, `${name} in\n${q}`).toContain(name);
      }
      expect(q, 'no backtick-quoted names').not.toContain('`');
    }
  });

  it('takes values only as parameters from a fixed list', () => {
    const params = new Set([
      'id',
      'ids',
      'rows',
      'metaId',
      'eid',
      'from',
      'to',
      'metal',
      'search',
      'country',
      'rmapStatus',
      'cahra',
      'after',
      'afterFrom',
      'afterTo',
      'afterMetal',
      'limit',
      'frontier',
      'a',
      'b',
      'share',
      'source',
      'givenShare',
      'givenSource',
      'updatedAt',
    ]);
    for (const q of queries) {
      for (const m of q.matchAll(/\$(\w+)/g)) expect(params, `$${m[1]} in\n${q}`).toContain(m[1]);
      // No quoted string literals except the label names of FIND_BY_ID / CENTER_CANDIDATES.
      for (const m of q.matchAll(/'([^']*)'/g)) expect(NODE_LABELS as readonly string[], `literal '${m[1]}' in\n${q}`).toContain(m[1]);
      expect(q).not.toMatch(/"/);
    }
    expect(queries.length).toBeGreaterThan(250);
  });
});

/**
 * The tx.run / session.run calls of an adapter's source whose query is not provably text from
 * ./neo4j-cypher.js (an imported constant or builder call, a fixed literal, or a variable or
 * parameter bound only to such), with their line numbers.
 */
function unprovenRuns(source: string): string[] {
  const sf = ts.createSourceFile('store.ts', source, ts.ScriptTarget.Latest, true);
  const imported = new Set<string>();
  walk(sf, (n) => {
    if (ts.isImportDeclaration(n) && (n.moduleSpecifier as ts.StringLiteral).text === './neo4j-cypher.js') {
      const named = n.importClause?.namedBindings;
      if (named && ts.isNamedImports(named)) for (const e of named.elements) imported.add(e.name.text);
    }
  });
  const FIXED = new Set(["'RETURN 1 AS ok'", "'CALL db.awaitIndexes(300)'"]);
  const functions = new Map<string, ts.SignatureDeclaration>();
  const calls: ts.CallExpression[] = [];
  walk(sf, (n) => {
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name && ts.isIdentifier(n.name)) functions.set(n.name.text, n);
    if (ts.isCallExpression(n)) calls.push(n);
  });
  const calleeName = (c: ts.CallExpression) =>
    ts.isIdentifier(c.expression) ? c.expression.text : ts.isPropertyAccessExpression(c.expression) ? c.expression.name.text : undefined;
  const importedCall = (e: ts.Expression) => ts.isCallExpression(e) && ts.isIdentifier(e.expression) && imported.has(e.expression.text);

  const fromCypher = (expr: ts.Expression, depth = 0): boolean => {
    if (depth > 8) return false;
    if (ts.isParenthesizedExpression(expr)) return fromCypher(expr.expression, depth + 1);
    if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return FIXED.has(`'${expr.text}'`);
    if (ts.isConditionalExpression(expr)) return fromCypher(expr.whenTrue, depth + 1) && fromCypher(expr.whenFalse, depth + 1);
    if (ts.isCallExpression(expr)) return importedCall(expr);
    if (!ts.isIdentifier(expr)) return false; // template literals, concatenation, property reads…
    const name = expr.text;
    if (imported.has(name)) return true;
    // The nearest binding of `name` in the scopes around this use.
    for (let scope: ts.Node | undefined = expr.parent; scope; scope = scope.parent) {
      let verdict: boolean | undefined;
      const find = (n: ts.Node): void => {
        if (verdict !== undefined) return;
        if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name) {
          const loop = n.parent.parent;
          if (ts.isForOfStatement(loop))
            verdict = (ts.isIdentifier(loop.expression) && imported.has(loop.expression.text)) || importedCall(loop.expression);
          else verdict = n.initializer !== undefined && fromCypher(n.initializer, depth + 1);
          return;
        }
        if (ts.isParameter(n) && ts.isIdentifier(n.name) && n.name.text === name) {
          const fn = n.parent;
          const index = fn.parameters.indexOf(n);
          const fnName = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : undefined;
          const uses = calls.filter((c) => fnName !== undefined && calleeName(c) === fnName && functions.get(fnName) === fn);
          verdict = uses.length > 0 && uses.every((c) => c.arguments[index] !== undefined && fromCypher(c.arguments[index]!, depth + 1));
          return;
        }
        // Bindings inside nested functions are not visible here.
        if (!(ts.isFunctionLike(n) && n !== scope)) ts.forEachChild(n, find);
      };
      if (ts.isFunctionLike(scope)) for (const p of scope.parameters) find(p);
      ts.forEachChild(scope, (child) => {
        if (!ts.isParameter(child)) find(child);
      });
      if (verdict !== undefined) return verdict;
    }
    return false;
  };

  const problems: string[] = [];
  for (const run of calls.filter((c) => ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === 'run')) {
    const line = sf.getLineAndCharacterOfPosition(run.getStart(sf)).line + 1;
    const query = run.arguments[0];
    if (!query || !fromCypher(query)) problems.push(`line ${line}: run(${query ? text(sf, query) : ''})`);
  }
  return problems;
}

describe('neo4j-store.ts runs only queries of neo4j-cypher.ts', () => {
  it('passes every tx.run / session.run a query built by neo4j-cypher.ts, never text it builds itself', () => {
    const source = readFileSync(STORE_FILE, 'utf8');
    expect(unprovenRuns(source)).toEqual([]);
    expect(source.match(/\.run\(/g)!.length).toBeGreaterThan(15);
  });

  it('the check itself flags queries built from caller text', () => {
    const store = (body: string) => `import { getNodeQuery, READ_VERSION } from './neo4j-cypher.js';
class S {
  async ok(tx, label, id) { await tx.run(getNodeQuery(label), { id }); await tx.run(READ_VERSION); }
  async bad(tx, id, label) { ${body} }
}`;
    expect(unprovenRuns(store(''))).toEqual([]);
    const hostile = [
      "await tx.run(`MATCH (n {id: '${id}'}) RETURN n`);",
      "await tx.run('MATCH (n:' + label + ') RETURN n');",
      'const q = `MATCH (n:${label})`; await tx.run(q);',
      'await tx.run(id);',
      "await tx.run('MATCH (n) DETACH DELETE n');",
      'await this.helper(tx, `MATCH (n:${label})`); } async helper(tx, query) { await tx.run(query);',
      'for (const q of [label]) await tx.run(q);',
    ];
    for (const body of hostile) expect(unprovenRuns(store(body)), body).toHaveLength(1);
  });
});
