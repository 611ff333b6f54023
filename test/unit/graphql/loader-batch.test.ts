import DataLoader from 'dataloader';
import { byIds, LoaderBatchError } from '../../../src/graphql/loader-batch';

describe('byIds', () => {
  const a = { id: 'a', n: 1 };
  const b = { id: 'b', n: 2 };

  it('answers one row or null per key, in the order of the keys', () => {
    expect(byIds(['b', 'x', 'a'], [a, b])).toEqual([b, null, a]);
    expect(byIds([], [])).toEqual([]);
  });

  it('lines rows up by another key when told', () => {
    const runs = [{ id: 'r1', tokenId: 't2' }];
    expect(byIds(['t1', 't2'], runs, (r) => r.tokenId)).toEqual([null, runs[0]]);
  });

  it('throws on two rows for one key instead of picking one', () => {
    expect(() => byIds(['a'], [a, { id: 'a', n: 3 }])).toThrow(LoaderBatchError);
    expect(() => byIds(['a'], [a, { id: 'a', n: 3 }])).toThrow('two rows for key a');
  });

  it('throws on a row for a key that was not asked for', () => {
    expect(() => byIds(['a'], [a, b])).toThrow('a row for key b, which was not asked for');
  });

  it('keeps DataLoader callers apart: each load gets its own row', async () => {
    const loader = new DataLoader(async (keys: readonly string[]) => byIds(keys, [b, a]));
    await expect(Promise.all([loader.load('a'), loader.load('b'), loader.load('x')])).resolves.toEqual([a, b, null]);
  });
});
