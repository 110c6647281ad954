// The crashing writer of `pnpm example`, in its own process: resumes the catalog WAL on the configured
// backend and appends until its parent kills it, sending each acknowledgement over IPC.
import { openBackend } from './backends.js';
import { loadConfig } from './config.js';
import { runCrashingWriter } from './writer-loop.js';

const send = process.send?.bind(process);
if (!send) throw new Error('writer-child must be started by the example with an IPC channel');
const backend = openBackend(loadConfig(process.env, process.argv.slice(2)));
await runCrashingWriter(backend.open(), (ack) => send(ack));
