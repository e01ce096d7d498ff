/**
 * The embedded store's journal: what each write changed, one JSON line per write, appended to
 * `graph.journal` beside the graph file and fsync-ed before the write answers. Rewriting the whole
 * graph file on every write made a write cost the size of the graph (a 20k-relationship import into
 * a 400k-relationship graph spent most of its time serialising and syncing the other 380k); a
 * journal line costs the size of the write. Once the journal outgrows the graph file the store
 * folds it into a new graph file when writes pause (`JournalLimits`), so a client importing chunk
 * after chunk does not wait for that; past a hard bound it folds it at once, so opening never
 * replays more than a few graphs' worth.
 *
 * Crash safety: a line is whole once its newline is on disk. A crash during an append leaves a
 * last line without its newline (or cut short): opening drops it and cuts it off the file, so that
 * write never happened, as its caller was never told it did. Every line carries the version the
 * write produced; lines at or below the graph file's version are already in it (a crash after a
 * compaction renamed the new graph file but before it emptied the journal) and are skipped.
 */
import { open, readFile, rm, stat, truncate } from 'node:fs/promises';
import type { GraphNode, NodeLabel, Relationship } from '../../graph/model.js';

export const JOURNAL_NAME = 'graph.journal';

/** One change a write made, in the order it made them. */
export type JournalChange =
  /** A node added, or its stored value replaced by this one. */
  | { node: GraphNode }
  /** A relationship added, or its stored value replaced; with the labels of its ends, as keyed in memory. */
  | { relationship: Relationship; fromLabel: NodeLabel; toLabel: NodeLabel }
  /** A node removed with its relationships. */
  | { dropNode: { label: NodeLabel; id: string } }
  /** A relationship removed, by its key in memory. */
  | { dropEdge: string };

export interface JournalEntry {
  /** The store version after the write. */
  version: number;
  changes: JournalChange[];
}

/** When the journal is folded into a new graph file. */
export interface JournalLimits {
  /** Below this the journal stays (small graphs write only journal lines); opening replays 64 MB in about a second. */
  minBytes: number;
  /** Above max(minBytes, the graph file) it is folded once no write has come for this long. */
  idleMs: number;
  /** Above this × max(minBytes, the graph file) the next write folds it at once (writes that never pause). */
  hardFactor: number;
}

export const DEFAULT_JOURNAL_LIMITS: JournalLimits = { minBytes: 64 * 1024 * 1024, idleMs: 1000, hardFactor: 4 };

/** Whether the journal has outgrown the graph file: fold it when writes pause. */
export function shouldCompact(limits: JournalLimits, journalBytes: number, graphFileBytes: number): boolean {
  return journalBytes > Math.max(limits.minBytes, graphFileBytes);
}

/** Whether the next write must rewrite the graph file (and empty the journal) instead of appending. */
export function mustCompact(limits: JournalLimits, journalBytes: number, graphFileBytes: number): boolean {
  return journalBytes > limits.hardFactor * Math.max(limits.minBytes, graphFileBytes);
}

export function encodeEntry(entry: JournalEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** Appends one line and syncs it; on failure cuts the file back to `sizeBefore`, so no torn line stays behind. */
export async function appendEntry(path: string, line: string, sizeBefore: number): Promise<number> {
  const handle = await open(path, 'a');
  try {
    await handle.writeFile(line);
    await handle.datasync();
  } catch (err) {
    await handle.truncate(sizeBefore).catch(() => undefined);
    throw err;
  } finally {
    await handle.close();
  }
  return sizeBefore + Buffer.byteLength(line);
}

export interface JournalRead {
  entries: JournalEntry[];
  /** Bytes of the whole lines: the journal's size once a torn tail is cut off. */
  bytes: number;
}

/**
 * The journal's whole lines, and cuts a torn last line off the file. A line that is not an entry
 * anywhere but at the end means the file was damaged, not interrupted: refuse rather than guess.
 */
export async function readJournal(path: string): Promise<JournalRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], bytes: 0 };
    throw err;
  }
  const entries: JournalEntry[] = [];
  let start = 0;
  let whole = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end < 0) break; // a torn last line: the write it held never answered
    const line = text.slice(start, end);
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch (err) {
      throw new Error(`${path}: line ${entries.length + 1} is not a journal entry (${(err as Error).message}); refusing to start over it`);
    }
    start = end + 1;
    whole = start;
  }
  const bytes = Buffer.byteLength(text.slice(0, whole));
  if (whole < text.length) await truncate(path, bytes);
  return { entries, bytes };
}

export async function removeJournal(path: string): Promise<void> {
  await rm(path, { force: true });
}

export async function fileBytes(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}
