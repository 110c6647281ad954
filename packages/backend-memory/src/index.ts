// @durability/backend-memory: a Directory held in process memory, for tests and ephemeral use.

export { MEMORY_CAPABILITIES, MemoryDirectory } from './memory-directory.js';
