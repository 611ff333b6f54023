import { CursorCodec } from '../../../src/simulator/cursor';

describe('CursorCodec', () => {
  const codec = new CursorCodec();
  const payload = { s: 'server-1', p: 1000, n: 2500, e: 2500, t: 1_700_000_000_000 };

  it('round-trips what it issued', () => {
    expect(codec.decode(codec.encode(payload))).toEqual(payload);
    expect(codec.decode(codec.encode({ s: 'x', e: 3, t: 4 }))).toEqual({ s: 'x', e: 3, t: 4 });
  });

  it('refuses garbage, edits, and cursors of another simulator', () => {
    const cursor = codec.encode(payload);
    const [body, tag] = cursor.split('.');
    const edited = Buffer.from(JSON.stringify({ ...payload, p: 0 })).toString('base64url');
    expect(codec.decode(`${edited}.${tag}`)).toBeNull();
    // Change the tag's last character to another one (a fixed 'x' would be no edit when it ends in x).
    const last = tag.slice(-1) === 'x' ? 'y' : 'x';
    expect(codec.decode(`${body}.${tag.slice(0, -1)}${last}`)).toBeNull();
    expect(codec.decode(body)).toBeNull();
    expect(codec.decode('')).toBeNull();
    expect(codec.decode('....')).toBeNull();
    expect(new CursorCodec().decode(cursor)).toBeNull();
  });

  it('refuses well-signed payloads of the wrong shape', () => {
    const bad = [{ s: 1, e: 0, t: 0 }, { s: 'x', e: -1, t: 0 }, { s: 'x', e: 0, t: 0, p: 1 }, { s: 'x', e: 1.5, t: 0 }];
    for (const p of bad) expect(codec.decode(codec.encode(p as never))).toBeNull();
  });
});
