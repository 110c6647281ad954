/**
 * ETags as the `ObjectStore` contract carries them: without the surrounding double quotes S3 puts on the
 * wire. `If-Match` is sent unquoted too: Ceph RGW (16.2) matches only the unquoted form (a quoted
 * `If-Match` fails with 412 even when it matches), and AWS S3 accepts both.
 */

/** `"abc"` → `abc`; an already unquoted ETag is returned as is. */
export function unquoteEtag(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}
