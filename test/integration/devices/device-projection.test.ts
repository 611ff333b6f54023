/**
 * A device list reads only the columns its selected Device fields need (device-projection.ts,
 * issue #15). Every field of the schema's Device, asked alone through the list and through the
 * lists nested under a token and a profile, must answer what `nodes(ids:)` answers for the same
 * devices, which reads whole rows; every order must page the
 * same with the fewest columns; and the page's SELECT must really leave the other columns out.
 */
import { parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { DEVICE_FIELD_COLUMNS, deviceColumnsFor } from '../../../src/devices/device-projection';
import { countStatements, createDevices, serials, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
let token: UploadedToken;
/** Device field name -> its selection (object fields get a sub-selection). */
let selections: [string, string][];

interface IntrospectedType {
  kind: string;
  name: string | null;
  ofType: IntrospectedType | null;
}
const named = (type: IntrospectedType): IntrospectedType => (type.ofType ? named(type.ofType) : type);

beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  token = await uploadToken(t, 'projection-token');
  const { createEnrollmentProfile } = await t.ok(
    `mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`,
    { input: { tokenId: token.id, name: 'Projection profile' } },
  );
  profileId = createEnrollmentProfile.profile.id;
  await createDevices(t, token, serials('PROJ', 6), { depgateOnly: true });
  // Every column holds a value, different per device, so a field that read a column the page
  // left out would answer null (or another column's value) and differ from nodes().
  await t.app.dataSource.query(
    `UPDATE devices d SET
        model = 'Model ' || right(d.serial_number, 1), description = 'Description ' || d.serial_number, color = 'Color ' || right(d.serial_number, 2),
        asset_tag = 'Tag-' || d.serial_number, os = CASE WHEN right(d.serial_number, 1) < '3' THEN 'iOS' ELSE 'OSX' END,
        device_family = CASE WHEN right(d.serial_number, 1) < '3' THEN 'iPhone' ELSE 'Mac' END,
        apple_profile_uuid = 'UUID-' || d.serial_number, profile_id = p.id, requested_profile_id = p.id, profile_status = 'ASSIGNED',
        profile_assigned_at = now() - interval '1 day', profile_pushed_at = now() - interval '2 days', device_assigned_at = now() - interval '3 days',
        device_assigned_by = 'admin-' || right(d.serial_number, 1) || '@example.com', mdm_migration_deadline = now() + interval '4 days',
        last_op_type = 'modified', last_op_date = now() - interval '5 days', last_synced_at = now() - interval '6 hours',
        last_assignment_result = 'FAILED', last_assignment_at = now() - interval '7 hours', assignment_failure_count = 3,
        next_assignment_retry_at = now() + interval '8 hours', profile_removed_at = now() - interval '9 days',
        deleted_at = CASE WHEN right(d.serial_number, 1) = '5' THEN now() END, deleted_by = CASE WHEN right(d.serial_number, 1) = '5' THEN 'DEPGATE' END,
        updated_at = now() - (right(d.serial_number, 1) || ' minutes')::interval
       FROM enrollment_profiles p WHERE p.name = 'Projection profile'`,
  );
  const { __type } = await t.ok(
    `{ __type(name: "Device") { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`,
  );
  const objectFields = async (typeName: string): Promise<string[]> =>
    (await t.ok(`query ($name: String!) { __type(name: $name) { fields { name } } }`, { name: typeName })).__type.fields.map((f: { name: string }) => f.name);
  selections = [];
  for (const field of __type.fields as { name: string; type: IntrospectedType }[]) {
    const type = named(field.type);
    if (type.kind !== 'OBJECT') {
      selections.push([field.name, field.name]);
      continue;
    }
    const sub = await objectFields(type.name!);
    selections.push([field.name, `${field.name} { ${sub.includes('id') ? 'id' : 'totalCount edges { cursor }'} }`]);
  }
});
afterAll(() => t.close());

const LIST_ARGS = `first: 10, orderBy: { field: MODEL, direction: DESC }, filter: { includeDeleted: true }`;
const LIST = (selection: string) => `{ devices(${LIST_ARGS}) { edges { node { id ${selection} } } } }`;
/** The same list nested under the token and under the profile (paginateNested, one loader each). */
const NESTED = (selection: string) =>
  `query ($token: ID!, $profile: ID!) { token: node(id: $token) { ... on DepToken { devices(${LIST_ARGS}) { edges { node { id ${selection} } } } } }
     profile: node(id: $profile) { ... on EnrollmentProfile { devices(${LIST_ARGS}) { edges { node { id ${selection} } } } } } }`;
let profileId: string;
const NODES = (selection: string) => `query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Device { ${selection} } } }`;

it('declares the columns of every Device field the schema has, and no other', () => {
  const declared = Object.keys(DEVICE_FIELD_COLUMNS).filter((name) => name !== '__typename');
  expect(declared.sort()).toEqual(selections.map(([name]) => name).sort());
});

it('answers every Device field alone through the list as nodes() does, with whole rows', async () => {
  expect(selections.length).toBeGreaterThan(30);
  for (const [name, selection] of selections) {
    const listed = (await t.ok(LIST(selection))).devices.edges.map((e: { node: unknown }) => e.node);
    expect(listed).toHaveLength(6);
    const ids = listed.map((d: { id: string }) => d.id);
    const whole = (await t.ok(NODES(selection), { ids })).nodes;
    expect({ field: name, devices: listed }).toEqual({ field: name, devices: whole });
    const nested = await t.ok(NESTED(selection), { token: token.id, profile: profileId });
    const nodesOf = (list: { devices: { edges: { node: unknown }[] } }) => list.devices.edges.map((e) => e.node);
    expect({ field: name, under: 'token', devices: nodesOf(nested.token) }).toEqual({ field: name, under: 'token', devices: whole });
    // The deleted device holds the profile too (the UPDATE gave every device one).
    expect({ field: name, under: 'profile', devices: nodesOf(nested.profile) }).toEqual({ field: name, under: 'profile', devices: whole });
  }
  // The comparison met values, not nulls on both sides.
  const sample = (await t.ok(LIST('description color os deviceFamily profileRemovedAt deletedBy requestedProfile { name } orgDevice { id }'))).devices.edges[0].node;
  expect(sample).toMatchObject({ description: expect.stringMatching(/^Description PROJ/), color: expect.any(String), os: expect.any(String), requestedProfile: { name: 'Projection profile' } });
  expect(sample.profileRemovedAt).toEqual(expect.any(String));
});

it('pages every order the same with the fewest columns as with all of them', async () => {
  const ALL = selections.map(([, selection]) => selection).join(' ');
  for (const field of ['SERIAL_NUMBER', 'MODEL', 'PROFILE_STATUS', 'LAST_SYNCED_AT', 'DEVICE_ASSIGNED_AT']) {
    for (const direction of ['ASC', 'DESC']) {
      const pages = async (selection: string) => {
        const ids: string[] = [];
        let after: string | null = null;
        for (let i = 0; i < 4; i++) {
          const { devices }: { devices: any } = await t.ok(
            `query ($after: String) { devices(first: 2, after: $after, orderBy: { field: ${field}, direction: ${direction} }) { edges { node { id ${selection} } } pageInfo { endCursor hasNextPage } } }`,
            { after },
          );
          ids.push(...devices.edges.map((e: { node: { id: string } }) => e.node.id));
          if (!devices.pageInfo.hasNextPage) break;
          after = devices.pageInfo.endCursor;
        }
        return ids;
      };
      const fewest = await pages('');
      expect({ field, direction, ids: fewest }).toEqual({ field, direction, ids: await pages(ALL) });
      expect(fewest).toHaveLength(5);
    }
  }
});

it("reads only the selected fields' columns, and every column for a field it does not know", async () => {
  const { statements } = await countStatements(() => t.ok(`{ devices(first: 5) { edges { node { id serialNumber profileStatus } } } }`), /FROM "devices"/);
  expect(statements).toHaveLength(1);
  expect(statements[0]).toMatch(/"d"\."profile_status"/);
  expect(statements[0]).not.toMatch(/"d"\."description"|"d"\."created_at"|"d"\."last_op_date"/);
  // Through a fragment, under an alias: still the fields' columns.
  const spread = await countStatements(() => t.ok(`{ devices(first: 5) { edges { node { ...F } } } } fragment F on Device { label: description }`), /FROM "devices"/);
  expect(spread.statements[0]).toMatch(/"d"\."description"/);
  expect(spread.statements[0]).not.toMatch(/"d"\."color"/);
  // The lists nested under a token: the same projection on the page's outer query.
  const nested = await countStatements(
    () => t.ok(`query ($id: ID!) { node(id: $id) { ... on DepToken { devices(first: 5) { edges { node { serialNumber } } } } } }`, { id: token.id }),
    /FROM "devices" "o"/,
  );
  expect(nested.statements).toHaveLength(1);
  expect(nested.statements[0]).toMatch(/"o"\."serial_number"/);
  expect(nested.statements[0]).not.toMatch(/"o"\."description"|"o"\."created_at"/);
  // A field the table does not name (one added to Device later) reads whole rows.
  const future = parse(`{ devices { edges { node { serialNumber fieldAddedLater } } } }`).definitions[0] as OperationDefinitionNode;
  expect(deviceColumnsFor({ fieldNodes: [future.selectionSet.selections[0] as FieldNode], fragments: {} }, ['edges', 'node'], null)).toBeNull();
});
