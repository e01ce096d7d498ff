/**
 * The embedded store's journal: what each write changed, one JSON line per write, appended to
 * `graph.journal` beside the graph file and fsync-ed before the write answers. Rewriting the whole
 * graph file on every write made a write cost the size of the graph (a 20k-relationship import into
 * a 400k-relationship graph spent most of its time serialising and syncing the other 380k); a
 * journal line costs the size of the write. The store folds the journal into a new graph file once
 * the journal outgrows it (`shouldCompact`), so opening replays at most about one graph's worth.
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

/** Below this size the journal is never folded into the graph file (small graphs write only journal lines); opening replays 64 MB in about a second. */
const MIN_COMPACTION_BYTES = 64 * 1024 * 1024;

/** Whether the next write should rewrite the graph file (and empty the journal) instead of appending. */
export function shouldCompact(journalBytes: number, graphFileBytes: number): boolean {
  return journalBytes > Math.max(MIN_COMPACTION_BYTES, graphFileBytes);
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
