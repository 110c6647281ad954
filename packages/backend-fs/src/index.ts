// @durability/backend-fs: the local-disk DurableDirectory (real fsync of files and parent directories).

// The synchronous alternative, selected by `new FsDirectory(root, { io: 'blocking' })`.
export { blockingFsOps } from './blocking-fs-ops.js';
export type { FsDirectoryOptions, FsIoMode } from './fs-directory.js';
export { FsDirectory } from './fs-directory.js';
// The test seam: file-system calls, injectable through `new FsDirectory(root, { ops })`.
export type { FsFileHandle, FsOps, FsStat } from './fs-ops.js';
export { nodeFsOps } from './fs-ops.js';
export type { FsCall, FsInterceptor, FsOpName } from './intercept-fs-ops.js';
export { interceptFsOps } from './intercept-fs-ops.js';
export { isTempFileName } from './temp-file-name.js';
