/**
 * The one output format of `npm run bench`: a JSON line per result, every figure next to the
 * baseline measured in the same run, so the line reads as a ratio rather than a machine-dependent
 * number (issue #15). `ratio` = value / baseline; `better` says which way is good.
 */
export type Better = 'higher' | 'lower';

export interface BenchResult {
  bench: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  better: Better;
}

/** Rounds to 3 significant digits (the noise on a shared machine is larger than that). */
function round(n: number): number {
  if (!Number.isFinite(n) || n === 0) return n;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(n))));
  return Number(n.toFixed(Math.min(digits, 6)));
}

export function benchResult(bench: string, value: number, unit: string, baseline: number | null, better: Better): BenchResult {
  const ratio = baseline === null || baseline === 0 ? null : round(value / baseline);
  return { bench, value: round(value), unit, baseline: baseline === null ? null : round(baseline), ratio, better };
}

export function formatResult(result: BenchResult): string {
  const { bench, value, unit, baseline, ratio, better } = result;
  return JSON.stringify({ bench, value, unit, baseline, ratio, better });
}

/** Results go to stdout as they are measured (a long run shows progress); notes go to stderr. */
export function emit(result: BenchResult): void {
  process.stdout.write(`${formatResult(result)}\n`);
}

export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
