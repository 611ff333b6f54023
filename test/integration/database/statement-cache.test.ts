/**
 * statement-cache.ts reuses a query's SQL text for every query of the same shape (issue #15): the
 * values must still be each query's own, a builder changed after a read must build its new text,
 * shapes it does not key must be built as typeorm builds them, and the shapes it keeps are
 * bounded. Under NODE_ENV=test (this suite) every reused text is also built again and compared,
 * so every query of every other suite checks the key as well.
 */
import { AccessScope } from '../../../src/auth/access-scope';
import { getEntities, getEntitiesAndRows } from '../../../src/database/entity-rows';
import { MAX_REMEMBERED, rememberedShapes, statementCounts } from '../../../src/database/statement-cache';
import { DeviceEntity } from '../../../src/devices/device.entity';
import { DepTokenEntity } from '../../../src/tokens/token.entity';
import { createDevices, serials, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
let token: UploadedToken;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  token = await uploadToken(t, 'statement-cache-token');
  await createDevices(t, token, serials('CACHE', 6), { depgateOnly: true });
});
afterAll(() => t.close());

const devices = () => t.app.dataSource.getRepository(DeviceEntity).createQueryBuilder('d');
const serialsOf = (rows: DeviceEntity[]) => rows.map((d) => d.serialNumber);

it('the checks run: this suite builds every reused text again', () => {
  expect(process.env.NODE_ENV).toBe('test');
});

it('reuses the text of a query of the same shape, each with its own values', async () => {
  const [a, b] = serials('CACHE', 2);
  const before = rememberedShapes();
  const counted = statementCounts();
  const one = await getEntities(devices().where('d.serial_number = :serial', { serial: a }).orderBy('d.serial_number'));
  const after = rememberedShapes();
  const two = await getEntities(devices().where('d.serial_number = :serial', { serial: b }).orderBy('d.serial_number'));
  expect([serialsOf(one), serialsOf(two)]).toEqual([[a], [b]]);
  expect(after).toBe(before + 1);
  expect(rememberedShapes()).toBe(after);
  expect(statementCounts()).toEqual({ built: counted.built + 1, reused: counted.reused + 1 });
  // An array parameter spreads into as many placeholders as it has values, each time.
  const spread = (list: string[]) => getEntities(devices().where('d.serial_number IN (:...list)', { list }).orderBy('d.serial_number'));
  expect(serialsOf(await spread(serials('CACHE', 3)))).toEqual(serials('CACHE', 3));
  expect(serialsOf(await spread(serials('CACHE', 1, 5)))).toEqual(serials('CACHE', 1, 5));
});

it('a builder changed after a read builds its new text', async () => {
  const qb = devices().where('d.serial_number LIKE :prefix', { prefix: 'CACHE%' }).orderBy('d.serial_number');
  expect(await getEntities(qb)).toHaveLength(6);
  qb.andWhere('d.serial_number > :after', { after: serials('CACHE', 1, 3)[0] });
  expect(serialsOf(await getEntities(qb))).toEqual(serials('CACHE', 2, 4));
  qb.limit(1);
  expect(serialsOf(await getEntities(qb))).toEqual(serials('CACHE', 1, 4));
});

it('builds a query with a join as typeorm does, and does not keep it', async () => {
  const before = statementCounts();
  for (const name of ['statement-cache-token', 'no such token']) {
    const rows = await getEntities(devices().innerJoin('dep_tokens', 'tk', 'tk.id = d.token_id').where('tk.name = :name', { name }).orderBy('d.serial_number'));
    expect(rows).toHaveLength(name === 'no such token' ? 0 : 6);
  }
  expect(statementCounts()).toEqual(before);
});

it('keeps a join of an entity class by its condition, each with its own values', async () => {
  const joined = (condition: string, name: string) =>
    devices().select(['d.id', 'd.serialNumber']).leftJoin(DepTokenEntity, 'tk', condition).addSelect('"tk"."name"', 'tk_name').where('d.serial_number = :serial', { serial: name });
  const [a, b] = serials('CACHE', 2);
  const before = statementCounts();
  const first = await getEntitiesAndRows(joined('tk.id = d.token_id', a));
  const second = await getEntitiesAndRows(joined('tk.id = d.token_id', b));
  // Another condition is another shape: it must not reuse the first text (nothing would join).
  const other = await getEntitiesAndRows(joined('tk.id = d.token_id AND tk.name = \'no such token\'', a));
  expect([serialsOf(first.entities), serialsOf(second.entities), serialsOf(other.entities)]).toEqual([[a], [b], [a]]);
  expect([first.rows[0]!.tk_name, second.rows[0]!.tk_name, other.rows[0]!.tk_name]).toEqual(['statement-cache-token', 'statement-cache-token', null]);
  const after = statementCounts();
  expect([after.built - before.built, after.reused - before.reused]).toEqual([2, 1]);
});

it('keeps a bounded number of shapes however many a caller makes', async () => {
  for (let limit = 1; limit <= MAX_REMEMBERED + 20; limit++) {
    const rows = await getEntities(devices().where('d.serial_number LIKE :prefix', { prefix: 'CACHE%' }).orderBy('d.serial_number').limit(limit));
    expect(rows).toHaveLength(Math.min(limit, 6));
  }
  expect(rememberedShapes()).toBe(MAX_REMEMBERED);
  // The first shapes were dropped, and are built again when asked.
  expect(serialsOf(await getEntities(devices().where('d.serial_number LIKE :prefix', { prefix: 'CACHE%' }).orderBy('d.serial_number').limit(2)))).toEqual(
    serials('CACHE', 2),
  );
});

it("a scoped key's pages are one shape whatever its cursor, and a query is refused another key's tags", async () => {
  const { createScopeTag } = await t.ok(`mutation { createScopeTag(input: {name: "cache-tag"}) { scopeTag { id } } }`);
  const tag = createScopeTag.scopeTag.id;
  await t.ok(`mutation ($id: ID!, $tags: [ID!]!) { updateDepToken(input: {tokenId: $id, scopeTagIds: $tags}) { token { id } } }`, { id: token.id, tags: [tag] });
  const key = await t.createKey('READER', [tag]);
  const page = (after: string | null) =>
    t.ok(`query ($after: String) { devices(first: 2, after: $after) { edges { node { serialNumber } } pageInfo { endCursor } } }`, { after }, key);
  const first = await page(null);
  const second = await page(first.devices.pageInfo.endCursor);
  const before = statementCounts();
  const third = await page(second.devices.pageInfo.endCursor);
  expect([first, second, third].flatMap((p) => p.devices.edges.map((e: any) => e.node.serialNumber))).toEqual(serials('CACHE', 6));
  // The page's one statement, its text the second page's.
  expect(statementCounts()).toEqual({ built: before.built, reused: before.reused + 1 });

  const other = new AccessScope({ scopeTagIds: ['00000000-0000-4000-8000-000000000001'] });
  const restricted = new AccessScope({ scopeTagIds: [tag] }).restrictTokens(devices(), 'd.token_id');
  expect(() => other.restrictTokens(restricted, 'd.token_id')).toThrow(/another key/);
  expect(() => other.tokenJoinCondition(restricted, 'p.token_id')).toThrow(/another key/);
  // The same key's tags again are the same binding, in a WHERE or in a join's condition.
  expect(() => new AccessScope({ scopeTagIds: [tag] }).restrictTokens(restricted, 'd.token_id')).not.toThrow();
  expect(new AccessScope({ scopeTagIds: [tag] }).tokenJoinCondition(restricted, 'p.token_id')).toMatch(/EXISTS .*p\.token_id/);
  expect(new AccessScope({ scopeTagIds: [] }).tokenJoinCondition(devices(), 'p.token_id')).toBe('TRUE');
});
