/** Which sections `BENCH_ONLY` selects (comma-separated; unset or empty = all that exist). */
export const SECTION_NAMES = ['ingest', 'latency', 'queries', 'fanout', 'large', 'tokens'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export function selectedSections(only: string | undefined, available: readonly SectionName[]): SectionName[] {
  const wanted = (only ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (wanted.length === 0) return [...available];
  const unknown = wanted.filter((w) => !(SECTION_NAMES as readonly string[]).includes(w));
  if (unknown.length) throw new Error(`BENCH_ONLY names unknown sections: ${unknown.join(', ')} (known: ${SECTION_NAMES.join(', ')})`);
  const missing = wanted.filter((w) => !available.includes(w as SectionName));
  if (missing.length) throw new Error(`BENCH_ONLY asks for sections not built yet: ${missing.join(', ')}`);
  return available.filter((s) => wanted.includes(s));
}

/** A positive integer from the environment, else the default. */
export function intFromEnv(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${JSON.stringify(value)}`);
  return n;
}
