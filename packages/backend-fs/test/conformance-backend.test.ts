import { describeBackend } from '@durability/conformance';
import { fsConformanceFactory } from './conformance-factory.js';

// The default mode gets everything: the contract, the crash-state suite and the full sweeps.
describeBackend('FsDirectory', { ...fsConformanceFactory('async'), crashModel: 'fs' });
