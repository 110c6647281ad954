import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that answers each request with the next scripted response, to drive
 * `S3ObjectStore`'s failure handling deterministically (status codes, error bodies, hangs, cut bodies).
 * It implements no S3 semantics; conditional-write behaviour is tested against the real server only.
 */
export type Scripted =
  | { status: number; code?: string; body?: Uint8Array; headers?: Record<string, string> }
  | { hang: true }
  | { cutBodyAfter: number; totalLength: number };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export class ScriptedServer {
  readonly requests: RecordedRequest[] = [];
  private readonly script: Scripted[] = [];
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => this.answer(req, res));
  }

  static async start(): Promise<ScriptedServer> {
    const scripted = new ScriptedServer();
    await new Promise<void>((resolve) => scripted.server.listen(0, '127.0.0.1', resolve));
    return scripted;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queues responses for the next requests, in order. */
  respond(...responses: Scripted[]): void {
    this.script.push(...responses);
  }

  /** Forgets queued responses and recorded requests (between tests). */
  reset(): void {
    this.script.length = 0;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    req.on('end', () => {
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      const next = this.script.shift() ?? { status: 500, code: 'ScriptExhausted' };
      if ('hang' in next) return;
      if ('cutBodyAfter' in next) {
        res.writeHead(200, { 'content-length': String(next.totalLength), etag: '"cut"' });
        res.write(new Uint8Array(next.cutBodyAfter));
        setTimeout(() => res.destroy(), 10);
        return;
      }
      const headers: Record<string, string> = { ...next.headers };
      let body = next.body;
      if (next.code !== undefined) {
        headers['content-type'] = 'application/xml';
        body = new TextEncoder().encode(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${next.code}</Code><Message>scripted</Message></Error>`,
        );
      }
      // HEAD answers carry no body.
      if (req.method === 'HEAD') body = undefined;
      res.writeHead(next.status, headers);
      res.end(body);
    });
  }
}
