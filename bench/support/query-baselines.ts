/**
 * The two baselines of the `queries` section, each an HTTP server on loopback so that every target
 * pays the same transport and client costs:
 *
 *   raw SQL floor   the page through ONE query on the list index (pg pool), serialised to JSON in
 *                   the shape GraphQL answers;
 *   plain graphql   graphql-js (parse, validate, execute) with plain resolvers over that one query.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, GraphQLID, graphql } from 'graphql';
import { Pool } from 'pg';
import { toGlobalId } from '../../src/graphql/global-id';

/** The device list page (default order: serial number, then id) with its profile and token names. */
export const PAGE_SQL = `
  SELECT d.id, d.serial_number, d.model, d.profile_status, p.name AS profile_name, t.name AS token_name
    FROM devices d
    JOIN dep_tokens t ON t.id = d.token_id
    LEFT JOIN enrollment_profiles p ON p.id = d.profile_id
   WHERE d.deleted_at IS NULL
   ORDER BY d.serial_number COLLATE "C", d.id
   LIMIT $1`;

interface Row {
  id: string;
  serial_number: string;
  model: string | null;
  profile_status: string;
  profile_name: string | null;
  token_name: string;
}

const named = new GraphQLObjectType({ name: 'Named', fields: { name: { type: GraphQLString } } });
const device = new GraphQLObjectType<Row>({
  name: 'Device',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID), resolve: (r) => toGlobalId('Device', r.id) },
    serialNumber: { type: new GraphQLNonNull(GraphQLString), resolve: (r) => r.serial_number },
    model: { type: GraphQLString },
    profileStatus: { type: new GraphQLNonNull(GraphQLString), resolve: (r) => r.profile_status },
    profile: { type: named, resolve: (r) => (r.profile_name === null ? null : { name: r.profile_name }) },
    token: { type: named, resolve: (r) => ({ name: r.token_name }) },
  },
});
const edge = new GraphQLObjectType({ name: 'DeviceEdge', fields: { node: { type: device } } });
const connection = new GraphQLObjectType({ name: 'DeviceConnection', fields: { edges: { type: new GraphQLList(edge) } } });

function plainSchema(pool: Pool): GraphQLSchema {
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        devices: {
          type: connection,
          args: { first: { type: GraphQLInt } },
          resolve: async (_root, { first }: { first: number }) => {
            const { rows } = await pool.query<Row>(PAGE_SQL, [first]);
            return { edges: rows.map((node) => ({ node })) };
          },
        },
      },
    }),
  });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function listen(handler: (body: string) => Promise<unknown>): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(async (req, res) => {
    try {
      const out = JSON.stringify(await handler(await readBody(req)));
      res.writeHead(200, { 'content-type': 'application/json' }).end(out);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

export interface QueryBaselines {
  rawUrl: string;
  plainUrl: string;
  close(): Promise<void>;
}

export async function startQueryBaselines(databaseUrl: string): Promise<QueryBaselines> {
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  const schema = plainSchema(pool);
  // The body is `{"variables":{"first":N}}` for both, like the GraphQL request.
  const raw = await listen(async (body) => {
    const { first } = JSON.parse(body).variables as { first: number };
    const { rows } = await pool.query<Row>(PAGE_SQL, [first]);
    return {
      data: {
        devices: {
          edges: rows.map((r) => ({
            node: {
              id: toGlobalId('Device', r.id),
              serialNumber: r.serial_number,
              model: r.model,
              profileStatus: r.profile_status,
              profile: r.profile_name === null ? null : { name: r.profile_name },
              token: { name: r.token_name },
            },
          })),
        },
      },
    };
  });
  const plain = await listen(async (body) => {
    const { query, variables } = JSON.parse(body);
    return graphql({ schema, source: query, variableValues: variables });
  });
  return {
    rawUrl: raw.url,
    plainUrl: plain.url,
    async close() {
      await new Promise((r) => raw.server.close(r));
      await new Promise((r) => plain.server.close(r));
      await pool.end();
    },
  };
}
