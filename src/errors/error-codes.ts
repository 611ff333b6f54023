/**
 * The one list of `extensions.code` values depgate returns, with what each means and the
 * extensions it carries (ERROR_CODE_DOCS). Front ends switch on these; adding one is an API change,
 * renaming one is a breaking change. The schema's `enum ErrorCode` (error-code.type.ts) and the
 * README's table (errorCodeMarkdownTable) are generated from here; tests keep them in step.
 */
export enum ErrorCode {
  // Generic
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  TOO_MANY_ITEMS = 'TOO_MANY_ITEMS',
  /** A string argument holds a control character or an unpaired surrogate (HTTP 400, before anything runs). */
  INVALID_CHARACTERS = 'INVALID_CHARACTERS',

  // Transport (src/http/, the WebSocket adapter): requests refused before any operation runs
  /** The HTTP body is not a JSON object, or uses a charset or Content-Encoding depgate does not read (HTTP 400 or 415). */
  BAD_REQUEST = 'BAD_REQUEST',
  /** The HTTP body is over the limit (HTTP 413). */
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** The API key used up RATE_LIMIT_PER_MINUTE (extensions.retryAfterSeconds; HTTP 429 with Retry-After). */
  RATE_LIMITED = 'RATE_LIMITED',
  /** A subscription was sent over HTTP: subscriptions run over the WebSocket on the same path (HTTP 400). */
  SUBSCRIPTION_OVER_HTTP = 'SUBSCRIPTION_OVER_HTTP',
  /** The WebSocket already has WS_MAX_SUBSCRIPTIONS_PER_SOCKET operations open (extensions.limit). */
  SUBSCRIPTION_LIMIT_REACHED = 'SUBSCRIPTION_LIMIT_REACHED',

  // Access control
  SCOPE_TAG_IN_USE = 'SCOPE_TAG_IN_USE',
  SCOPE_TAG_NAME_TAKEN = 'SCOPE_TAG_NAME_TAKEN',

  // DEP token key pairs and token files
  DATA_SHARING_CONSENT_REQUIRED = 'DATA_SHARING_CONSENT_REQUIRED',
  TOKEN_KEY_PAIR_EXPIRED = 'TOKEN_KEY_PAIR_EXPIRED',
  TOKEN_KEY_PAIR_USED = 'TOKEN_KEY_PAIR_USED',
  TOKEN_FILE_TOO_LARGE = 'TOKEN_FILE_TOO_LARGE',
  TOKEN_FILE_UNREADABLE = 'TOKEN_FILE_UNREADABLE',
  TOKEN_NOT_DECRYPTABLE = 'TOKEN_NOT_DECRYPTABLE',
  TOKEN_PAYLOAD_MALFORMED = 'TOKEN_PAYLOAD_MALFORMED',
  TOKEN_EXPIRED = 'TOKEN_EXPIRED',
  TOKEN_TERMS_NOT_ACCEPTED = 'TOKEN_TERMS_NOT_ACCEPTED',
  TOKEN_REJECTED_BY_APPLE = 'TOKEN_REJECTED_BY_APPLE',
  TOKEN_ALREADY_REGISTERED = 'TOKEN_ALREADY_REGISTERED',
  TOKEN_SERVER_MISMATCH = 'TOKEN_SERVER_MISMATCH',
  APPLE_ID_MISMATCH = 'APPLE_ID_MISMATCH',
  TOKEN_IN_USE = 'TOKEN_IN_USE',

  // Enrollment profiles (the rules in src/profiles/profile.rules.ts; one code per rule)
  PROFILE_LIMIT_REACHED = 'PROFILE_LIMIT_REACHED',
  PROFILE_NAME_REQUIRED = 'PROFILE_NAME_REQUIRED',
  PROFILE_NAME_TOO_LONG = 'PROFILE_NAME_TOO_LONG',
  PROFILE_DESCRIPTION_TOO_LONG = 'PROFILE_DESCRIPTION_TOO_LONG',
  AUTHENTICATION_METHOD_REQUIRED = 'AUTHENTICATION_METHOD_REQUIRED',
  AUTHENTICATION_METHOD_REQUIRES_USER_AFFINITY = 'AUTHENTICATION_METHOD_REQUIRES_USER_AFFINITY',
  COMPANY_PORTAL_REQUIRES_USER_AFFINITY = 'COMPANY_PORTAL_REQUIRES_USER_AFFINITY',
  COMPANY_PORTAL_VPP_TOKEN_REQUIRES_INSTALL = 'COMPANY_PORTAL_VPP_TOKEN_REQUIRES_INSTALL',
  COMPANY_PORTAL_VPP_TOKEN_NOT_FOUND = 'COMPANY_PORTAL_VPP_TOKEN_NOT_FOUND',
  COMPANY_PORTAL_VPP_TOKEN_EXPIRED = 'COMPANY_PORTAL_VPP_TOKEN_EXPIRED',
  SINGLE_APP_MODE_REQUIRES_USER_AFFINITY = 'SINGLE_APP_MODE_REQUIRES_USER_AFFINITY',
  SINGLE_APP_MODE_REQUIRES_COMPANY_PORTAL = 'SINGLE_APP_MODE_REQUIRES_COMPANY_PORTAL',
  SINGLE_APP_MODE_REQUIRES_VPP_TOKEN = 'SINGLE_APP_MODE_REQUIRES_VPP_TOKEN',
  SINGLE_APP_MODE_REQUIRES_SUPERVISION = 'SINGLE_APP_MODE_REQUIRES_SUPERVISION',
  LOCKED_ENROLLMENT_REQUIRES_SUPERVISION = 'LOCKED_ENROLLMENT_REQUIRES_SUPERVISION',
  CONFIGURATOR_CERTIFICATES_REQUIRED = 'CONFIGURATOR_CERTIFICATES_REQUIRED',
  CONFIGURATOR_CERTIFICATES_TOO_MANY = 'CONFIGURATOR_CERTIFICATES_TOO_MANY',
  CONFIGURATOR_CERTIFICATES_NOT_ALLOWED = 'CONFIGURATOR_CERTIFICATES_NOT_ALLOWED',
  CONFIGURATOR_CERTIFICATE_NOT_FOUND = 'CONFIGURATOR_CERTIFICATE_NOT_FOUND',
  CONFIGURATOR_CERTIFICATE_INVALID = 'CONFIGURATOR_CERTIFICATE_INVALID',
  DEPARTMENT_NAME_TOO_LONG = 'DEPARTMENT_NAME_TOO_LONG',
  DEPARTMENT_PHONE_TOO_LONG = 'DEPARTMENT_PHONE_TOO_LONG',
  DEVICE_NAME_TEMPLATE_INVALID = 'DEVICE_NAME_TEMPLATE_INVALID',
  ENROLLMENT_URL_INVALID = 'ENROLLMENT_URL_INVALID',
  ENROLLMENT_URL_REQUIRED = 'ENROLLMENT_URL_REQUIRED',
  ENROLLMENT_URL_TOO_LONG = 'ENROLLMENT_URL_TOO_LONG',
  PROFILE_REJECTED_BY_APPLE = 'PROFILE_REJECTED_BY_APPLE',
  PROFILE_IN_USE = 'PROFILE_IN_USE',
  PROFILE_TOKEN_MISMATCH = 'PROFILE_TOKEN_MISMATCH',
  PROFILE_SETTING_NOT_FOR_PLATFORM = 'PROFILE_SETTING_NOT_FOR_PLATFORM',
  PROFILE_PLATFORM_MISMATCH = 'PROFILE_PLATFORM_MISMATCH',
  PROFILE_LANGUAGE_INVALID = 'PROFILE_LANGUAGE_INVALID',
  PROFILE_REGION_INVALID = 'PROFILE_REGION_INVALID',
  SUPPORT_EMAIL_INVALID = 'SUPPORT_EMAIL_INVALID',
  ORG_MAGIC_TOO_LONG = 'ORG_MAGIC_TOO_LONG',
  CONFIGURATION_WEB_URL_INVALID = 'CONFIGURATION_WEB_URL_INVALID',
  CONFIGURATION_WEB_URL_REQUIRES_SETUP_ASSISTANT = 'CONFIGURATION_WEB_URL_REQUIRES_SETUP_ASSISTANT',
  ANCHOR_CERTIFICATE_INVALID = 'ANCHOR_CERTIFICATE_INVALID',
  ANCHOR_CERTIFICATES_TOO_MANY = 'ANCHOR_CERTIFICATES_TOO_MANY',
  CONFIGURATOR_CERTIFICATE_DUPLICATE = 'CONFIGURATOR_CERTIFICATE_DUPLICATE',
  CONFIGURATOR_CERTIFICATE_EXPIRED = 'CONFIGURATOR_CERTIFICATE_EXPIRED',
  CONFIGURATOR_CERTIFICATE_IN_USE = 'CONFIGURATOR_CERTIFICATE_IN_USE',

  // Devices: assignment and serial import
  SERIAL_NUMBERS_REQUIRED = 'SERIAL_NUMBERS_REQUIRED',
  TOO_MANY_SERIAL_NUMBERS = 'TOO_MANY_SERIAL_NUMBERS',
  CSV_INVALID = 'CSV_INVALID',
  SEARCH_TOO_SHORT = 'SEARCH_TOO_SHORT',

  // VPP (Apps and Books) location tokens
  VPP_TOKEN_FILE_TOO_LARGE = 'VPP_TOKEN_FILE_TOO_LARGE',
  VPP_TOKEN_FILE_UNREADABLE = 'VPP_TOKEN_FILE_UNREADABLE',
  VPP_TOKEN_EXPIRED = 'VPP_TOKEN_EXPIRED',
  VPP_TOKEN_REJECTED_BY_APPLE = 'VPP_TOKEN_REJECTED_BY_APPLE',
  VPP_TOKEN_ALREADY_REGISTERED = 'VPP_TOKEN_ALREADY_REGISTERED',
  VPP_TOKEN_LOCATION_MISMATCH = 'VPP_TOKEN_LOCATION_MISMATCH',
  VPP_TOKEN_IN_USE = 'VPP_TOKEN_IN_USE',

  // The Apple MDM push (APNs) certificate
  APNS_CERTIFICATE_UNREADABLE = 'APNS_CERTIFICATE_UNREADABLE',
  APNS_CERTIFICATE_PASSWORD_INCORRECT = 'APNS_CERTIFICATE_PASSWORD_INCORRECT',
  APNS_CERTIFICATE_KEY_REQUIRED = 'APNS_CERTIFICATE_KEY_REQUIRED',
  APNS_CERTIFICATE_KEY_MISMATCH = 'APNS_CERTIFICATE_KEY_MISMATCH',
  APNS_CERTIFICATE_NOT_MDM = 'APNS_CERTIFICATE_NOT_MDM',
  APNS_CERTIFICATE_EXPIRED = 'APNS_CERTIFICATE_EXPIRED',
  APNS_CERTIFICATE_EXISTS = 'APNS_CERTIFICATE_EXISTS',
  APNS_CERTIFICATE_TOPIC_MISMATCH = 'APNS_CERTIFICATE_TOPIC_MISMATCH',
  APNS_CERTIFICATE_APPLE_ID_MISMATCH = 'APNS_CERTIFICATE_APPLE_ID_MISMATCH',
  /** A certificate uploaded without its key that was not issued for depgate's pending request. */
  APNS_CERTIFICATE_REQUEST_MISMATCH = 'APNS_CERTIFICATE_REQUEST_MISMATCH',
  /** APNS_VENDOR_CERTIFICATE has expired: Apple refuses what it signs. */
  APNS_VENDOR_CERTIFICATE_EXPIRED = 'APNS_VENDOR_CERTIFICATE_EXPIRED',

  // Webhooks
  WEBHOOK_URL_INVALID = 'WEBHOOK_URL_INVALID',
  WEBHOOK_URL_FORBIDDEN = 'WEBHOOK_URL_FORBIDDEN',
  WEBHOOK_EVENTS_REQUIRED = 'WEBHOOK_EVENTS_REQUIRED',
  WEBHOOK_SECRET_INVALID = 'WEBHOOK_SECRET_INVALID',
  WEBHOOK_LIMIT_REACHED = 'WEBHOOK_LIMIT_REACHED',
  // Apple School and Business API accounts and device activities
  APPLE_BUSINESS_KEY_INVALID = 'APPLE_BUSINESS_KEY_INVALID',
  APPLE_BUSINESS_CLIENT_REFUSED = 'APPLE_BUSINESS_CLIENT_REFUSED',
  APPLE_BUSINESS_SCOPE_MISMATCH = 'APPLE_BUSINESS_SCOPE_MISMATCH',
  APPLE_BUSINESS_ACCOUNT_EXISTS = 'APPLE_BUSINESS_ACCOUNT_EXISTS',
  APPLE_BUSINESS_REQUEST_REFUSED = 'APPLE_BUSINESS_REQUEST_REFUSED',
  RELEASE_CONFIRMATION_REQUIRED = 'RELEASE_CONFIRMATION_REQUIRED',

  // Sync runs (refusals of syncDepToken, and the codes a run's error carries)
  SYNC_IN_PROGRESS = 'SYNC_IN_PROGRESS',
  SYNC_RATE_LIMITED = 'SYNC_RATE_LIMITED',
  FULL_SYNC_RATE_LIMITED = 'FULL_SYNC_RATE_LIMITED',
  SYNC_TIMED_OUT = 'SYNC_TIMED_OUT',
  SYNC_INTERRUPTED = 'SYNC_INTERRUPTED',
  APPLE_REQUEST_FAILED = 'APPLE_REQUEST_FAILED',
  SYNC_FAILED = 'SYNC_FAILED',

  // Apple's service
  APPLE_UNAVAILABLE = 'APPLE_UNAVAILABLE',
  APPLE_RATE_LIMITED = 'APPLE_RATE_LIMITED',

  // Malformed or refused requests (graphql-js, Apollo, the cost check), passed through as they are
  GRAPHQL_PARSE_FAILED = 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED = 'PERSISTED_QUERY_NOT_SUPPORTED',
  OPERATION_RESOLUTION_FAILURE = 'OPERATION_RESOLUTION_FAILURE',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
}

/** Codes graphql-js / Apollo / graphql-ws produce for malformed requests: passed through as they are. */
export const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.BAD_REQUEST,
  ErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ErrorCode.OPERATION_RESOLUTION_FAILURE,
  ErrorCode.QUERY_TOO_COMPLEX,
  ErrorCode.SUBSCRIPTION_OVER_HTTP,
]);

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** A code read back from storage (a sync run's error) as an ErrorCode; `fallback` for one this version no longer has. */
export function storedErrorCode(value: string, fallback: ErrorCode): ErrorCode {
  return CODES.has(value) ? (value as ErrorCode) : fallback;
}

export interface ErrorCodeDoc {
  /** When a client gets it. */
  description: string;
  /** The extensions it carries besides `code` and `requestId`, by name. */
  extensions?: Readonly<Record<string, string>>;
}

/** What every refused profile rule carries (src/profiles/profile.rules.ts). */
const RULE = {
  field: 'the input field at fault (the first broken rule)',
  violations: 'every broken rule: `{code field message reason?}`',
} as const;
const FIELD = { field: 'the argument or input field at fault' } as const;
const RETRY = { retryAfterSeconds: 'seconds until it may be asked again' } as const;

export const ERROR_CODE_DOCS: { readonly [C in ErrorCode]: ErrorCodeDoc } = {
  UNAUTHENTICATED: { description: 'No API key, or an unknown or revoked one (HTTP 401)' },
  FORBIDDEN: { description: "The key's role or scope tags do not allow this", extensions: { field: 'when an input names scope tags the key does not hold' } },
  BAD_USER_INPUT: { description: 'An argument or input field is malformed: a global id of the wrong type, a cursor not of this list and order, first and last together...', extensions: FIELD },
  NOT_FOUND: { description: 'The object does not exist, or this key may not see it' },
  CONFLICT: { description: 'The change conflicts with the current state', extensions: { field: 'when an input names the object in the way (e.g. `profileId` of a profile Apple does not have yet)' } },
  INTERNAL_SERVER_ERROR: { description: 'Anything unexpected, masked; the full error is logged with the same requestId' },
  TOO_MANY_ITEMS: { description: 'A list argument or input field holds more items than its documented maximum (HTTP 400, before anything runs)', extensions: { field: 'the list', max: 'its maximum' } },
  INVALID_CHARACTERS: {
    description:
      'A string holds a C0 control character (U+0000-U+001F; tab, LF and CR are accepted only in file contents and descriptions) or an unpaired UTF-16 surrogate: refused, never stripped (HTTP 400, before anything runs)',
    extensions: { field: 'the argument or input field at fault', path: 'where, from the argument down (list indexes included)', character: 'the first refused character, as `U+XXXX`' },
  },

  SCOPE_TAG_IN_USE: { description: 'The scope tag is still on a DEP token, VPP token or API key' },
  SCOPE_TAG_NAME_TAKEN: { description: 'A scope tag with this name (any case) exists' },

  DATA_SHARING_CONSENT_REQUIRED: { description: 'createDepTokenKeyPair without dataSharingConsent: true', extensions: FIELD },
  TOKEN_KEY_PAIR_EXPIRED: { description: 'The key pair was not used by an upload within KEY_PAIR_TTL_S: create a new one' },
  TOKEN_KEY_PAIR_USED: { description: 'The key pair already belongs to a token: renew that token, or create a new key pair' },
  TOKEN_FILE_TOO_LARGE: { description: 'The token file is larger than any Apple issues' },
  TOKEN_FILE_UNREADABLE: { description: 'The token file is not an S/MIME (.p7m) message', extensions: { field: 'when the file is empty: `tokenFile`' } },
  TOKEN_NOT_DECRYPTABLE: { description: "The token file was not encrypted to this key pair's certificate" },
  TOKEN_PAYLOAD_MALFORMED: { description: 'The decrypted token is not the JSON Apple issues' },
  TOKEN_EXPIRED: { description: 'The token (file) has expired: download or renew it', extensions: { expiredAt: 'when it expired (ISO-8601)' } },
  TOKEN_TERMS_NOT_ACCEPTED: { description: 'Apple has new terms and conditions to accept in Apple Business Manager (also a sync run error)' },
  TOKEN_REJECTED_BY_APPLE: { description: 'Apple refused the token: download a new one (also a sync run error)' },
  TOKEN_ALREADY_REGISTERED: { description: 'The MDM server already has a token here: renew that one', extensions: { tokenId: 'the DEP token to renew (when this key may see it)' } },
  TOKEN_SERVER_MISMATCH: { description: 'A renewal file of another MDM server' },
  APPLE_ID_MISMATCH: { description: 'A renewal must name the Apple ID that created the token', extensions: FIELD },
  TOKEN_IN_USE: { description: 'The token still has profiles or devices', extensions: { dependents: 'what remains', count: 'how many' } },

  PROFILE_LIMIT_REACHED: { description: 'The token already has MAX_PROFILES_PER_TOKEN profiles', extensions: { max: 'the limit' } },
  PROFILE_NAME_REQUIRED: { description: 'A profile needs a name', extensions: RULE },
  PROFILE_NAME_TOO_LONG: { description: 'The name is longer than Apple accepts', extensions: RULE },
  PROFILE_DESCRIPTION_TOO_LONG: { description: 'The description is longer than Apple accepts', extensions: RULE },
  AUTHENTICATION_METHOD_REQUIRED: { description: 'With user affinity, an authentication method is needed', extensions: RULE },
  AUTHENTICATION_METHOD_REQUIRES_USER_AFFINITY: { description: 'Without user affinity there is no one to authenticate', extensions: RULE },
  COMPANY_PORTAL_REQUIRES_USER_AFFINITY: { description: 'Company Portal authentication needs user affinity', extensions: RULE },
  COMPANY_PORTAL_VPP_TOKEN_REQUIRES_INSTALL: { description: 'A Company Portal VPP token without installCompanyPortal', extensions: RULE },
  COMPANY_PORTAL_VPP_TOKEN_NOT_FOUND: { description: 'The VPP token does not exist or is not visible', extensions: RULE },
  COMPANY_PORTAL_VPP_TOKEN_EXPIRED: { description: 'The VPP token has expired', extensions: RULE },
  SINGLE_APP_MODE_REQUIRES_USER_AFFINITY: { description: 'Single app mode until authentication needs user affinity', extensions: RULE },
  SINGLE_APP_MODE_REQUIRES_COMPANY_PORTAL: { description: 'Single app mode needs Company Portal authentication', extensions: RULE },
  SINGLE_APP_MODE_REQUIRES_VPP_TOKEN: { description: 'Single app mode needs Company Portal installed with a VPP token', extensions: RULE },
  SINGLE_APP_MODE_REQUIRES_SUPERVISION: { description: 'Single app mode needs supervised devices', extensions: RULE },
  LOCKED_ENROLLMENT_REQUIRES_SUPERVISION: { description: 'Locked enrollment needs supervised devices', extensions: RULE },
  CONFIGURATOR_CERTIFICATES_REQUIRED: { description: 'syncWithComputers ALLOW_BY_CERTIFICATE needs certificates', extensions: RULE },
  CONFIGURATOR_CERTIFICATES_TOO_MANY: { description: 'More than 10 Apple Configurator certificates', extensions: RULE },
  CONFIGURATOR_CERTIFICATES_NOT_ALLOWED: { description: 'Certificates only go with syncWithComputers ALLOW_BY_CERTIFICATE', extensions: RULE },
  CONFIGURATOR_CERTIFICATE_NOT_FOUND: { description: 'A named certificate does not exist', extensions: RULE },
  CONFIGURATOR_CERTIFICATE_INVALID: { description: 'Not one X.509 certificate as PEM or base64 DER', extensions: { field: '`pem`', reason: 'what is wrong with it' } },
  DEPARTMENT_NAME_TOO_LONG: { description: 'departmentName over 125 characters', extensions: RULE },
  DEPARTMENT_PHONE_TOO_LONG: { description: 'departmentPhone over 50 characters', extensions: RULE },
  DEVICE_NAME_TEMPLATE_INVALID: { description: 'An unknown placeholder, or a name over 63 characters once expanded', extensions: { ...RULE, reason: 'which' } },
  ENROLLMENT_URL_INVALID: { description: "The deployment's ENROLLMENT_URL, or the token's enrollmentUrl being set, is not an absolute URL Apple accepts (https where Apple is real)", extensions: RULE },
  ENROLLMENT_URL_REQUIRED: {
    description: "No enrollment URL for the token's profiles: APPLE_DEP_API_URL is Apple's and neither ENROLLMENT_URL nor the token's enrollmentUrl is set",
    extensions: RULE,
  },
  ENROLLMENT_URL_TOO_LONG: { description: "The deployment's ENROLLMENT_URL is longer than Apple accepts", extensions: RULE },
  PROFILE_REJECTED_BY_APPLE: { description: 'Apple refused the profile JSON; nothing was saved', extensions: { appleCode: "Apple's code, or null" } },
  PROFILE_IN_USE: { description: "The profile is a token's default, or devices hold or wait for it: reassign them first", extensions: { reason: '`DEFAULT_PROFILE` or `ASSIGNED_TO_DEVICES`', deviceCount: 'with ASSIGNED_TO_DEVICES' } },
  PROFILE_TOKEN_MISMATCH: { description: 'A profile of one token was used with another token (default profile, import)', extensions: FIELD },
  PROFILE_SETTING_NOT_FOR_PLATFORM: { description: "A setting that does not exist on the profile's platform (single app mode on a Mac, a user on an Apple TV)", extensions: { ...RULE, platform: "the profile's platform" } },
  PROFILE_LANGUAGE_INVALID: { description: "`language` is not an ISO 639 language code (Apple's LOCALE_INVALID)", extensions: RULE },
  PROFILE_REGION_INVALID: { description: "`region` is not an ISO 3166-1 alpha-2 region code (Apple's LOCALE_INVALID)", extensions: RULE },
  SUPPORT_EMAIL_INVALID: { description: 'The support email address is not an address or longer than Apple accepts (250)', extensions: RULE },
  ORG_MAGIC_TOO_LONG: { description: 'orgMagic is longer than Apple accepts (256)', extensions: RULE },
  CONFIGURATION_WEB_URL_INVALID: { description: 'configurationWebUrl is not an absolute http(s) URL of at most 2000 characters', extensions: RULE },
  CONFIGURATION_WEB_URL_REQUIRES_SETUP_ASSISTANT: { description: 'configurationWebUrl is where users sign in in Setup Assistant: it needs user affinity with SETUP_ASSISTANT authentication', extensions: RULE },
  ANCHOR_CERTIFICATE_INVALID: { description: 'An anchor certificate is not one X.509 certificate as PEM or base64 DER', extensions: { field: '`anchorCertificates`', reason: 'what is wrong with it', index: 'which one (from 0)' } },
  ANCHOR_CERTIFICATES_TOO_MANY: { description: 'More anchor certificates than a profile takes (10)', extensions: RULE },
  PROFILE_PLATFORM_MISMATCH: { description: "A default profile for one platform must be a profile of that platform", extensions: { ...FIELD, platform: 'the platform asked for', profilePlatform: "the profile's" } },
  CONFIGURATOR_CERTIFICATE_DUPLICATE: { description: 'The same certificate (SHA-256 thumbprint) is already uploaded', extensions: FIELD },
  CONFIGURATOR_CERTIFICATE_EXPIRED: { description: 'The certificate has expired or is not valid yet', extensions: { ...FIELD, notBefore: 'ISO-8601', notAfter: 'ISO-8601' } },
  CONFIGURATOR_CERTIFICATE_IN_USE: { description: 'Profiles still list the certificate', extensions: { profileCount: 'how many' } },

  SERIAL_NUMBERS_REQUIRED: { description: 'No serial number given (for an import: neither serialNumbers nor csv, or nothing in them)', extensions: FIELD },
  TOO_MANY_SERIAL_NUMBERS: { description: 'More than 10,000 serial numbers (entries, or CSV rows) in one call', extensions: { ...FIELD, max: 'the limit' } },
  CSV_INVALID: { description: 'The CSV cannot be read at all (size, binary content, no serial column)', extensions: FIELD },
  SEARCH_TOO_SHORT: { description: 'A device search under 3 characters', extensions: { ...FIELD, min: 'the shortest search' } },

  VPP_TOKEN_FILE_TOO_LARGE: { description: 'The .vpptoken file is larger than any Apple issues', extensions: FIELD },
  VPP_TOKEN_FILE_UNREADABLE: { description: 'Not the base64 JSON of a .vpptoken file', extensions: FIELD },
  VPP_TOKEN_EXPIRED: { description: 'The VPP token has expired', extensions: { expiredAt: 'when (ISO-8601), when known' } },
  VPP_TOKEN_REJECTED_BY_APPLE: { description: 'Apple refused the VPP token (invalid or revoked)', extensions: { appleErrorNumber: "Apple's errorNumber, or null" } },
  VPP_TOKEN_ALREADY_REGISTERED: { description: 'The location already has a VPP token here: renew that one', extensions: { vppTokenId: 'the VPP token to renew (when this key may see it)' } },
  VPP_TOKEN_LOCATION_MISMATCH: { description: 'A renewal file of another location' },
  VPP_TOKEN_IN_USE: { description: 'Profiles install Company Portal with this VPP token', extensions: { profileCount: 'how many, when known' } },

  APNS_CERTIFICATE_UNREADABLE: { description: 'Not a PEM certificate and RSA key, nor the base64 of a PKCS#12 file', extensions: FIELD },
  APNS_CERTIFICATE_PASSWORD_INCORRECT: { description: 'The password does not open the PKCS#12 file or the encrypted key', extensions: FIELD },
  APNS_CERTIFICATE_KEY_REQUIRED: { description: 'A PKCS#12 file without its private key', extensions: FIELD },
  APNS_CERTIFICATE_KEY_MISMATCH: { description: 'The private key does not belong to the certificate', extensions: FIELD },
  APNS_CERTIFICATE_NOT_MDM: { description: 'The certificate has no MDM push topic (com.apple.mgmt.External.<uuid>)', extensions: FIELD },
  APNS_CERTIFICATE_EXPIRED: { description: 'The certificate has expired: renew it in Apple\'s Push Certificates Portal', extensions: { expiredAt: 'when (ISO-8601)' } },
  APNS_CERTIFICATE_EXISTS: { description: 'A push certificate is already uploaded: renew it (same topic), or delete it first to change topic' },
  APNS_CERTIFICATE_TOPIC_MISMATCH: {
    description: 'A renewal with another topic: Apple renews with the same topic only, and a new topic means re-enrolling every device',
    extensions: { topic: "the stored certificate's topic", uploadedTopic: "the uploaded certificate's topic" },
  },
  WEBHOOK_URL_INVALID: { description: 'Not an absolute https URL without credentials (http only with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true), or its host does not resolve', extensions: FIELD },
  WEBHOOK_URL_FORBIDDEN: { description: 'The URL resolves to a loopback, link-local or private address (refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true)', extensions: FIELD },
  WEBHOOK_EVENTS_REQUIRED: { description: 'A webhook needs at least one event', extensions: FIELD },
  WEBHOOK_SECRET_INVALID: { description: 'The secret is shorter than 16 or longer than 200 characters', extensions: FIELD },
  WEBHOOK_LIMIT_REACHED: { description: 'The deployment has the most webhooks it takes (50)' },
  APNS_CERTIFICATE_APPLE_ID_MISMATCH: { description: 'A renewal under another Apple ID than the one that created the certificate', extensions: FIELD },
  APNS_CERTIFICATE_REQUEST_MISMATCH: {
    description:
      "A PEM certificate without its private key that Apple did not issue for depgate's pending request (createApnsCertificateRequest): none is pending, it expired or was replaced, or the certificate has another key. Upload it with its privateKey, or the certificate issued for the pending request",
    extensions: { field: 'the argument or input field at fault', pendingRequestCreatedAt: 'when the pending request was created (ISO-8601), or null when none is pending' },
  },
  APNS_VENDOR_CERTIFICATE_EXPIRED: {
    description: "The MDM vendor certificate (APNS_VENDOR_CERTIFICATE) has expired: Apple's Push Certificates Portal refuses requests it signs; renew it in the Apple Developer portal",
    extensions: { expiredAt: 'when (ISO-8601)' },
  },
  APPLE_BUSINESS_KEY_INVALID: { description: 'privateKeyPem is not a P-256 private key (SEC1 `EC PRIVATE KEY` or PKCS#8 `PRIVATE KEY` PEM)', extensions: FIELD },
  APPLE_BUSINESS_CLIENT_REFUSED: {
    description: 'Apple refused the API account (`invalid_client`, or a 401 even with a new access token): client ID, key ID or private key do not match, or the account was revoked',
  },
  APPLE_BUSINESS_SCOPE_MISMATCH: {
    description: 'The account is not one of this scope (a School account used as BUSINESS, or the reverse: `invalid_scope` or a 403), or the API account lost the right to this request',
    extensions: FIELD,
  },
  APPLE_BUSINESS_ACCOUNT_EXISTS: { description: 'An account with this client ID is already connected', extensions: FIELD },
  APPLE_BUSINESS_REQUEST_REFUSED: { description: 'Apple refused the change (409/422: an unknown serial or server, a deadline out of range, a product family held by another server...)', extensions: { appleCode: "Apple's errors[0].code, or null" } },
  RELEASE_CONFIRMATION_REQUIRED: { description: 'releaseDevices without confirm: true (releasing devices from the organisation is permanent)', extensions: FIELD },

  SYNC_IN_PROGRESS: { description: 'A sync of this token is queued or running', extensions: { syncRunId: 'that run' } },
  SYNC_RATE_LIMITED: { description: 'A manual sync less than MANUAL_SYNC_MIN_INTERVAL_S after the previous one', extensions: { ...RETRY, nextManualSyncAt: 'ISO-8601' } },
  FULL_SYNC_RATE_LIMITED: { description: 'A full sync less than FULL_SYNC_MIN_INTERVAL_S after the previous one', extensions: { ...RETRY, nextFullSyncAt: 'ISO-8601' } },
  SYNC_TIMED_OUT: { description: 'Sync run error: the run exceeded SYNC_TIMEOUT_S and was aborted' },
  SYNC_INTERRUPTED: { description: 'Sync run error: the instance running it stopped; the pages committed are kept' },
  APPLE_REQUEST_FAILED: { description: 'Sync run error: Apple answered in a way the sync cannot continue from (e.g. 400, 404)' },
  SYNC_FAILED: { description: 'Sync run error: an unexpected failure inside depgate (logged with the run id)' },

  APPLE_UNAVAILABLE: { description: "Apple's service could not be reached or failed; try again later (also a sync run error)", extensions: { appleCode: "Apple's code, when it sent a known one" } },
  APPLE_RATE_LIMITED: { description: 'Apple is rate limiting depgate (also a sync run error)', extensions: { retryAfterSeconds: "Apple's retry-after, or null" } },

  GRAPHQL_PARSE_FAILED: { description: 'The operation is not valid GraphQL syntax, or has more than 5,000 tokens (HTTP 400; 200 when the client accepts only application/json)' },
  GRAPHQL_VALIDATION_FAILED: { description: 'The operation does not fit the schema, or exceeds the depth (12) or alias (30) limit (HTTP 400; 200 when the client accepts only application/json)' },
  BAD_REQUEST: { description: 'The HTTP request is not a GraphQL request: its body is not a JSON object, or uses a charset or Content-Encoding depgate does not read (HTTP 400 or 415)' },
  PAYLOAD_TOO_LARGE: { description: 'The HTTP body is over the limit (HTTP 413)' },
  RATE_LIMITED: { description: 'The API key used up RATE_LIMIT_PER_MINUTE (HTTP 429 with Retry-After)', extensions: { retryAfterSeconds: 'seconds until a request is accepted again' } },
  SUBSCRIPTION_OVER_HTTP: { description: 'A subscription was sent over HTTP: subscriptions run over the WebSocket on the same path (HTTP 400)' },
  SUBSCRIPTION_LIMIT_REACHED: { description: 'The WebSocket already has WS_MAX_SUBSCRIPTIONS_PER_SOCKET operations open', extensions: { limit: 'the most operations one socket may hold open' } },
  PERSISTED_QUERY_NOT_FOUND: { description: 'An unknown persisted query hash' },
  PERSISTED_QUERY_NOT_SUPPORTED: { description: 'Persisted queries are not supported here' },
  OPERATION_RESOLUTION_FAILURE: { description: 'operationName names no operation of the document' },
  QUERY_TOO_COMPLEX: { description: 'The estimated cost is over 250,000 (refused before anything runs)', extensions: { cost: 'the estimate', limit: 'the limit' } },
};

/** The README's table of codes (between the error-codes markers); a test keeps the two in step. */
export function errorCodeMarkdownTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = (Object.entries(ERROR_CODE_DOCS) as [ErrorCode, ErrorCodeDoc][]).map(([code, doc]) => {
    const extensions = Object.entries(doc.extensions ?? {}).map(([name, meaning]) => `\`${name}\`: ${meaning}`);
    return `| \`${code}\` | ${cell(doc.description)} | ${cell(extensions.join('; '))} |`;
  });
  return ['| code | when | extensions (besides `code` and `requestId`) |', '|---|---|---|', ...rows].join('\n') + '\n';
}
