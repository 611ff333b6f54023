/**
 * Device.os and Device.deviceFamily are enums (issue #10): the database keeps Apple's text, the
 * API names it, and a value Apple adds later is UNKNOWN rather than an error or a lost row.
 */
import { serials, uploadToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

it("lists Apple's os and device_family values as the enums, later ones as UNKNOWN", async () => {
  const token = await uploadToken(t, 'platform-token');
  const rows: [os: string | null, family: string | null][] = [
    ['iOS', 'iPhone'],
    ['iPadOS', 'iPad'],
    ['iOS', 'iPod'],
    ['OSX', 'Mac'],
    ['tvOS', 'AppleTV'],
    ['visionOS', 'Vision'],
    ['watchOS', 'Watch'],
    [null, null],
  ];
  const serialNumbers = serials('PLAT', rows.length);
  await t.app.dataSource.query(
    `INSERT INTO devices (token_id, serial_number, os, device_family, source, created_at, updated_at)
     SELECT $1, s, o, f, 'SYNC', now(), now() FROM unnest($2::text[], $3::text[], $4::text[]) AS r(s, o, f)`,
    [token.rowId, serialNumbers, rows.map((r) => r[0]), rows.map((r) => r[1])],
  );
  const data = await t.ok(`{ devices(first: 20) { edges { node { serialNumber os deviceFamily } } } }`);
  expect(data.devices.edges.map((e: any) => [e.node.os, e.node.deviceFamily])).toEqual([
    ['IOS', 'IPHONE'],
    ['IPADOS', 'IPAD'],
    ['IOS', 'IPOD'],
    ['OSX', 'MAC'],
    ['TVOS', 'APPLE_TV'],
    ['VISIONOS', 'VISION'],
    ['UNKNOWN', 'UNKNOWN'],
    [null, null],
  ]);
  // Stored as Apple sent it.
  const stored = await t.app.dataSource.query(`SELECT os, device_family FROM devices WHERE token_id = $1 ORDER BY serial_number`, [token.rowId]);
  expect(stored.map((r: any) => [r.os, r.device_family])).toEqual(rows);
});
