/** CommitsInOrder: writes overlap, each commits after the ones started before it, failures stop all. */
import { CommitsInOrder } from '../../../src/sync/commits-in-order';

/** A write the test finishes by hand: `rows` when it wrote its rows, `commit` after its turn. */
function write(log: string[], name: string) {
  let finish!: (error?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error) => (error ? reject(error) : resolve());
  });
  let sawTurn: Promise<void> | undefined | 'not started' = 'not started';
  const run = async (turn: Promise<void> | undefined) => {
    sawTurn = turn;
    log.push(`${name} rows`);
    await finished;
    await turn;
    log.push(`${name} commit`);
  };
  return { run, finish, turn: () => sawTurn };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

it('starts a write at once, alone without a turn, and holds the caller once `depth` are in flight', async () => {
  const log: string[] = [];
  const writes = new CommitsInOrder(2);
  const a = write(log, 'a');
  const b = write(log, 'b');
  await writes.add(a.run);
  await tick();
  expect(a.turn()).toBeUndefined();
  let bAdded = false;
  const adding = writes.add(b.run).then(() => (bAdded = true));
  await tick();
  expect(log).toEqual(['a rows', 'b rows']);
  expect(b.turn()).toBeInstanceOf(Promise);
  expect(bAdded).toBe(false); // two in flight: the caller waits for room
  a.finish();
  await adding;
  expect(bAdded).toBe(true);
  b.finish();
  await writes.drain();
  expect(log).toEqual(['a rows', 'b rows', 'a commit', 'b commit']);
});

it('commits in the order the writes were added even when a later one finishes first', async () => {
  const log: string[] = [];
  const writes = new CommitsInOrder(3);
  const [a, b, c] = ['a', 'b', 'c'].map((n) => write(log, n));
  await writes.add(a.run);
  await writes.add(b.run);
  const adding = writes.add(c.run);
  c.finish();
  b.finish();
  await tick();
  expect(log).toEqual(['a rows', 'b rows', 'c rows']); // b and c wait for a
  a.finish();
  await adding;
  await writes.drain();
  expect(log).toEqual(['a rows', 'b rows', 'c rows', 'a commit', 'b commit', 'c commit']);
});

it('a write after the queue emptied is alone again', async () => {
  const log: string[] = [];
  const writes = new CommitsInOrder(2);
  const a = write(log, 'a');
  await writes.add(a.run);
  a.finish();
  await writes.drain();
  const b = write(log, 'b');
  await writes.add(b.run);
  await tick();
  expect(b.turn()).toBeUndefined();
  b.finish();
  await writes.drain();
});

it('a failed write fails the writes after it before they commit, and every later add and drain', async () => {
  const log: string[] = [];
  const writes = new CommitsInOrder(3);
  const [a, b] = ['a', 'b'].map((n) => write(log, n));
  await writes.add(a.run);
  await writes.add(b.run);
  b.finish(); // b wrote its rows and waits for its turn
  a.finish(new Error('a rolled back'));
  await expect(writes.drain()).rejects.toThrow('a rolled back');
  expect(log).toEqual(['a rows', 'b rows']); // b never committed
  const c = write(log, 'c');
  await expect(writes.add(c.run)).rejects.toThrow('a rolled back');
  expect(log).toEqual(['a rows', 'b rows']); // c never started
  await expect(writes.drain()).rejects.toThrow('a rolled back');
});

it('the add that waits for room rejects with a failure that happens meanwhile', async () => {
  const log: string[] = [];
  const writes = new CommitsInOrder(1);
  const a = write(log, 'a');
  const adding = writes.add(a.run);
  a.finish(new Error('statement failed'));
  await expect(adding).rejects.toThrow('statement failed');
});

it('settle waits for every write and does not throw', async () => {
  const log: string[] = [];
  const writes = new CommitsInOrder(3);
  const [a, b] = ['a', 'b'].map((n) => write(log, n));
  await writes.add(a.run);
  await writes.add(b.run);
  let settled = false;
  const settling = writes.settle().then(() => (settled = true));
  a.finish(new Error('gone'));
  await tick();
  expect(settled).toBe(false); // b is still in flight
  b.finish();
  await settling;
  expect(settled).toBe(true);
});

it('refuses a depth that is not a positive integer', () => {
  expect(() => new CommitsInOrder(0)).toThrow(RangeError);
  expect(() => new CommitsInOrder(1.5)).toThrow(RangeError);
});
