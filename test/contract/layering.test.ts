/**
 * The import rules between the top-level folders (ARCHITECTURE.md, "The shape in one picture"):
 * the browser (web/) and the HTTP contract (contract/) never reach into the service (server/),
 * and the engine (graph/) imports none of the folders above it. Read from the source text of every
 * .ts file with the TypeScript scanner (ts.preProcessFile: import and export-from declarations,
 * type-only ones included, and import() calls), so a rule is broken the moment the line is written,
 * whether or not the bundle or a test happens to load the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** For each folder checked, the top-level folders it must not import from. */
const FORBIDDEN: Record<string, readonly string[]> = {
  web: ['server', 'seeds'],
  contract: ['server', 'web'],
  graph: ['server', 'seeds', 'web', 'contract'],
};

const SKIPPED_DIRS = new Set(['node_modules', 'dist']);

function tsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...tsFilesUnder(rel));
    } else if (entry.name.endsWith('.ts')) {
      out.push(rel);
    }
  }
  return out;
}

/** Every module specifier a source text names (imports, export-from, import(), reference paths). */
function specifiersOf(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return [...info.importedFiles, ...info.referencedFiles].map((f) => f.fileName);
}

interface Edge {
  from: string;
  /** Repository-relative path of the target (query such as `?raw` dropped). */
  to: string;
}

/** Relative imports of a file, as repository-relative targets; packages ('zod', 'node:fs') are not folders here. */
function edgesOf(file: string): Edge[] {
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return specifiersOf(source)
    .filter((s) => s.startsWith('.') || s.startsWith('/'))
    .map((s) => {
      const target = path.resolve(path.join(ROOT, path.dirname(file)), s.split('?')[0]!);
      return { from: file, to: path.relative(ROOT, target).split(path.sep).join('/') };
    });
}

const topFolder = (rel: string): string => (rel.startsWith('../') ? '(outside the repository)' : rel.split('/')[0]!);

const edges = Object.keys(FORBIDDEN).flatMap((dir) => tsFilesUnder(dir).flatMap(edgesOf));

describe('layering of the top-level folders', () => {
  it('reads import, export-from, type-only and dynamic imports', () => {
    const source = [
      "import type { A } from '../a.js';",
      'import {',
      '  B,',
      "} from '../../server/b.js';",
      "export { C } from './c.js';",
      "export * from '../d.js';",
      "const e = await import('../e.js');",
      "import table from '../f.csv?raw';",
      "import { z } from 'zod';",
      "// import { no } from '../commented-out.js';",
    ].join('\n');
    expect(specifiersOf(source)).toEqual(['../a.js', '../../server/b.js', './c.js', '../d.js', '../e.js', '../f.csv?raw', 'zod']);
  });

  it('sees the imports it checks (web/ reads its schemas from contract/)', () => {
    expect(edges).toContainEqual({ from: 'web/src/data/schemas.ts', to: 'contract/analyses.js' });
    expect(edges.some((e) => e.from.startsWith('graph/'))).toBe(true);
  });

  for (const [dir, forbidden] of Object.entries(FORBIDDEN)) {
    it(`${dir}/ imports nothing from ${forbidden.map((f) => `${f}/`).join(', ')}`, () => {
      const broken = edges
        .filter((e) => topFolder(e.from) === dir && (forbidden.includes(topFolder(e.to)) || topFolder(e.to).startsWith('(')))
        .map((e) => `${e.from} → ${e.to}`);
      expect(broken).toEqual([]);
    });
  }
});
