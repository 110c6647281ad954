import { CheckpointFile, type Directory, segmentPath, WalReader } from '@durability/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DECODER_NAMES, ImageDirectory, runDecoderFuzz } from '../src/sweeps/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('decoder fuzz', () => {
  it('covers every decoder and is reproducible from its seed', async () => {
    const first = await runDecoderFuzz({ numRuns: 300, seed: 42 });
    const again = await runDecoderFuzz({ numRuns: 300, seed: 42 });
    expect(first.decoders.map((d) => d.name)).toEqual(DECODER_NAMES);
    expect(first.violations).toEqual([]);
    for (const [i, report] of first.decoders.entries()) {
      expect(report.inputs).toBe(300);
      expect(report.seed).toBe(42 + i);
      expect(report.outcomes).toEqual(again.decoders[i]!.outcomes);
      // The inputs reach both sides: some decode, some are refused.
      const codes = Object.keys(report.outcomes).join(' ');
      expect(codes, report.name).toMatch(/ok/);
      expect(codes, report.name).toMatch(/CORRUPTION/);
    }
  });

  it('catches a decoder that throws an untyped error, and reports the seed and the shrunk input', async () => {
    const original = CheckpointFile.prototype.read;
    vi.spyOn(CheckpointFile.prototype, 'read').mockImplementation(async function (
      this: CheckpointFile,
      path,
    ) {
      const contents = await original.call(this, path);
      if (contents.payloadBytes > 3) throw new TypeError('cannot read properties of undefined');
      return contents;
    });
    const result = await runDecoderFuzz({ numRuns: 2000, seed: 7, decoders: ['checkpoint'] });
    expect(result.violations).toHaveLength(1);
    // Decoder i runs with seed + i (the checkpoint is the fourth), whichever decoders are selected.
    expect(result.violations[0]!.case).toBe('checkpoint (seed 10)');
    expect(result.violations[0]!.message).toMatch(/seed: 10/);
    expect(result.violations[0]!.message).toMatch(/Counterexample/);
    expect(result.violations[0]!.message).toMatch(/untyped TypeError/);
  });

  it('catches a decoder that sizes a read by a length field before checking the cap', async () => {
    const original = WalReader.prototype.replay;
    vi.spyOn(WalReader.prototype, 'replay').mockImplementation(async function (this: WalReader, options) {
      // Reads the first frame's payload the way the seed did: trusting payload_len.
      const dir = (this as unknown as { dir: Directory }).dir;
      const path = segmentPath(1);
      if ((await dir.exists(path)) && (await dir.size(path)) >= 48) {
        const head = await dir.read(path, 28, 4);
        const length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
        await dir.read(path, 48, length).catch(() => undefined);
      }
      return original.call(this, options);
    });
    const result = await runDecoderFuzz({ numRuns: 3000, seed: 9, decoders: ['WAL frame'] });
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]!.message).toMatch(/read sized past the caps/);
  });
});

describe('ImageDirectory', () => {
  it('reads sparse files as zeros past their bytes, lists direct children, refuses writes', async () => {
    const dir = new ImageDirectory([
      ['wal/a', { bytes: new Uint8Array([1, 2, 3]), length: 6 }],
      ['wal/sub/b', { bytes: new Uint8Array([9]) }],
    ]);
    expect(await dir.read('wal/a', 1, 10)).toEqual(new Uint8Array([2, 3, 0, 0, 0]));
    expect(await dir.size('wal/a')).toBe(6);
    expect(await dir.list('wal')).toEqual(['a', 'sub']);
    expect(await dir.exists('wal/sub')).toBe(true);
    await expect(dir.createFile('wal/c')).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await expect(dir.readFile('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('measures and refuses reads above its limit', async () => {
    const dir = new ImageDirectory([['f', { bytes: new Uint8Array(4), length: 1 << 20 }]], 1024);
    await expect(dir.read('f', 0, 2048)).rejects.toThrow(RangeError);
    expect(dir.oversizedReads).toHaveLength(1);
    expect(dir.largestRead).toBe(2048);
  });
});
