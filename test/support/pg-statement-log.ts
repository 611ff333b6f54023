/**
 * A TCP relay in front of the test PostgreSQL that records the SQL each client sends: the text of
 * every simple Query ('Q') and every Parse ('P') of the extended protocol (node-pg parses each
 * parameterised query it runs, unnamed statements every time). What a test reads from it is what
 * reached the database, e.g. "an idle job runner sent no fetch in this window".
 *
 * Only the client-to-server direction is parsed; bytes are relayed unchanged both ways. The test
 * connection is plain (no SSL), so the stream is: one untyped startup message, then typed ones.
 */
import net from 'node:net';

export interface StatementLog {
  /** The test database's URL, through the relay. */
  url: string;
  /** Every statement text sent so far, in order. */
  statements: string[];
  close(): Promise<void>;
}

export async function statementLog(databaseUrl: string): Promise<StatementLog> {
  const target = new URL(databaseUrl);
  const statements: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    let buffer = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk) => {
      upstream.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 4) break;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) break;
          // An SSLRequest (code 80877103) is answered with one byte and followed by the real startup.
          const sslRequest = length === 8 && buffer.readInt32BE(4) === 80877103;
          buffer = buffer.subarray(length);
          started = !sslRequest;
          continue;
        }
        if (buffer.length < 5) break;
        const type = String.fromCharCode(buffer[0]);
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) break;
        const body = buffer.subarray(5, 1 + length);
        if (type === 'Q') statements.push(body.toString('utf8', 0, body.indexOf(0)));
        if (type === 'P') {
          const nameEnd = body.indexOf(0);
          statements.push(body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1)));
        }
        buffer = buffer.subarray(1 + length);
      }
    });
    upstream.on('data', (chunk) => client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    statements,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
