import { describe, expect, it } from 'vitest';
import { GrowableBuffer } from '../src/growable-buffer.js';

const from = (...values: number[]) => new Uint8Array(values);

describe('GrowableBuffer', () => {
  it('appends in order across many reallocations', () => {
    const buffer = new GrowableBuffer();
    const expected: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const chunk = from(i & 0xff, (i >> 8) & 0xff, 7);
      buffer.append(chunk);
      expected.push(...chunk);
    }
    expect(buffer.length).toBe(expected.length);
    expect(buffer.copy()).toEqual(new Uint8Array(expected));
  });

  it('grows by doubling: n one-byte appends reallocate O(log n) times and waste at most half', () => {
    const buffer = new GrowableBuffer();
    const capacities = new Set<number>();
    let undersized = 0;
    for (let i = 0; i < 100_000; i++) {
      buffer.append(from(i & 0xff));
      capacities.add(buffer.capacity);
      if (buffer.capacity < buffer.length) undersized++;
    }
    expect(undersized).toBe(0);
    expect(capacities.size).toBeLessThanOrEqual(Math.ceil(Math.log2(100_000)));
    expect(buffer.capacity).toBeLessThan(2 * buffer.length);
  });

  it('grows straight to a write larger than double the capacity', () => {
    const buffer = new GrowableBuffer(from(1, 2));
    buffer.append(new Uint8Array(10_000).fill(9));
    expect(buffer.length).toBe(10_002);
    expect(buffer.copy(0, 3)).toEqual(from(1, 2, 9));
  });

  it('zero-fills a gap instead of exposing bytes left behind by truncate', () => {
    const buffer = new GrowableBuffer(from(1, 2, 3, 4, 5, 6));
    buffer.truncate(2);
    buffer.writeAt(5, from(9));
    expect(buffer.copy()).toEqual(from(1, 2, 0, 0, 0, 9));
  });

  it('overwrites in place below the end', () => {
    const buffer = new GrowableBuffer(from(1, 2, 3, 4));
    buffer.writeAt(1, from(8, 8));
    expect(buffer.copy()).toEqual(from(1, 8, 8, 4));
    buffer.writeAt(3, from(7, 7));
    expect(buffer.copy()).toEqual(from(1, 8, 8, 7, 7));
  });

  it('copies in and out: no caller shares its memory', () => {
    const source = from(1, 2, 3);
    const buffer = new GrowableBuffer(source);
    source.fill(0);
    const out = buffer.copy();
    out.fill(0);
    const appended = from(4);
    buffer.append(appended);
    appended.fill(0);
    expect(buffer.copy()).toEqual(from(1, 2, 3, 4));
  });

  it('clamps copies to the content', () => {
    const buffer = new GrowableBuffer(from(1, 2, 3));
    expect(buffer.copy(1, 100)).toEqual(from(2, 3));
    expect(buffer.copy(3, 10)).toEqual(new Uint8Array(0));
    expect(buffer.copy(50, 60)).toEqual(new Uint8Array(0));
  });

  it('gives memory back when truncated far below its capacity', () => {
    const buffer = new GrowableBuffer();
    buffer.append(new Uint8Array(1 << 20).fill(1));
    buffer.truncate(10);
    expect(buffer.capacity).toBeLessThan(1024);
    expect(buffer.copy()).toEqual(new Uint8Array(10).fill(1));
    buffer.truncate(0);
    expect(buffer.capacity).toBe(0);
  });

  it('refuses to grow by truncate', () => {
    const buffer = new GrowableBuffer(from(1, 2));
    expect(() => buffer.truncate(3)).toThrow(RangeError);
  });

  it('clones into an independent buffer', () => {
    const buffer = new GrowableBuffer(from(1, 2, 3));
    const clone = buffer.clone();
    buffer.writeAt(0, from(9));
    clone.append(from(4));
    expect(buffer.copy()).toEqual(from(9, 2, 3));
    expect(clone.copy()).toEqual(from(1, 2, 3, 4));
  });
});
