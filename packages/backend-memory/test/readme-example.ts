import { MemoryDirectory } from '../src/index.js';

const dir = new MemoryDirectory();
const writer = await dir.createFile('wal/segment.log'); // creates the missing 'wal' directory
await writer.write(new TextEncoder().encode('hello'));
await writer.flush(); // visible to readers (in memory, it already was)
await writer.sync(); // an ordering barrier only: memory has no stable storage
await writer.close();

console.log(await dir.list('wal')); // [ 'segment.log' ]
console.log(new TextDecoder().decode(await dir.readFile('wal/segment.log'))); // hello

const snapshot = dir.clone(); // an independent deep copy
await dir.delete('wal');
console.log(await snapshot.exists('wal/segment.log'), await dir.exists('wal')); // true false

await dir.syncFile('segment.log').catch((error: { code: string }) => console.log(error.code)); // NOT_SUPPORTED
