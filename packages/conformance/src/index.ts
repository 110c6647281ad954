// @durability/conformance: the suites a backend runs to prove it honours the storage contract.

export { UNSAFE_PATHS } from './directory/unsafe-path-tests.js';
export type { DirectoryContractOptions } from './directory-contract.js';
export { describeDirectoryContract } from './directory-contract.js';
