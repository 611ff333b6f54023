/** A real HTTP server standing in for the MDM server's webhook endpoint: records every request, answers as told. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  body: string;
  json: any;
  timestamp: string;
  signature: string;
  status: number;
}

export class WebhookReceiver {
  readonly received: ReceivedRequest[] = [];
  /** The status to answer a request with (it may look at the body). */
  respond: (json: any) => number = () => 200;
  private server?: http.Server;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(port = this.port): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const json = JSON.parse(body);
        const status = this.respond(json);
        this.received.push({
          body,
          json,
          timestamp: String(req.headers['x-depgate-timestamp']),
          signature: String(req.headers['x-depgate-signature']),
          status,
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server?.listening) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  /** Accepted (2xx) requests of an event, in arrival order. */
  accepted(event?: string): ReceivedRequest[] {
    return this.received.filter((r) => r.status < 300 && (!event || r.json.event === event));
  }
}
