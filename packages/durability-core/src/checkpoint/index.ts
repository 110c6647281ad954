// Checkpoints: one verified snapshot file (VCKP) and the canonical CBOR codec that makes it deterministic.

export { decodeCanonicalCbor } from './canonical-cbor-decode.js';
export { CANONICAL_CBOR_MAX_DEPTH, encodeCanonicalCbor } from './canonical-cbor-encode.js';
export type { CanonicalCborCodecOptions } from './canonical-codec.js';
export { canonicalCborCodec } from './canonical-codec.js';
export type { CheckpointContents, CheckpointWriteResult } from './checkpoint-file.js';
export { CheckpointFile } from './checkpoint-file.js';
export {
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_HEADER_BYTES,
  CHECKPOINT_MAGIC,
  MAX_CHECKPOINT_PAYLOAD_BYTES,
} from './checkpoint-format.js';
export {
  CHECKPOINT_DIR,
  checkpointFileName,
  checkpointPathFor,
  parseCheckpointFileName,
} from './checkpoint-name.js';
export type { CheckpointFileOptions } from './checkpoint-options.js';
