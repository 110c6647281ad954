/**
 * @durability/backend-s3-sim — placeholder.
 *
 * This package will hold `SimObjectStore`: an in-process object store with S3's semantics (strong
 * read-after-write consistency, ETags, conditional PUTs, pagination, ranged GETs) and fault injection
 * (latency, throttling, indeterminate outcomes), for the object-store Directory of @durability/core.
 * Nothing is exported yet.
 */
export {};
