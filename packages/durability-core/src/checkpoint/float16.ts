/**
 * IEEE 754 binary16 (CBOR's float16, major type 7 additional information 25), for the canonical
 * encoder's "shortest float that holds the value exactly" rule: 1 sign bit, 5 exponent bits (bias 15),
 * 10 fraction bits; exponent 0 is subnormal (fraction × 2^-24), exponent 31 is ±∞ (fraction 0) or NaN.
 */

/**
 * The IEEE 754 binary16 bits of `value` when binary16 holds it exactly (NaN → the quiet NaN `0x7e00`),
 * else `undefined`.
 */
export function toFloat16Bits(value: number): number | undefined {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Number.POSITIVE_INFINITY) return sign | 0x7c00;
  if (magnitude === 0) return sign;
  if (magnitude < 2 ** -14) {
    const mantissa = magnitude * 2 ** 24; // subnormal: m × 2^-24, 1 ≤ m ≤ 1023
    return Number.isInteger(mantissa) ? sign | mantissa : undefined;
  }
  let exponent = Math.floor(Math.log2(magnitude));
  if (2 ** exponent > magnitude) exponent--;
  if (2 ** (exponent + 1) <= magnitude) exponent++;
  if (exponent > 15) return undefined;
  const fraction = (magnitude / 2 ** exponent - 1) * 1024;
  return Number.isInteger(fraction) ? sign | ((exponent + 15) << 10) | fraction : undefined;
}

/** The number a float16 bit pattern (big-endian, 2 bytes) denotes. */
export function decodeFloat16(bytes: Uint8Array): number {
  const bits = (bytes[0]! << 8) | bytes[1]!;
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
