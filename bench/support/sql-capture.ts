/**
 * The SQL statements (text and values) this process sends through pg while some work runs, so a
 * section can EXPLAIN exactly what a GraphQL request ran and time the same statements bare.
 */
import { Client } from 'pg';

export interface CapturedStatement {
  text: string;
  values: unknown[];
}

let sink: CapturedStatement[] | null = null;
let patched = false;

function patch(): void {
  if (patched) return;
  patched = true;
  const original = Client.prototype.query;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    if (sink) {
      const [first, second] = args as [unknown, unknown];
      if (typeof first === 'string') sink.push({ text: first, values: Array.isArray(second) ? second : [] });
      else if (first && typeof first === 'object' && typeof (first as { text?: unknown }).text === 'string') {
        const q = first as { text: string; values?: unknown[] };
        sink.push({ text: q.text, values: q.values ?? (Array.isArray(second) ? second : []) });
      }
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Client.prototype.query;
}

export async function captureSql<T>(work: () => Promise<T>): Promise<{ result: T; statements: CapturedStatement[] }> {
  patch();
  const statements: CapturedStatement[] = [];
  sink = statements;
  try {
    return { result: await work(), statements };
  } finally {
    sink = null;
  }
}
