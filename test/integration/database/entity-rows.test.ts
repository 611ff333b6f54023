/**
 * entity-rows.ts hydrates list pages and loaders by hand instead of through typeorm's result
 * transformer (issue #15). For every entity depgate declares, on rows that hold every kind of
 * value (text, uuid, integers, booleans, jsonb, bytea, timestamps and NULLs), the entities must be
 * the ones typeorm's getMany() makes: same class, same properties, same values. A query the hand
 * path cannot read as typeorm would is refused, not half hydrated.
 */
import { DeviceEntity } from '../../../src/devices/device.entity';
import { cachedHydrators, getEntities, getEntitiesAndRows, MAX_HYDRATORS_PER_ENTITY } from '../../../src/database/entity-rows';
import { DepTokenEntity } from '../../../src/tokens/token.entity';
import { createDevices, serials, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
let token: UploadedToken;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  token = await uploadToken(t, 'entity-rows-token');
  const { createEnrollmentProfile } = await t.ok(
    `mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`,
    { input: { tokenId: token.id, name: 'Rows profile' } },
  );
  await t.ok(`mutation ($input: CreateScopeTagInput!) { createScopeTag(input: $input) { scopeTag { id } } }`, { input: { name: 'rows-tag' } });
  await t.createKey('READER');
  await createDevices(t, token, serials('ROWS', 4), { depgateOnly: true });
  // Values in the columns a fresh row leaves NULL, so both ways of reading meet dates and counts.
  await t.app.dataSource.query(
    `UPDATE devices SET profile_id = p.id, profile_status = 'ASSIGNED', profile_assigned_at = now(), assignment_failure_count = 2,
            last_assignment_result = 'FAILED', next_assignment_retry_at = now() + interval '1 day'
       FROM enrollment_profiles p WHERE right(devices.serial_number, 1) IN ('0', '2')`,
  );
  expect(createEnrollmentProfile.profile.id).toBeTruthy();
});
afterAll(() => t.close());

it('reads every entity as getMany() does', async () => {
  const readable: string[] = [];
  // Junction tables of many-to-many relations are typeorm's, not entities anyone reads.
  for (const metadata of t.app.dataSource.entityMetadatas.filter((m) => !m.isJunction)) {
    const query = () => t.app.dataSource.createQueryBuilder(metadata.target, 'x').orderBy(`x.${metadata.primaryColumns[0]!.databaseName}`);
    const expected = await query().getMany();
    const actual = await getEntities(query());
    // toEqual: typeorm leaves an unjoined many-to-many as an own `undefined` property, the hand path
    // leaves it out; a reader sees the same either way.
    expect({ entity: metadata.name, rows: actual }).toEqual({ entity: metadata.name, rows: expected });
    for (const row of actual) expect(row).toBeInstanceOf(metadata.target as new () => unknown);
    if (expected.length > 0) readable.push(metadata.name);
  }
  // The comparison meant something: the tables the device list reads held rows.
  expect(readable).toEqual(expect.arrayContaining(['DeviceEntity', 'DepTokenEntity', 'EnrollmentProfileEntity', 'ApiKeyEntity', 'ScopeTagEntity']));
});

it('keeps NULL, dates and numbers as typeorm gives them', async () => {
  const rows = await getEntities(t.app.dataSource.getRepository(DeviceEntity).createQueryBuilder('d').orderBy('d.serial_number'));
  expect(rows).toHaveLength(4);
  expect(rows[0]).toMatchObject({ profileStatus: 'ASSIGNED', assignmentFailureCount: 2, lastAssignmentResult: 'FAILED', deletedAt: null });
  expect(rows[0]!.profileAssignedAt).toBeInstanceOf(Date);
  expect(rows[1]).toMatchObject({ profileStatus: 'EMPTY', assignmentFailureCount: 0, profileId: null, profileAssignedAt: null });
  expect(rows[1]!.createdAt).toEqual(t.clock.now());
});

it('refuses a query that selects more than its own columns', async () => {
  const tokens = () => t.app.dataSource.getRepository(DepTokenEntity).createQueryBuilder('t');
  await expect(getEntities(tokens().leftJoinAndSelect('t.scopeTags', 'tag'))).rejects.toThrow(/selects more than its own columns/);
  await expect(getEntities(tokens().addSelect('1', 'one'))).rejects.toThrow(/selects more than its own columns/);
  await expect(getEntities(tokens().select(['t.id', 't.name', 'tag.id']))).rejects.toThrow(/selects more than its own columns/);
  await expect(getEntities(tokens().select(['t.id', 't.nonsense']))).rejects.toThrow(/selects more than its own columns/);
  await expect(getEntities(tokens().select('t.id').addSelect('t.name', 'label'))).rejects.toThrow(/selects more than its own columns/);
});

it('reads some columns by property as getMany() does, and only those', async () => {
  const devices = () =>
    t.app.dataSource.getRepository(DeviceEntity).createQueryBuilder('d').select(['d.id', 'd.serialNumber', 'd.profileAssignedAt', 'd.profileId']).orderBy('d.serial_number');
  const expected = await devices().getMany();
  const actual = await getEntities(devices());
  expect(actual).toEqual(expected);
  expect(Object.keys(actual[0]!).sort()).toEqual(['id', 'profileAssignedAt', 'profileId', 'serialNumber']);
  expect(actual[0]!.profileAssignedAt).toBeInstanceOf(Date);
  expect(actual[0]).toBeInstanceOf(DeviceEntity);
  // Another projection of the same alias gets a hydrator of its own, not the first one's.
  const other = await getEntities(t.app.dataSource.getRepository(DeviceEntity).createQueryBuilder('d').select(['d.id', 'd.model']).orderBy('d.serial_number'));
  expect(Object.keys(other[0]!).sort()).toEqual(['id', 'model']);
  expect((await getEntities(t.app.dataSource.getRepository(DeviceEntity).createQueryBuilder('d').orderBy('d.serial_number')))[0]).toHaveProperty('description');
});

it('reads named selections of a join beside the entities, row for row, and still refuses a joined entity', async () => {
  const devices = () =>
    t.app.dataSource
      .getRepository(DeviceEntity)
      .createQueryBuilder('d')
      .select(['d.id', 'd.serialNumber'])
      .leftJoin(DepTokenEntity, 'tk', 'tk.id = d.token_id')
      .orderBy('d.serial_number');
  const { entities, rows } = await getEntitiesAndRows(devices().addSelect('"tk"."name"', 'tk_name'));
  expect(entities).toEqual(await devices().getMany());
  expect(Object.keys(entities[0]!).sort()).toEqual(['id', 'serialNumber']);
  expect(rows.map((r) => r.tk_name)).toEqual(entities.map(() => 'entity-rows-token'));
  expect(rows.map((r) => r.d_id)).toEqual(entities.map((e) => e.id));
  await expect(getEntities(devices().addSelect('"tk"."name"', 'tk_name'))).rejects.toThrow(/selects more than its own columns/);
  await expect(getEntitiesAndRows(devices().addSelect('tk.name'))).rejects.toThrow(/selects more than its own columns/);
  await expect(getEntitiesAndRows(devices().addSelect('"tk"."name"', 'd_model'))).rejects.toThrow(/must not begin with d_/);
});

it('keeps a bounded number of hydrators however many column sets callers ask for', async () => {
  const repository = t.app.dataSource.getRepository(DeviceEntity);
  const properties = repository.metadata.columns.map((c) => c.propertyName).filter((p) => p !== 'id');
  // Subsets of the device's columns, as a client asking ever other fields would make them.
  for (let i = 0; i < MAX_HYDRATORS_PER_ENTITY * 2; i++) {
    const chosen = properties.filter((_, bit) => ((i + 1) >> bit) & 1);
    const rows = await getEntities(repository.createQueryBuilder('d').select(['d.id', ...chosen.map((p) => `d.${p}`)]).orderBy('d.serial_number'));
    expect(Object.keys(rows[0]!).sort()).toEqual(['id', ...chosen].sort());
  }
  expect(cachedHydrators(repository.metadata)).toBe(MAX_HYDRATORS_PER_ENTITY);
  // A dropped one is made again, and reads right.
  const first = await getEntities(repository.createQueryBuilder('d').select(['d.id', `d.${properties[0]}`]).orderBy('d.serial_number'));
  expect(Object.keys(first[0]!).sort()).toEqual(['id', properties[0]!].sort());
  expect(cachedHydrators(repository.metadata)).toBe(MAX_HYDRATORS_PER_ENTITY);
});

it('has no load listeners or subscribers to skip', () => {
  expect(t.app.dataSource.subscribers).toEqual([]);
  expect(t.app.dataSource.entityMetadatas.filter((m) => m.afterLoadListeners.length > 0).map((m) => m.name)).toEqual([]);
});
