import fs from 'node:fs';
import path from 'node:path';
import { withAdminClient } from './database-server';

export default async function globalTeardown(): Promise<void> {
  const embedded = globalThis.__depgateEmbedded;
  const template = process.env.TEST_TEMPLATE_DATABASE;
  // On a shared server (DATABASE_URL) the run's template goes; an embedded server goes whole.
  if (!embedded && template) await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`));
  if (embedded) {
    await embedded.stop();
    fs.rmSync(path.dirname(embedded.dataDir), { recursive: true, force: true });
  }
}
