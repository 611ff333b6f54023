/**
 * Builds the executable schema from every resolver and prints the sorted SDL that is committed in
 * schema/schema.graphql (the contract with front-end teams).
 */
import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchemaSync, type NonEmptyArray, type PubSub } from 'type-graphql';
import { AssignmentAttemptResolver, DeviceAssignmentHistoryResolver } from './assignment-history/assignment-history.resolver';
import { AppleBusinessAccountResolver } from './apple-business/account.resolver';
import { OrgDeviceActivityResolver } from './apple-business/activity.resolver';
import { DepTokenMdmServerResolver, DeviceOrgDeviceResolver, MdmServerResolver, OrgDeviceResolver } from './apple-business/inventory.resolver';
import { MAX_ACTIVITY_DEVICES, MAX_ORDER_NUMBERS } from './apple-business/activity.service';
import { auditMutations } from './audit/audit.middleware';
import { AuditResolver } from './audit/audit.resolver';
import { AuthResolver } from './auth/auth.resolver';
import { authGuard } from './auth/guard';
import { DepTokenDevicesResolver, DeviceResolver } from './devices/device.resolver';
import { DeviceDeletionResolver } from './devices/device-deletion.resolver';
import { MAX_SERIALS_PER_ASSIGN_CALL } from './devices/assignment.service';
import { MAX_IMPORT_ROWS } from './devices/serial-import';
import { MAX_DEVICE_IDS_PER_DELETION } from './devices/device-deletion.service';
import { ErrorCode } from './errors/error-codes';
import type { TextPolicies } from './graphql/input-characters';
import { MAX_IDS_PER_INPUT, type ListLimits } from './graphql/input-limits';
import { MAX_NODES, NodeResolver } from './graphql/node.resolver';
import { resolveNestedFieldsDirectly } from './graphql/nested-field-resolvers';
import { applyRootFieldMiddlewares } from './graphql/root-field-middleware';
import type { RequestContext } from './context';
import { AppleConfiguratorCertificateResolver, DepTokenProfilesResolver, EnrollmentProfileResolver } from './profiles/profile.resolver';
import { MAX_ANCHOR_CERTIFICATES } from './profiles/profile.rules';
import { SetupPaneResolver } from './profiles/setup-pane.resolver';
import { DepTokenSyncResolver, SyncRunResolver } from './sync/sync.resolver';
import { DepTokenLiveResolver } from './tokens/token-live.resolver';
import { DepTokenResolver } from './tokens/token.resolver';
import { AlertResolver } from './alerts/alert.resolver';
import { AlertApnsCertificateResolver, ApnsCertificateResolver } from './apns/apns-certificate.resolver';
import { ReadinessResolver } from './readiness/readiness.resolver';
import { AlertWebhookResolver, WebhookResolver } from './webhooks/webhook.resolver';
import { VppTokenResolver } from './vpp/vpp-token.resolver';

// eslint-disable-next-line @typescript-eslint/ban-types
export const RESOLVERS: NonEmptyArray<Function> = [
  NodeResolver,
  AuthResolver,
  DepTokenResolver,
  DepTokenLiveResolver,
  VppTokenResolver,
  AlertResolver,
  AuditResolver,
  EnrollmentProfileResolver,
  SetupPaneResolver,
  DepTokenProfilesResolver,
  AppleConfiguratorCertificateResolver,
  DeviceResolver,
  DepTokenDevicesResolver,
  DeviceAssignmentHistoryResolver,
  DeviceDeletionResolver,
  AssignmentAttemptResolver,
  SyncRunResolver,
  DepTokenSyncResolver,
  ApnsCertificateResolver,
  AlertApnsCertificateResolver,
  ReadinessResolver,
  WebhookResolver,
  AlertWebhookResolver,
  AppleBusinessAccountResolver,
  OrgDeviceResolver,
  MdmServerResolver,
  DeviceOrgDeviceResolver,
  DepTokenMdmServerResolver,
  OrgDeviceActivityResolver,
];

/** The Apple Business device-activity inputs: each names devices by serials, order numbers or a CSV. */
const DEVICE_ACTIVITY_INPUTS = [
  'AssignDevicesToMdmServerInput',
  'UnassignDevicesFromMdmServerInput',
  'UpdateMigrationDeadlineInput',
  'CancelMigrationInput',
  'ReleaseDevicesInput',
] as const;

/**
 * The longest list each list argument and input field takes, refused before anything runs
 * (src/graphql/input-limits.ts); each field's description states it, and a test keeps every list
 * of the schema in this table. Enum lists (alert kinds and severities, setup panes) are bounded by
 * the number of values. Codes the features already returned for these lists are kept.
 */
const ids = { max: MAX_IDS_PER_INPUT };
export const LIST_LIMITS: ListLimits = {
  'Query.nodes(ids:)': { max: MAX_NODES, code: ErrorCode.BAD_USER_INPUT },
  'AssignEnrollmentProfileInput.serialNumbers': { max: MAX_SERIALS_PER_ASSIGN_CALL, code: ErrorCode.TOO_MANY_SERIAL_NUMBERS },
  'ImportDeviceSerialsInput.serialNumbers': { max: MAX_IMPORT_ROWS, code: ErrorCode.TOO_MANY_SERIAL_NUMBERS },
  'RemoveEnrollmentProfileInput.serialNumbers': { max: MAX_SERIALS_PER_ASSIGN_CALL, code: ErrorCode.TOO_MANY_SERIAL_NUMBERS },
  'DeleteDevicesInput.deviceIds': { max: MAX_DEVICE_IDS_PER_DELETION },
  'RefreshDeviceDetailsInput.serialNumbers': { max: MAX_SERIALS_PER_ASSIGN_CALL, code: ErrorCode.TOO_MANY_SERIAL_NUMBERS },
  'CreateApiKeyInput.scopeTagIds': ids,
  'UploadDepTokenInput.scopeTagIds': ids,
  'UpdateDepTokenInput.scopeTagIds': ids,
  'UploadVppTokenInput.scopeTagIds': ids,
  'UpdateVppTokenInput.scopeTagIds': ids,
  'CreateWebhookInput.scopeTagIds': ids,
  'UpdateWebhookInput.scopeTagIds': ids,
  'ConnectAppleBusinessAccountInput.scopeTagIds': ids,
  'UpdateAppleBusinessAccountInput.scopeTagIds': ids,
  ...Object.fromEntries(
    DEVICE_ACTIVITY_INPUTS.flatMap((input) => [
      [`${input}.serialNumbers`, { max: MAX_ACTIVITY_DEVICES, code: ErrorCode.TOO_MANY_SERIAL_NUMBERS }],
      [`${input}.orderNumbers`, { max: MAX_ORDER_NUMBERS }],
    ]),
  ),
  'CreateEnrollmentProfileInput.appleConfiguratorCertificateIds': ids,
  'UpdateEnrollmentProfileInput.appleConfiguratorCertificateIds': ids,
  'CreateEnrollmentProfileInput.anchorCertificates': { max: MAX_ANCHOR_CERTIFICATES, code: ErrorCode.ANCHOR_CERTIFICATES_TOO_MANY },
  'UpdateEnrollmentProfileInput.anchorCertificates': { max: MAX_ANCHOR_CERTIFICATES, code: ErrorCode.ANCHOR_CERTIFICATES_TOO_MANY },
};

/**
 * The strings that may hold tab and line breaks (src/graphql/input-characters.ts refuses every
 * other C0 control character everywhere, and these in every string not listed): a file's content
 * is multi-line by nature (a CSV's rows, a PEM's or an S/MIME token file's base64 lines, a VPP
 * token's trailing newline), and descriptions are notes a console edits in a text area. Names,
 * ids, serial numbers, Apple IDs, searches and cursors are one line. A CSV with other control
 * characters is a binary file: it keeps the code the import always gave one.
 */
const multiline = { multiline: true };
export const TEXT_POLICIES: TextPolicies = {
  'ImportDeviceSerialsInput.csv': { multiline: true, code: ErrorCode.CSV_INVALID },
  'UploadDepTokenInput.tokenFile': multiline,
  'RenewDepTokenInput.tokenFile': multiline,
  'UploadVppTokenInput.tokenFile': multiline,
  'RenewVppTokenInput.tokenFile': multiline,
  'AddAppleConfiguratorCertificateInput.pem': multiline,
  'CreateEnrollmentProfileInput.description': multiline,
  'UpdateEnrollmentProfileInput.description': multiline,
  'CreateEnrollmentProfileInput.anchorCertificates': multiline,
  'UpdateEnrollmentProfileInput.anchorCertificates': multiline,
  'CreateScopeTagInput.description': multiline,
  'UploadApnsCertificateInput.certificate': multiline,
  'UploadApnsCertificateInput.privateKey': multiline,
  'RenewApnsCertificateInput.certificate': multiline,
  'RenewApnsCertificateInput.privateKey': multiline,
  'CreateWebhookInput.description': multiline,
  'UpdateWebhookInput.description': multiline,
  'ConnectAppleBusinessAccountInput.privateKeyPem': multiline,
  'UpdateAppleBusinessAccountInput.privateKeyPem': multiline,
  ...Object.fromEntries(DEVICE_ACTIVITY_INPUTS.map((input) => [`${input}.csv`, { multiline: true, code: ErrorCode.CSV_INVALID }])),
};

export function buildDepgateSchema(options: { pubSub?: PubSub } = {}): GraphQLSchema {
  const buildOptions = {
    resolvers: RESOLVERS,
    // Subscriptions need a pubSub to build; printing the SDL (npm run schema, tests) gets an
    // in-memory one. The running app passes the PostgreSQL one (src/events).
    pubSub: options.pubSub ?? createPubSub(),
    validate: false,
  };
  // Nested fields without type-graphql's per-call wrapper where it adds nothing (see
  // nested-field-resolvers.ts): no nested field has a middleware.
  const schema = resolveNestedFieldsDirectly(buildSchemaSync(buildOptions), buildOptions);
  // Root fields only (not type-graphql's globalMiddlewares, which wrap every nested field too: see
  // root-field-middleware.ts). The audit middleware is the outer one: a mutation the guard refuses
  // is recorded too.
  return applyRootFieldMiddlewares<RequestContext>(schema, [auditMutations, authGuard]);
}

export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
