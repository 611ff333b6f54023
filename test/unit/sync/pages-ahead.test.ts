/** PagesAhead: Apple's pages asked in cursor order, at most `depth` ahead of the page being written. */
import { PagesAhead } from '../../../src/sync/pages-ahead';

interface Page {
  n: number;
  cursor?: string;
}

/** A fake Apple whose answers the test releases one by one; `asked` lists the cursors in order. */
function apple(pages: number, failAt?: number) {
  const asked: (string | undefined)[] = [];
  const answers: (() => void)[] = [];
  const ask = (cursor: string | undefined) => {
    asked.push(cursor);
    const n = cursor === undefined ? 0 : Number(cursor.slice(1)) + 1;
    return new Promise<Page>((resolve, reject) => {
      answers.push(() => (n === failAt ? reject(new Error(`page ${n} failed`)) : resolve({ n, cursor: n < pages - 1 ? `c${n}` : undefined })));
    });
  };
  const answerNext = async () => {
    answers.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { asked, ask, answerNext };
}

const after = (page: Page) => page.cursor;

it('asks for the next pages as their cursors arrive, up to `depth` pages not taken, and no more', async () => {
  const a = apple(10);
  const pages = new PagesAhead(a.ask, after, undefined, 2);
  const first = pages.take();
  await a.answerNext(); // page 0: page 1 is asked while page 0 is written
  expect((await first).n).toBe(0);
  expect(a.asked).toEqual([undefined, 'c0']);
  await a.answerNext(); // page 1, not taken yet: page 2 is asked (two ahead)
  expect(a.asked).toEqual([undefined, 'c0', 'c1']);
  await a.answerNext(); // page 2: the queue is full, page 3 waits for room
  expect(a.asked).toEqual([undefined, 'c0', 'c1']);
  expect((await pages.take()).n).toBe(1); // room again: page 3 is asked with page 2's cursor
  expect(a.asked).toEqual([undefined, 'c0', 'c1', 'c2']);
  expect((await pages.take()).n).toBe(2);
});

it('with a depth of one, keeps one request in flight while a page is written', async () => {
  const a = apple(10);
  const pages = new PagesAhead(a.ask, after, 'c4', 1);
  const first = pages.take();
  await a.answerNext();
  expect((await first).n).toBe(5);
  await a.answerNext(); // page 6 fetched while 5 is written; page 7 waits until 6 is taken
  expect(a.asked).toEqual(['c4', 'c5']);
  expect((await pages.take()).n).toBe(6);
  expect(a.asked).toEqual(['c4', 'c5', 'c6']);
});

it('stops after the last page, and hands a failed request over in its turn', async () => {
  const a = apple(3, 2);
  const pages = new PagesAhead(a.ask, after, undefined, 4);
  const first = pages.take();
  await a.answerNext();
  await a.answerNext();
  await a.answerNext(); // page 2 fails while page 0 is still being written: no unhandled rejection
  expect((await first).n).toBe(0);
  expect((await pages.take()).n).toBe(1);
  await expect(pages.take()).rejects.toThrow('page 2 failed');
  expect(a.asked).toEqual([undefined, 'c0', 'c1']);
});

it('asks nothing more once stopped', async () => {
  const a = apple(10);
  const pages = new PagesAhead(a.ask, after, undefined, 2);
  const first = pages.take();
  pages.stop();
  await a.answerNext();
  expect((await first).n).toBe(0);
  expect(a.asked).toEqual([undefined]);
});
