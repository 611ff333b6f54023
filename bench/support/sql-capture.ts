/**
 * The SQL statements this process sends through pg (typeorm and bare pools alike), from the one
 * patch of pg's Client.prototype.query: counted, for statements per request (support/load.ts), and
 * captured (text and values) while some work runs, so a section can EXPLAIN exactly what a GraphQL
 * request ran and time the same statements bare.
 */
import { Client } from 'pg';

export interface CapturedStatement {
  text: string;
  values: unknown[];
}

let sink: CapturedStatement[] | null = null;
let statements = 0;
let patched = false;

function patch(): void {
  if (patched) return;
  patched = true;
  const original = Client.prototype.query;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    statements++;
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

/** Statements sent so far; counting starts at the first call (call it before the work to count). */
export function sqlStatementCount(): number {
  patch();
  return statements;
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
