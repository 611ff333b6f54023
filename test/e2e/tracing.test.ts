/**
 * OpenTelemetry tracing of the real server process: with OTEL_EXPORTER_OTLP_ENDPOINT at a local
 * OTLP/HTTP receiver, one GraphQL request that reads and writes the database and calls Apple (the
 * simulator) arrives as one trace: the inbound HTTP span, GraphQL, pg statements and the outgoing
 * Apple call; the log line written during that request carries its trace_id. Without the variable,
 * not one OpenTelemetry module is loaded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { runNode } from './process-support';
import { logLines, startFleet, until, uploadToken, type Fleet } from './sync-support';

interface Span {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
  service?: string;
}

const SERVER = 2;
const CLIENT = 3;

/** An OTLP/HTTP JSON receiver: every span POSTed to /v1/traces, with its resource's service.name. */
async function startReceiver(): Promise<{ url: string; spans: Span[]; paths: string[]; close(): Promise<void> }> {
  const spans: Span[] = [];
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.url === '/v1/traces') {
        const payload = JSON.parse(body.toString('utf8'));
        for (const rs of payload.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value?.stringValue;
          for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) spans.push({ ...span, service });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function attr(span: Span, key: string): unknown {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value && Object.values(value)[0];
}

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let fleet: Fleet;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    fleet = await startFleet();
  });
  afterAll(async () => {
    await fleet?.close();
    await receiver?.close();
  });

  it('exports one trace per request (HTTP, GraphQL, pg, the Apple call) and stamps its trace_id on the log line', async () => {
    const instance = await fleet.start('traced', { OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`, OTEL_BSP_SCHEDULE_DELAY: '200' });
    await uploadToken(fleet, instance, 0); // createDepTokenKeyPair, then uploadDepToken (calls Apple's /account)

    const uploaded = await until(() => logLines(instance.proc.stdout()).find((l) => l.msg === 'DEP token uploaded'), 'the upload log line');
    expect(uploaded.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(uploaded.span_id).toMatch(/^[0-9a-f]{16}$/);
    const traceId = uploaded.trace_id as string;

    const simPort = new URL(fleet.sim.url).port;
    const trace = await until(() => {
      const mine = receiver.spans.filter((s) => s.traceId === traceId);
      const inbound = mine.find((s) => s.kind === SERVER && /POST/.test(s.name));
      const graphql = mine.find((s) => s.name.startsWith('graphql.') || /^mutation\b/.test(s.name));
      const pg = mine.filter((s) => attr(s, 'db.system') === 'postgresql' || attr(s, 'db.system.name') === 'postgresql');
      const apple = mine.find((s) => s.kind === CLIENT && String(attr(s, 'url.full') ?? '').includes(`:${simPort}/account`));
      return inbound && graphql && pg.length > 0 && apple ? { mine, inbound, graphql, pg, apple } : undefined;
    }, `spans of trace ${traceId} (received: ${receiver.paths.length} posts)`, 20_000).catch((error) => {
      throw new Error(`${(error as Error).message}\n${JSON.stringify(receiver.spans.map((s) => [s.traceId, s.kind, s.name]))}`);
    });

    expect(trace.inbound.service).toBe('depgate');
    expect(attr(trace.inbound, 'http.route') ?? attr(trace.inbound, 'url.path') ?? attr(trace.inbound, 'http.target')).toMatch(/\/graphql/);
    expect(trace.apple.service).toBe('depgate');
    // The log line's span is one of the exported spans of that trace.
    expect(trace.mine.map((s) => s.spanId)).toContain(uploaded.span_id);
    // Statement text only: no span of the trace records bound values or GraphQL argument values.
    expect(trace.pg.some((s) => /INSERT/i.test(String(attr(s, 'db.statement') ?? attr(s, 'db.query.text') ?? '')))).toBe(true);
    const valueKeys = trace.mine.flatMap((s) => s.attributes.map((a) => a.key)).filter((k) => /values|parameters|args/i.test(k));
    expect(valueKeys).toEqual([]);
    // Probes are not traced.
    expect(receiver.spans.some((s) => /readyz/.test(String(attr(s, 'url.path') ?? attr(s, 'http.target') ?? s.name)))).toBe(false);

    // SIGTERM flushes and exits 0.
    instance.proc.child.kill('SIGTERM');
    expect(await instance.proc.waitForExit(15_000)).toEqual({ code: 0, signal: null });
    // Only traces were sent (no OTLP metrics or logs), all as JSON.
    expect(new Set(receiver.paths)).toEqual(new Set(['POST /v1/traces application/json']));
  }, 180_000); // it starts a server process (ts-node), slow on a loaded machine
});

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  /** The @opentelemetry modules in require.cache after loading src/telemetry/preload.ts (as main.ts does). */
  async function loadedOtelModules(env: Record<string, string>): Promise<string[]> {
    const script = `require('./src/telemetry/preload'); require('pg'); require('pino');
      process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((k) => k.includes('@opentelemetry'))));`;
    const proc = runNode(['-r', 'ts-node/register/transpile-only', '-e', script], env);
    expect(await proc.waitForExit(30_000)).toEqual({ code: 0, signal: null });
    return JSON.parse(proc.stdout());
  }

  it('loads no OpenTelemetry module at all (and does with it: the check can see them)', async () => {
    expect(await loadedOtelModules({})).toEqual([]);
    expect((await loadedOtelModules({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).length).toBeGreaterThan(0);
  });
});
