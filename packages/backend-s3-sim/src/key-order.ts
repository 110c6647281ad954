/**
 * S3 orders keys by their UTF-8 bytes, which is Unicode code-point order. JavaScript compares strings by
 * UTF-16 code units; the two differ only between a surrogate (U+D800–U+DFFF, part of a code point above
 * U+FFFF) and a unit in U+E000–U+FFFF. Shifting the surrogates above that range gives code-point order.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) - fixup(y);
  }
  return a.length - b.length;
}

function fixup(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Index of the first element of `sorted` that is not less than `key` (byte order). */
export function lowerBound(sorted: readonly string[], key: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareUtf8(sorted[mid]!, key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `key` cannot be encoded as UTF-8 (S3 refuses such keys). */
export function hasLoneSurrogate(key: string): boolean {
  return LONE_SURROGATE.test(key);
}
