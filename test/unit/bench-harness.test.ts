import { benchResult, formatResult } from '../../bench/support/result';
import { intFromEnv, selectedSections } from '../../bench/support/sections';

describe('the bench output', () => {
  it('is one JSON object per result with the six fields, ratio = value / baseline', () => {
    const line = formatResult(benchResult('ingest-first-sync', 30_000, 'devices/s', 40_000, 'higher'));
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ bench: 'ingest-first-sync', value: 30_000, unit: 'devices/s', baseline: 40_000, ratio: 0.75, better: 'higher' });
  });

  it('rounds to three significant digits and has no ratio without a baseline', () => {
    expect(benchResult('x', 12.3456, 'ms', 4.1, 'lower')).toEqual({ bench: 'x', value: 12.3, unit: 'ms', baseline: 4.1, ratio: 3.01, better: 'lower' });
    expect(benchResult('x', 5, 'ms', null, 'lower').ratio).toBeNull();
  });
});

describe('BENCH_ONLY', () => {
  const built = ['ingest', 'queries'] as const;
  it('selects every built section when unset or empty', () => {
    expect(selectedSections(undefined, built)).toEqual(['ingest', 'queries']);
    expect(selectedSections(' ', built)).toEqual(['ingest', 'queries']);
  });

  it('selects the named sections, in run order', () => {
    expect(selectedSections('queries', built)).toEqual(['queries']);
    expect(selectedSections('queries, ingest', built)).toEqual(['ingest', 'queries']);
  });

  it('refuses unknown and unbuilt sections rather than measuring nothing', () => {
    expect(() => selectedSections('ingset', built)).toThrow(/unknown sections: ingset/);
    expect(() => selectedSections('fanout', built)).toThrow(/not built yet: fanout/);
  });

  it('reads BENCH_DEVICES as a positive integer', () => {
    expect(intFromEnv(undefined, 100_000)).toBe(100_000);
    expect(intFromEnv('10000', 100_000)).toBe(10_000);
    expect(() => intFromEnv('10k', 1)).toThrow(/positive integer/);
  });
});
