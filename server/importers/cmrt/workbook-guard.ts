/**
 * Opens an uploaded .xlsx safely before exceljs sees it. exceljs (through JSZip) inflates every
 * part of the package into memory and trusts the sizes the zip declares, so a hostile or broken
 * upload could exhaust the server: a decompression bomb (a small zip that inflates to gigabytes),
 * a zip whose central directory lies about its sizes, or a sheet with millions of cells. This
 * module reads the zip central directory itself, checks the declared sizes against limits, then
 * inflates every entry as a stream, counting bytes and discarding them, so that memory stays
 * bounded whatever the file holds. Only a package that passes is handed to exceljs, and only the
 * parts its relationships reference (withOnlySheets rebuilds the zip from them).
 *
 * It also reads a few parts without exceljs (sheet names, shared strings, rows of one sheet,
 * streamed), so that the CMRT reader can count smelter rows before loading a workbook whole.
 */
import { Readable } from 'node:stream';
import { crc32, createInflateRaw, deflateRawSync } from 'node:zlib';
import { PayloadTooLargeError, ValidationError } from '../../errors.js';

export interface WorkbookLimits {
  /** Size of the .xlsx file itself. */
  maxCompressedBytes: number;
  /** Sum of the uncompressed sizes the zip declares for its entries. */
  maxUncompressedBytes: number;
  /** Largest uncompressed/compressed ratio allowed for an entry of at least `ratioCheckMinBytes`. */
  maxCompressionRatio: number;
  /** Entries smaller than this are not ratio-checked (tiny XML parts compress very well). */
  ratioCheckMinBytes: number;
  /** Entries in the zip (a CMRT has about 90). */
  maxEntries: number;
  /** `<c>` elements over all worksheets (a blank CMRT has about 105,000, an EMRT 183,000). */
  maxWorksheetCells: number;
}

const MiB = 1024 * 1024;

/** Largest .xlsx upload accepted (the routes and the CLI refuse bigger files before reading them). */
export const MAX_CMRT_UPLOAD_BYTES = 25 * MiB;

export const DEFAULT_WORKBOOK_LIMITS: Readonly<WorkbookLimits> = Object.freeze({
  maxCompressedBytes: MAX_CMRT_UPLOAD_BYTES,
  maxUncompressedBytes: 200 * MiB,
  maxCompressionRatio: 100,
  ratioCheckMinBytes: 1 * MiB,
  maxEntries: 10_000,
  maxWorksheetCells: 1_500_000,
});

export interface ZipEntryInfo {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the entry's data (after its local header) in the file. */
  dataOffset: number;
}

/** A cell of a streamed worksheet row, as in the XML: column letters, `t` attribute, raw text of `<v>`/`<is>`. */
export interface RawCell {
  column: string;
  /** The `t` attribute: 's' shared string, 'str' formula string, 'inlineStr', 'b', 'e', 'n'/undefined number. */
  type: string | undefined;
  /** Text of `<v>` (or of the inline string), entities decoded; undefined when the cell has no value. */
  value: string | undefined;
  hasFormula: boolean;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

const INFLATE_CHUNK = 64 * 1024;
/** The start of a worksheet cell element, `<c ` / `<c>` / `<c/>`, with an optional namespace prefix. */
const CELL_START = /<(?:\w+:)?c[\s/>]/g;

/** The calculation chain: a list of formula cells (`<c r="A1" i="1"/>`) that exceljs never reads. */
const CALCULATION_CHAIN = 'xl/calcChain.xml';

/** The relationships part of a part: "xl/workbook.xml" → "xl/_rels/workbook.xml.rels"; "" (the package) → "_rels/.rels". */
function relationshipsPartOf(part: string): string {
  const slash = part.lastIndexOf('/');
  return `${part.slice(0, slash + 1)}_rels/${part.slice(slash + 1)}.rels`;
}

/** The part a relationship target names, relative to its source part ("../drawings/d.xml", "/xl/x.xml", "a%20b.xml"). */
function resolvePartName(source: string, target: string): string {
  let decoded = target.split('#')[0]!;
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // A malformed escape names no part; compared as written.
  }
  const base = decoded.startsWith('/') ? [] : source.split('/').slice(0, -1);
  for (const piece of decoded.split('/')) {
    if (piece === '' || piece === '.') continue;
    if (piece === '..') base.pop();
    else base.push(piece);
  }
  return base.join('/');
}

function mb(bytes: number): string {
  return (bytes / MiB).toFixed(1);
}

function notXlsx(fileName: string, why: string): ValidationError {
  return new ValidationError(`not an .xlsx file: ${fileName} ${why}`, [{ path: fileName, message: why }]);
}

function tooLarge(fileName: string, message: string): PayloadTooLargeError {
  return new PayloadTooLargeError(message, [{ path: fileName, message }]);
}

// ---------------------------------------------------------------------------------------------
// Central directory

function findEndOfCentralDirectory(buf: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  const lowest = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= lowest; i--) {
    if (buf.readUInt32LE(i) === SIG_EOCD) return i;
  }
  return -1;
}

function readCentralDirectory(buf: Buffer, fileName: string, limits: WorkbookLimits): ZipEntryInfo[] {
  const corrupt = (why: string): ValidationError => notXlsx(fileName, `is a damaged zip archive (${why})`);
  const eocd = findEndOfCentralDirectory(buf);
  if (eocd < 0) throw corrupt('no end of central directory record: truncated?');
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || buf.readUInt32LE(locator) !== SIG_ZIP64_LOCATOR) throw corrupt('zip64 locator missing');
    const z64 = Number(buf.readBigUInt64LE(locator + 8));
    if (z64 + 56 > buf.length || buf.readUInt32LE(z64) !== SIG_ZIP64_EOCD) throw corrupt('zip64 end record missing');
    count = Number(buf.readBigUInt64LE(z64 + 32));
    cdSize = Number(buf.readBigUInt64LE(z64 + 40));
    cdOffset = Number(buf.readBigUInt64LE(z64 + 48));
  }
  if (count > limits.maxEntries) {
    throw tooLarge(fileName, `${fileName} has ${count} zip entries, more than the ${limits.maxEntries} a workbook may have`);
  }
  if (cdOffset + cdSize > buf.length) throw corrupt('central directory outside the file');

  const entries: ZipEntryInfo[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== SIG_CENTRAL) throw corrupt(`central directory entry ${i + 1} is malformed`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let compressedSize = buf.readUInt32LE(p + 20);
    let uncompressedSize = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    let localOffset = buf.readUInt32LE(p + 42);
    const end = p + 46 + nameLength + extraLength + commentLength;
    if (end > buf.length) throw corrupt(`central directory entry ${i + 1} runs past the end`);
    // Bit 11: UTF-8 names. Without it the name is CP437, which is ASCII for every OOXML part name.
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength);
    // Zip64 extra field: the 0xffffffff sizes/offset are given there, in this order.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const size = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (): number => {
          if (q + 8 > e + 4 + size) throw corrupt(`zip64 field of ${name} is short`);
          const v = Number(buf.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localOffset === 0xffffffff) localOffset = next();
      }
      e += 4 + size;
    }
    p = end;
    if (flags & 0x1) {
      throw notXlsx(fileName, `has encrypted zip entries (${name}); save the workbook without a password`);
    }
    if (method !== 0 && method !== 8) throw corrupt(`${name} uses compression method ${method}`);
    if (localOffset + 30 > buf.length || buf.readUInt32LE(localOffset) !== SIG_LOCAL) {
      throw corrupt(`local header of ${name} is missing`);
    }
    const dataOffset = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    if (dataOffset + compressedSize > buf.length) throw corrupt(`data of ${name} runs past the end`);
    entries.push({ name, method, crc32: crc, compressedSize, uncompressedSize, dataOffset });
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// XML helpers (for the few parts read without exceljs)

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return XML_ENTITIES[ref] ?? whole;
  });
}

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    out.set(m[1]!, decodeXmlText(m[3] ?? m[4] ?? ''));
  }
  return out;
}

/** Text of the `<t>` elements of a shared string or inline string, without phonetic runs. */
function stringItemText(xml: string): string {
  const withoutPhonetic = xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '');
  let text = '';
  for (const m of withoutPhonetic.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)) text += m[1];
  return decodeXmlText(text);
}

function columnOf(ref: string): string {
  const m = /^([A-Z]+)/.exec(ref);
  return m ? m[1]! : '';
}

function rowOf(ref: string): number {
  const m = /(\d+)$/.exec(ref);
  return m ? Number(m[1]) : NaN;
}

export function columnLetters(index: number): string {
  let s = '';
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Writing (for withOnlySheets)

interface ZipOutputEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** The entry's data as stored in the zip (compressed when method is 8). */
  data: Buffer;
}

function deflatedEntry(name: string, text: string): ZipOutputEntry {
  const raw = Buffer.from(text, 'utf8');
  const data = deflateRawSync(raw);
  return { name, method: 8, crc32: crc32(raw), compressedSize: data.length, uncompressedSize: raw.length, data };
}

function writeZip(entries: readonly ZipOutputEntry[]): Buffer {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(SIG_LOCAL, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt16LE(0x21, 12); // 1980-01-01: the date carries no meaning here
    local.writeUInt32LE(e.crc32 >>> 0, 14);
    local.writeUInt32LE(e.compressedSize, 18);
    local.writeUInt32LE(e.uncompressedSize, 22);
    local.writeUInt16LE(name.length, 26);
    chunks.push(local, name, e.data);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(SIG_CENTRAL, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(e.method, 10);
    header.writeUInt16LE(0x21, 14);
    header.writeUInt32LE(e.crc32 >>> 0, 16);
    header.writeUInt32LE(e.compressedSize, 20);
    header.writeUInt32LE(e.uncompressedSize, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += 30 + name.length + e.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(SIG_EOCD, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, directory, end]);
}

// ---------------------------------------------------------------------------------------------
// The package

export class XlsxPackage {
  readonly fileName: string;
  readonly entries: ReadonlyMap<string, ZipEntryInfo>;
  /** `<c>` elements counted over every entry but the calculation chain while the package was checked. */
  worksheetCells = 0;
  private readonly bytes: Buffer;

  constructor(bytes: Buffer, fileName: string, entries: ZipEntryInfo[]) {
    this.bytes = bytes;
    this.fileName = fileName;
    this.entries = new Map(entries.map((e) => [e.name, e]));
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * The inflated content of an entry in chunks of at most 64 KiB. Throws PayloadTooLargeError
   * as soon as the entry inflates to more than its declared size (a lying central directory).
   */
  async *chunks(name: string): AsyncGenerator<Buffer> {
    const entry = this.entries.get(name);
    if (!entry) throw notXlsx(this.fileName, `has no part ${name}`);
    const data = this.bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.uncompressedSize) {
        throw notXlsx(this.fileName, `is a damaged zip archive (stored entry ${name} has two sizes)`);
      }
      for (let i = 0; i < data.length; i += INFLATE_CHUNK) yield data.subarray(i, i + INFLATE_CHUNK);
      return;
    }
    const input = Readable.from(
      (function* () {
        for (let i = 0; i < data.length; i += INFLATE_CHUNK) yield data.subarray(i, i + INFLATE_CHUNK);
      })(),
    );
    const inflate = createInflateRaw({ chunkSize: INFLATE_CHUNK });
    input.on('error', (err) => inflate.destroy(err));
    input.pipe(inflate);
    let total = 0;
    try {
      for await (const chunk of inflate as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > entry.uncompressedSize) {
          throw tooLarge(
            this.fileName,
            `decompression bomb: ${name} in ${this.fileName} ` +
              `inflates to more than the ${entry.uncompressedSize} bytes its zip directory declares`,
          );
        }
        yield chunk;
      }
    } catch (err) {
      if (err instanceof PayloadTooLargeError) throw err;
      throw notXlsx(this.fileName, `is a damaged zip archive (${name} does not inflate: ${(err as Error).message})`);
    } finally {
      input.destroy();
      inflate.destroy();
    }
    if (total !== entry.uncompressedSize) {
      throw notXlsx(this.fileName, `is a damaged zip archive (${name} inflates to ${total} bytes, not ${entry.uncompressedSize})`);
    }
  }

  /** A whole (small) entry as UTF-8 text. */
  async text(name: string): Promise<string> {
    const parts: Buffer[] = [];
    for await (const chunk of this.chunks(name)) parts.push(chunk);
    return Buffer.concat(parts).toString('utf8');
  }

  /** The sheets of the workbook in order: name, relationship id, part name ("xl/worksheets/sheet5.xml"). */
  async sheets(): Promise<Array<{ name: string; rid: string; part: string }>> {
    const workbook = await this.text('xl/workbook.xml');
    const rels = this.has('xl/_rels/workbook.xml.rels') ? await this.text('xl/_rels/workbook.xml.rels') : '';
    const targets = new Map<string, string>();
    for (const m of rels.matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
      const a = attributes(m[0]);
      const id = a.get('Id');
      const target = a.get('Target');
      if (id && target) targets.set(id, (target.startsWith('/') ? target.slice(1) : `xl/${target}`).replace(/\/\.\//g, '/'));
    }
    const sheets: Array<{ name: string; rid: string; part: string }> = [];
    for (const m of workbook.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
      const a = attributes(m[0]);
      const name = a.get('name');
      const rid = [...a.entries()].find(([k]) => k.endsWith(':id'))?.[1];
      const part = rid ? targets.get(rid) : undefined;
      if (name !== undefined && rid !== undefined && part !== undefined) sheets.push({ name, rid, part });
    }
    return sheets;
  }

  /**
   * The entries the package's relationships reach, from `_rels/.rels` through every part's own
   * `_rels/*.rels` (internal targets only), never entering the parts in `skip`; plus
   * `[Content_Types].xml` and the workbook with its relationships, which exceljs reads by name.
   * exceljs picks what to parse by unanchored name patterns ("xl/worksheets/sheet99.xml.bak" is a
   * sheet to it), so it must never see an entry the workbook does not reference.
   */
  async referencedParts(skip: ReadonlySet<string> = new Set()): Promise<Set<string>> {
    const byLowerName = new Map<string, string>();
    for (const name of this.entries.keys()) if (!byLowerName.has(name.toLowerCase())) byLowerName.set(name.toLowerCase(), name);
    // OPC part names compare case-insensitively: an exact name first, else the same name in other case.
    const entryNamed = (part: string): string | undefined => (this.entries.has(part) ? part : byLowerName.get(part.toLowerCase()));
    const reached = new Set<string>();
    const keep = (name: string | undefined): void => {
      if (name !== undefined && this.entries.has(name)) reached.add(name);
    };
    keep('[Content_Types].xml');
    keep('xl/workbook.xml');
    const queue: string[] = [''];
    const visited = new Set<string>();
    while (queue.length > 0) {
      const source = queue.shift()!;
      if (visited.has(source)) continue;
      visited.add(source);
      const relsName = entryNamed(relationshipsPartOf(source));
      if (relsName === undefined) continue;
      keep(relsName);
      for (const m of (await this.text(relsName)).matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
        const a = attributes(m[0]);
        const target = a.get('Target');
        if (target === undefined || a.get('TargetMode') === 'External') continue;
        const part = entryNamed(resolvePartName(source, target));
        if (part === undefined || skip.has(part) || part === CALCULATION_CHAIN) continue;
        keep(part);
        queue.push(part);
      }
    }
    return reached;
  }

  /** Sheet name (as in the workbook) → part name ("xl/worksheets/sheet5.xml"), in workbook order. */
  async sheetParts(): Promise<Map<string, string>> {
    return new Map((await this.sheets()).map((s) => [s.name, s.part]));
  }

  /**
   * The package with only the worksheets `keep` accepts, as new .xlsx bytes: the other sheets'
   * parts (and what only they reference) are left out and removed from the workbook and its
   * relationships, every entry no relationship references is left out, and the defined names
   * (which may point into them) are dropped. exceljs builds every sheet it is given, and a CMRT
   * reader needs four of a dozen, so this makes loading several times faster and smaller. Kept
   * entries are copied still compressed. `lastRows` cuts a kept sheet after a row (sheet name →
   * last row kept): a template's Smelter List carries 2,500 rows of formulas whatever it holds.
   */
  async withOnlySheets(keep: (sheetName: string) => boolean, lastRows: ReadonlyMap<string, number> = new Map()): Promise<Buffer> {
    const sheets = await this.sheets();
    const dropped = sheets.filter((s) => !keep(s.name));
    const droppedNames = new Set(dropped.map((s) => s.name));
    const droppedRids = new Set(dropped.map((s) => s.rid));
    const handedOn = await this.referencedParts(new Set(dropped.map((s) => s.part)));
    const workbook = (await this.text('xl/workbook.xml'))
      .replace(/<(?:\w+:)?sheet\b[^>]*>/g, (tag) => (droppedNames.has(attributes(tag).get('name') ?? '') ? '' : tag))
      .replace(/<(?:\w+:)?definedNames\b[^>]*>[\s\S]*?<\/(?:\w+:)?definedNames>|<(?:\w+:)?definedNames\b[^>]*\/>/g, '');
    const relsName = 'xl/_rels/workbook.xml.rels';
    const rels = this.has(relsName)
      ? (await this.text(relsName)).replace(/<(?:\w+:)?Relationship\b[^>]*>/g, (tag) =>
          droppedRids.has(attributes(tag).get('Id') ?? '') ? '' : tag,
        )
      : undefined;
    const cutAfter = new Map<string, number>();
    for (const s of sheets) {
      const last = lastRows.get(s.name);
      if (last !== undefined && keep(s.name)) cutAfter.set(s.part, last);
    }
    const out: ZipOutputEntry[] = [];
    for (const e of this.entries.values()) {
      if (!handedOn.has(e.name)) continue;
      const last = cutAfter.get(e.name);
      if (last !== undefined) out.push(deflatedEntry(e.name, await this.sheetXmlUpTo(e.name, last)));
      else if (e.name === 'xl/workbook.xml') out.push(deflatedEntry(e.name, workbook));
      else if (e.name === relsName && rels !== undefined) out.push(deflatedEntry(e.name, rels));
      else out.push({ ...e, data: this.bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize) });
    }
    return writeZip(out);
  }

  /**
   * The XML of a worksheet part without its rows after `lastRow`, streamed: rows past the cut are
   * inflated and skipped, never kept.
   */
  private async sheetXmlUpTo(part: string, lastRow: number): Promise<string> {
    const decoder = new TextDecoder('utf-8');
    const kept: string[] = [];
    let buffer = '';
    let state: 'head' | 'rows' | 'tail' = 'head';
    let rowNumber = 0;
    const open = /<(?:\w+:)?sheetData\b[^>]*?(\/?)>/;
    const next = /\s*(?:<(?:\w+:)?row\b([^>]*?)\/>|<(?:\w+:)?row\b([^>]*)>[\s\S]*?<\/(?:\w+:)?row>|<\/(?:\w+:)?sheetData>)/y;
    const take = (): void => {
      if (state === 'head') {
        const m = open.exec(buffer);
        if (!m) return;
        const end = m.index + m[0].length;
        kept.push(buffer.slice(0, end));
        buffer = buffer.slice(end);
        state = m[1] === '/' ? 'tail' : 'rows';
      }
      if (state === 'rows') {
        let at = 0;
        next.lastIndex = 0;
        for (let m = next.exec(buffer); m !== null; m = next.exec(buffer)) {
          at = next.lastIndex;
          if (m[1] === undefined && m[2] === undefined) {
            kept.push(m[0]);
            state = 'tail';
            break;
          }
          const r = Number(attributes(m[1] ?? m[2] ?? '').get('r'));
          rowNumber = Number.isInteger(r) && r > 0 ? r : rowNumber + 1;
          if (rowNumber <= lastRow) kept.push(m[0]);
        }
        buffer = buffer.slice(at);
      }
      if (state === 'tail') {
        kept.push(buffer);
        buffer = '';
      }
    };
    for await (const chunk of this.chunks(part)) {
      buffer += decoder.decode(chunk, { stream: true });
      take();
    }
    buffer += decoder.decode();
    take();
    return kept.join('') + buffer;
  }

  /**
   * For each shared string, whether it is blank (empty or only white space), streamed: a
   * workbook with a million strings costs a million bytes here, not the strings.
   */
  async sharedStringBlankness(): Promise<Uint8Array> {
    const name = 'xl/sharedStrings.xml';
    if (!this.has(name)) return new Uint8Array(0);
    let blank = new Uint8Array(1024);
    let count = 0;
    let buffer = '';
    const decoder = new TextDecoder('utf-8');
    const item = /<si\b[^>]*?(?:\/>|>([\s\S]*?)<\/si>)/g;
    const take = (final: boolean): void => {
      item.lastIndex = 0;
      let consumed = 0;
      for (let m = item.exec(buffer); m !== null; m = item.exec(buffer)) {
        if (count === blank.length) {
          const grown = new Uint8Array(blank.length * 2);
          grown.set(blank);
          blank = grown;
        }
        blank[count++] = stringItemText(m[1] ?? '').trim() === '' ? 1 : 0;
        consumed = item.lastIndex;
      }
      buffer = final ? '' : buffer.slice(consumed);
    };
    for await (const chunk of this.chunks(name)) {
      buffer += decoder.decode(chunk, { stream: true });
      take(false);
    }
    buffer += decoder.decode();
    take(true);
    return blank.subarray(0, count);
  }

  /**
   * Streams the rows of a worksheet part, calling `onRow(rowNumber, cells)` for each `<row>`
   * (cells in document order). Stops early when `onRow` returns false. Memory is bounded by one
   * row, whatever the size of the sheet.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a row callback returns nothing to go on, false to stop
  async scanRows(part: string, onRow: (row: number, cells: RawCell[]) => boolean | undefined | void): Promise<void> {
    const decoder = new TextDecoder('utf-8');
    let buffer = '';
    let rowNumber = 0;
    let cells: RawCell[] = [];
    let inRow = false;
    let columnCursor = 0;
    let stopped = false;
    const token =
      /<(?:\w+:)?row\b[^>]*?(\/?)>|<\/(?:\w+:)?row>|<(?:\w+:)?c\b([^>]*?)\/>|<(?:\w+:)?c\b([^>]*)>([\s\S]*?)<\/(?:\w+:)?c>|<\/(?:\w+:)?sheetData>/g;
    const endRow = (): void => {
      if (!inRow) return;
      inRow = false;
      if (onRow(rowNumber, cells) === false) stopped = true;
      cells = [];
    };
    const take = (): void => {
      token.lastIndex = 0;
      let consumed = 0;
      for (let m = token.exec(buffer); m !== null && !stopped; m = token.exec(buffer)) {
        consumed = token.lastIndex;
        const whole = m[0];
        if (/^<(?:\w+:)?row\b/.test(whole)) {
          endRow();
          const r = Number(attributes(whole).get('r'));
          rowNumber = Number.isInteger(r) && r > 0 ? r : rowNumber + 1;
          inRow = m[1] !== '/';
          columnCursor = 0;
          if (!inRow && onRow(rowNumber, []) === false) stopped = true;
        } else if (/^<\/(?:\w+:)?row>/.test(whole)) {
          endRow();
        } else if (/^<\/(?:\w+:)?sheetData>/.test(whole)) {
          endRow();
          stopped = true;
        } else {
          const attrs = attributes(m[2] ?? m[3] ?? '');
          const ref = attrs.get('r');
          const column = ref ? columnOf(ref) : columnLetters(columnCursor + 1);
          columnCursor = columnIndex(column);
          if (ref && !inRow) {
            // A cell outside any <row> (not valid OOXML, but cheap to tolerate).
            rowNumber = rowOf(ref);
            inRow = true;
          }
          const inner = m[4] ?? '';
          const type = attrs.get('t');
          let value: string | undefined;
          if (type === 'inlineStr') {
            const is = /<(?:\w+:)?is\b[^>]*>([\s\S]*?)<\/(?:\w+:)?is>/.exec(inner);
            value = is ? stringItemText(is[1]!) : undefined;
          } else {
            const v = /<(?:\w+:)?v\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:\w+:)?v>)/.exec(inner);
            value = v ? decodeXmlText(v[1] ?? '') : undefined;
          }
          cells.push({ column, type, value, hasFormula: /<(?:\w+:)?f\b/.test(inner) });
        }
      }
      // Keep only what may be an element cut by the chunk boundary: from the last start of a
      // cell or row, or else from the last "<" (markup between rows is skipped, not kept).
      const rest = buffer.slice(consumed);
      let lastStart = -1;
      for (const s of rest.matchAll(/<(?:\w+:)?(?:c|row)\b/g)) lastStart = s.index;
      buffer = lastStart >= 0 ? rest.slice(lastStart) : rest.slice(Math.max(0, rest.lastIndexOf('<')));
    };
    for await (const chunk of this.chunks(part)) {
      buffer += decoder.decode(chunk, { stream: true });
      take();
      if (stopped) return;
    }
    buffer += decoder.decode();
    take();
    if (!stopped) endRow();
  }
}

// ---------------------------------------------------------------------------------------------
// Opening

/**
 * Checks `bytes` as an .xlsx package and returns it. Throws ValidationError when it is not a zip
 * ("not an .xlsx file: …"), a damaged zip, or a zip that is not an Excel workbook; and
 * PayloadTooLargeError when it is larger than the limits, declares more uncompressed bytes than
 * allowed, has an entry with a suspicious compression ratio, inflates to more than it declares
 * ("decompression bomb"), or has more worksheet cells than allowed. Every entry is inflated once,
 * as a stream, to check it; nothing is kept.
 */
export async function openXlsx(
  bytes: Buffer | Uint8Array,
  options: { fileName: string; limits?: Partial<WorkbookLimits> },
): Promise<XlsxPackage> {
  const { fileName } = options;
  const limits: WorkbookLimits = { ...DEFAULT_WORKBOOK_LIMITS, ...options.limits };
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length > limits.maxCompressedBytes) {
    throw tooLarge(
      fileName,
      `${fileName} is ${mb(buf.length)} MB, more than the ${mb(limits.maxCompressedBytes)} MB an uploaded workbook may have`,
    );
  }
  if (buf.length >= 8 && buf.subarray(0, 8).equals(OLE2_MAGIC)) {
    throw notXlsx(fileName, 'is a legacy .xls or password-protected workbook; save it as .xlsx without a password');
  }
  if (buf.length < 22 || buf.readUInt32LE(0) !== SIG_LOCAL) {
    throw notXlsx(fileName, 'is not a zip archive, and an .xlsx workbook is one');
  }
  const entries = readCentralDirectory(buf, fileName, limits);
  if (!entries.some((e) => e.name === 'xl/workbook.xml')) {
    throw notXlsx(fileName, 'is a zip but not an Excel workbook (it has no xl/workbook.xml)');
  }

  let declared = 0;
  for (const e of entries) {
    declared += e.uncompressedSize;
    if (e.uncompressedSize >= limits.ratioCheckMinBytes) {
      const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
      if (ratio > limits.maxCompressionRatio) {
        throw tooLarge(
          fileName,
          `decompression bomb: ${e.name} in ${fileName} expands ${Math.round(ratio)}:1 (${mb(e.uncompressedSize)} MB), ` +
            `more than ${limits.maxCompressionRatio}:1`,
        );
      }
    }
  }
  if (declared > limits.maxUncompressedBytes) {
    throw tooLarge(
      fileName,
      `decompression bomb: ${fileName} declares ${mb(declared)} MB uncompressed, more than the ${mb(limits.maxUncompressedBytes)} MB limit`,
    );
  }

  const pkg = new XlsxPackage(buf, fileName, entries);
  for (const e of entries) {
    if (e.name.endsWith('/')) continue;
    // Every entry is counted whatever its name (a sheet renamed, nested or in other case is still
    // cells to a reader that finds it), but for the calculation chain, whose <c> elements name
    // formula cells and which is never handed on.
    const counted = e.name !== CALCULATION_CHAIN;
    let tail = '';
    for await (const chunk of pkg.chunks(e.name)) {
      if (!counted) continue;
      // Cells are counted on latin1 text: the markup is ASCII, and a multi-byte character cut at
      // a chunk boundary cannot look like "<c ".
      const text = tail + chunk.toString('latin1');
      const found = text.match(CELL_START);
      pkg.worksheetCells += found ? found.length : 0;
      // Carry a short unfinished tag ("<", "<x:c") over to the next chunk; a finished one was counted.
      const lastLt = text.lastIndexOf('<');
      const end = lastLt >= 0 ? text.slice(lastLt) : '';
      tail = end.length < 16 && !new RegExp(CELL_START.source).test(end) ? end : '';
      if (pkg.worksheetCells > limits.maxWorksheetCells) {
        throw tooLarge(fileName, `${fileName} has more than ${limits.maxWorksheetCells} worksheet cells`);
      }
    }
  }
  return pkg;
}
