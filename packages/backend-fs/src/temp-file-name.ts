import { randomBytes } from 'node:crypto';

/** Marks the temporary siblings that `atomicWrite` and `createExclusive` write before publishing. */
const TEMP_MARKER = '.durability-tmp-';
const TEMP_NAME = /\.durability-tmp-[0-9a-f]{16}$/;

/**
 * `<osPath>.durability-tmp-<16 hex>`: a fresh sibling of `osPath`. Being in the same directory keeps the
 * final `rename`/`link` on one file system, where it is atomic. 64 random bits make a collision between
 * concurrent writers negligible, and the temp is created with `O_EXCL`, so a collision fails, never shares.
 */
export function tempSiblingPath(osPath: string): string {
  return `${osPath}${TEMP_MARKER}${randomBytes(8).toString('hex')}`;
}

/**
 * True for a name `FsDirectory` uses for a temporary file. Such a file outlives its operation only when
 * the process or machine crashed mid-operation (or its removal failed); it is garbage and safe to delete
 * once no operation on that directory is in flight.
 */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}
