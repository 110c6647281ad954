import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  CorruptionError,
  DecodeError,
  DurabilityError,
  EncodeError,
  FormatError,
  InvalidConfigError,
  InvalidPathError,
  InvalidStateError,
  IoError,
  LimitExceededError,
  LockedError,
  NotFoundError,
  NotSupportedError,
  PreconditionFailedError,
  TornTailError,
  UnknownOutcomeError,
} from '../src/index.js';

const MARKER = Symbol.for('@durability/core/DurabilityError');

const classes = [
  [IoError, 'IO'],
  [NotFoundError, 'NOT_FOUND'],
  [AlreadyExistsError, 'ALREADY_EXISTS'],
  [FormatError, 'FORMAT'],
  [CorruptionError, 'CORRUPTION'],
  [TornTailError, 'TORN_TAIL'],
  [NotSupportedError, 'NOT_SUPPORTED'],
  [InvalidStateError, 'INVALID_STATE'],
  [InvalidConfigError, 'INVALID_CONFIG'],
  [InvalidPathError, 'INVALID_PATH'],
  [LockedError, 'LOCKED'],
  [LimitExceededError, 'LIMIT_EXCEEDED'],
  [EncodeError, 'ENCODE'],
  [DecodeError, 'DECODE'],
  [PreconditionFailedError, 'PRECONDITION_FAILED'],
  [UnknownOutcomeError, 'UNKNOWN_OUTCOME'],
] as const;

describe('error classes', () => {
  it('codes are stable and unique', () => {
    const codes = classes.map(([, code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(DurabilityError.code).toBeUndefined();
  });

  describe.each(classes)('%o', (ErrorClass, code) => {
    const error = new ErrorClass('something failed');

    it('carries its code on the instance and the class, and its own name', () => {
      expect(error.code).toBe(code);
      expect(ErrorClass.code).toBe(code);
      expect(error.name).toBe(ErrorClass.name);
      expect(error).toBeInstanceOf(DurabilityError);
      expect(error).toBeInstanceOf(Error);
    });

    it('is() matches its own class and the base, and no other class', () => {
      expect(ErrorClass.is(error)).toBe(true);
      expect(DurabilityError.is(error)).toBe(true);
      for (const [Other] of classes) if (Other !== ErrorClass) expect(Other.is(error)).toBe(false);
    });

    it('is() matches a look-alike from a duplicate install by marker and code', () => {
      // What an error thrown by a second copy of this package looks like from here: the same
      // Symbol.for marker and code, but a different class, so `instanceof` would say false.
      const foreign = Object.assign(new Error('from another copy'), { [MARKER]: true, code });
      expect(foreign).not.toBeInstanceOf(DurabilityError);
      expect(ErrorClass.is(foreign)).toBe(true);
      expect(DurabilityError.is(foreign)).toBe(true);
      for (const [Other] of classes) if (Other !== ErrorClass) expect(Other.is(foreign)).toBe(false);
    });
  });

  it('is() rejects values without the marker, even with a matching code', () => {
    const lookalike = Object.assign(new Error('x'), { code: 'CORRUPTION' });
    for (const value of [lookalike, { code: 'CORRUPTION' }, { [MARKER]: 'yes', code: 'CORRUPTION' }]) {
      expect(CorruptionError.is(value)).toBe(false);
      expect(DurabilityError.is(value)).toBe(false);
    }
    for (const value of [null, undefined, 0, 'CORRUPTION', Symbol('x'), () => 1]) {
      expect(DurabilityError.is(value)).toBe(false);
    }
  });

  it('the base is() matches every marked object, whatever its code', () => {
    expect(DurabilityError.is({ [MARKER]: true, code: 'SOMETHING_NEW' })).toBe(true);
    expect(CorruptionError.is({ [MARKER]: true, code: 'SOMETHING_NEW' })).toBe(false);
  });
});

describe('error details', () => {
  it('puts path, segment, offset, expected and actual in the message and on the instance', () => {
    const cause = new Error('underlying');
    const error = new CorruptionError('checksum mismatch', {
      path: 'wal/wal_1.log',
      segmentId: 7,
      offset: 4096,
      expected: '0xcbf43926',
      actual: 12,
      cause,
    });
    expect(error.message).toBe(
      'checksum mismatch (path wal/wal_1.log, segment 7, offset 4096, expected "0xcbf43926", actual 12)',
    );
    expect(error.path).toBe('wal/wal_1.log');
    expect(error.segmentId).toBe(7);
    expect(error.offset).toBe(4096);
    expect(error.expected).toBe('0xcbf43926');
    expect(error.actual).toBe(12);
    expect(error.cause).toBe(cause);
  });

  it('keeps the message unchanged without details, and has no cause property then', () => {
    const error = new FormatError('bad magic');
    expect(error.message).toBe('bad magic');
    expect('cause' in error).toBe(false);
    expect(error.path).toBeUndefined();
  });

  it('shows offset 0 and falsy values (only undefined is omitted)', () => {
    expect(new TornTailError('torn', { offset: 0, expected: 0, actual: false }).message).toBe(
      'torn (offset 0, expected 0, actual false)',
    );
  });

  it('IoError carries errno and syscall; LockedError carries the owner', () => {
    const io = new IoError('write failed', { path: 'a', errno: 'EIO', syscall: 'write' });
    expect(io.errno).toBe('EIO');
    expect(io.syscall).toBe('write');
    expect(io.message).toBe('write failed (path a)');
    const locked = new LockedError('locked', { owner: { pid: 42 } });
    expect(locked.owner).toEqual({ pid: 42 });
  });
});
