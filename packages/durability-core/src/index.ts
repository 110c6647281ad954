// @durability/core: contracts, typed errors, codecs and the formats that own bytes on disk.

export { crc32, crc32Implementation, crc32Portable } from './checksum/crc32.js';
export type { CborCodecOptions, Codec, EntrySchema } from './codec/codec.js';
export { bytesCodec, CBOR_OPTIONS, cborCodec, decodeWith, encodeWith } from './codec/codec.js';
export type { Directory, DirectoryCapabilities, DurableDirectory, FileReader, FileWriter } from './directory.js';
export { isDurableDirectory } from './directory.js';
export { syncFile, syncParentDir } from './durable-helpers.js';
export type { DurabilityErrorCode, ErrorDetails } from './errors.js';
export {
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
  TornTailError,
} from './errors.js';
export { guardDirectory, toDurabilityError } from './guarded-directory.js';
export { assertSafePath, baseName, isSafePath, joinPath, parentPath } from './paths.js';
