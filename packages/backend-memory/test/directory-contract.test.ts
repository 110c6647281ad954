import { describeDirectoryContract } from '@durability/conformance';
import { MemoryDirectory } from '../src/index.js';

describeDirectoryContract('MemoryDirectory', { create: () => new MemoryDirectory() });
