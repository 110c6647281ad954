import { FormatError, InvalidConfigError, InvalidPathError } from '../errors.js';
import { assertSafePath } from '../paths.js';

/**
 * Where every `Directory` path lives in the bucket (FORMAT.md § Object-store layout). `P` is the key
 * prefix (`''` or ending in `/`); `\` (U+005C) is the file mark: `assertSafePath` refuses it in paths, so
 * no name can collide with it, and S3 stores it verbatim.
 *
 * - directory `a/b` (explicit, from `mkdirp` or kept by `delete`): the empty marker object `P a/b/`;
 * - file `a/b/c.log`, generation `G`, slot 0 (the **head**; its existence publishes generation `G`):
 *   `P a/b/c.log\GGGGGGGGGGGGGGGGGGGG`;
 * - the same file, generation `G`, slot `S ≥ 1` (a **part**): `P a/b/c.log\GGGGGGGGGGGGGGGGGGGG/SSSSSSSSSSSSSSSSSSSS`.
 *
 * Generations and slots are decimal, zero-padded to 20 digits, so byte order (S3 LIST) is numeric order.
 * With delimiter `/`, listing `P a/b/` returns heads as objects (`c.log\G…`), each generation's parts as
 * one common prefix (`c.log\G…/`), and subdirectories as common prefixes (`sub/`): files and
 * directories are told apart by the mark, and a file with no head (deleted, or never published) is not
 * listed at all.
 */

export const FILE_MARK = '\\';
export const NUMBER_DIGITS = 20;
/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** The longest suffix a file key adds to its path: mark, generation, `/`, slot. */
const FILE_SUFFIX_BYTES = FILE_MARK.length + NUMBER_DIGITS + 1 + NUMBER_DIGITS;

const HEAD_SUFFIX = /^(\d{20})$/;
const PART_SUFFIX = /^(\d{20})\/(\d{20})$/;
const encoder = new TextEncoder();

/** Normalises a key prefix: `''`, or a string ending in `/`. */
export function normalizePrefix(prefix: unknown): string {
  if (prefix === undefined || prefix === '') return '';
  if (typeof prefix !== 'string') {
    throw new InvalidConfigError('object-store key prefix must be a string', { actual: typeof prefix });
  }
  if (prefix.includes(FILE_MARK) || prefix.includes('\0') || hasLoneSurrogate(prefix)) {
    throw new InvalidConfigError(
      'object-store key prefix must not contain a backslash, NUL or lone surrogate',
      {
        actual: prefix,
      },
    );
  }
  const normalized = prefix.endsWith('/') ? prefix : `${prefix}/`;
  if (encoder.encode(normalized).length > MAX_KEY_BYTES / 2) {
    throw new InvalidConfigError('object-store key prefix is too long', {
      expected: `≤ ${MAX_KEY_BYTES / 2} bytes`,
    });
  }
  return normalized;
}

export function formatNumber(value: number): string {
  return String(value).padStart(NUMBER_DIGITS, '0');
}

/** What a key under a file's prefix (`P path\`) denotes. */
export type FileKey = { kind: 'head'; gen: number } | { kind: 'part'; gen: number; slot: number };

/** Maps paths to keys for one prefix. Every method that takes a path validates it first. */
export class KeyLayout {
  readonly prefix: string;

  constructor(prefix: unknown) {
    this.prefix = normalizePrefix(prefix);
  }

  /** Validates `path` as a `Directory` path that also fits in an S3 key with every suffix this layout adds. */
  check(path: unknown, options: { allowRoot?: boolean } = {}): asserts path is string {
    assertSafePath(path, options);
    if (hasLoneSurrogate(path)) {
      throw new InvalidPathError('path contains a lone surrogate (not representable in UTF-8)', { path });
    }
    const bytes = encoder.encode(this.prefix).length + encoder.encode(path).length + FILE_SUFFIX_BYTES;
    if (bytes > MAX_KEY_BYTES) {
      throw new InvalidPathError('path is too long for an object key', {
        path,
        expected: `≤ ${MAX_KEY_BYTES} bytes with prefix and suffix`,
        actual: bytes,
      });
    }
  }

  /** Prefix of everything under directory `dir` (`''` is the root). */
  dirPrefix(dir: string): string {
    return dir === '' ? this.prefix : `${this.prefix}${dir}/`;
  }

  /** The marker object of directory `dir` (not the root). */
  dirMarkerKey(dir: string): string {
    return `${this.prefix}${dir}/`;
  }

  /** Prefix of every key of file `path`, all generations. */
  filePrefix(path: string): string {
    return `${this.prefix}${path}${FILE_MARK}`;
  }

  headKey(path: string, gen: number): string {
    return `${this.filePrefix(path)}${formatNumber(checkNumber(gen, 1))}`;
  }

  partKey(path: string, gen: number, slot: number): string {
    return `${this.filePrefix(path)}${formatNumber(checkNumber(gen, 1))}/${formatNumber(checkNumber(slot, 1))}`;
  }

  /** The slot's key: the head for slot 0, a part otherwise. */
  slotKey(path: string, gen: number, slot: number): string {
    return slot === 0 ? this.headKey(path, gen) : this.partKey(path, gen, slot);
  }

  /** Parses a key listed under `filePrefix(path)`; `FormatError` for a key this layout never writes. */
  parseFileKey(path: string, key: string): FileKey {
    const rest = key.slice(this.filePrefix(path).length);
    const head = HEAD_SUFFIX.exec(rest);
    if (head) return { kind: 'head', gen: parseNumber(head[1]!, key, 1) };
    const part = PART_SUFFIX.exec(rest);
    if (part)
      return { kind: 'part', gen: parseNumber(part[1]!, key, 1), slot: parseNumber(part[2]!, key, 1) };
    throw new FormatError('object key under a file prefix is not a head or part key', {
      path,
      actual: key,
      expected: `<path>\\<${NUMBER_DIGITS} digits>[/<${NUMBER_DIGITS} digits>]`,
    });
  }

  /**
   * The child name a key or common prefix listed under `dirPrefix(dir)` with delimiter `/` contributes,
   * or `undefined` (the directory's own marker, a generation's parts prefix, a foreign key).
   */
  childName(dir: string, entry: string, isCommonPrefix: boolean): string | undefined {
    const rest = entry.slice(this.dirPrefix(dir).length);
    if (rest === '') return undefined;
    const mark = rest.indexOf(FILE_MARK);
    if (isCommonPrefix) {
      // `name/` is a directory; `name\G/` holds a generation's parts (the file shows through its head).
      return mark < 0 && rest.endsWith('/') && rest.length > 1 ? rest.slice(0, -1) : undefined;
    }
    if (mark <= 0) return undefined;
    return HEAD_SUFFIX.test(rest.slice(mark + 1)) ? rest.slice(0, mark) : undefined;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` has a surrogate without its pair: UTF-8 cannot encode it, so two names would share a key. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

function checkNumber(value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`generation/slot must be a safe integer ≥ ${min}, got ${value}`);
  }
  return value;
}

function parseNumber(digits: string, key: string, min: number): number {
  const value = Number(digits);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new FormatError('object key holds a generation or slot out of range', {
      actual: key,
      expected: `${min} … 2^53-1`,
    });
  }
  return value;
}
