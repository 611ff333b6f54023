/**
 * The one list of `extensions.code` values depgate returns. Front ends switch on these; adding one
 * is an API change, renaming one is a breaking change.
 */
export enum ErrorCode {
  // Generic
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  /** A list argument or input field holds more items than its documented maximum (`extensions.field`, `extensions.max`). */
  TOO_MANY_ITEMS = 'TOO_MANY_ITEMS',

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
  ENROLLMENT_URL_TOO_LONG = 'ENROLLMENT_URL_TOO_LONG',
  /** Apple refused the profile JSON (`extensions.appleCode` holds Apple's code). */
  PROFILE_REJECTED_BY_APPLE = 'PROFILE_REJECTED_BY_APPLE',
  /** The profile is a token's default or devices hold (or wait for) it: reassign them first. */
  PROFILE_IN_USE = 'PROFILE_IN_USE',
  /** A profile of one token was used with another token (default profile, import). */
  PROFILE_TOKEN_MISMATCH = 'PROFILE_TOKEN_MISMATCH',
  /** The same Apple Configurator certificate (same SHA-256 thumbprint) is already uploaded. */
  CONFIGURATOR_CERTIFICATE_DUPLICATE = 'CONFIGURATOR_CERTIFICATE_DUPLICATE',
  /** The certificate has expired (or is not valid yet): Apple Configurator could not use it. */
  CONFIGURATOR_CERTIFICATE_EXPIRED = 'CONFIGURATOR_CERTIFICATE_EXPIRED',
  /** Profiles still list the certificate: remove it from them first. */
  CONFIGURATOR_CERTIFICATE_IN_USE = 'CONFIGURATOR_CERTIFICATE_IN_USE',

  // Devices: assignment and serial import
  /** No serial number was given (for an import: neither serialNumbers nor csv, or nothing in them). */
  SERIAL_NUMBERS_REQUIRED = 'SERIAL_NUMBERS_REQUIRED',
  /** More serial numbers than one call accepts (10,000). */
  TOO_MANY_SERIAL_NUMBERS = 'TOO_MANY_SERIAL_NUMBERS',
  /** The CSV could not be read at all (size, binary content, no serial column). */
  CSV_INVALID = 'CSV_INVALID',
  /** A device search shorter than the search index can serve (`extensions.min`, 3 characters). */
  SEARCH_TOO_SHORT = 'SEARCH_TOO_SHORT',

  // VPP (Apps and Books) location tokens
  VPP_TOKEN_FILE_TOO_LARGE = 'VPP_TOKEN_FILE_TOO_LARGE',
  VPP_TOKEN_FILE_UNREADABLE = 'VPP_TOKEN_FILE_UNREADABLE',
  VPP_TOKEN_EXPIRED = 'VPP_TOKEN_EXPIRED',
  VPP_TOKEN_REJECTED_BY_APPLE = 'VPP_TOKEN_REJECTED_BY_APPLE',
  VPP_TOKEN_ALREADY_REGISTERED = 'VPP_TOKEN_ALREADY_REGISTERED',
  VPP_TOKEN_LOCATION_MISMATCH = 'VPP_TOKEN_LOCATION_MISMATCH',
  VPP_TOKEN_IN_USE = 'VPP_TOKEN_IN_USE',

  // Sync runs (refusals of syncDepToken, and the codes a run's error carries)
  /** A sync of this token is queued or running (extensions.syncRunId). */
  SYNC_IN_PROGRESS = 'SYNC_IN_PROGRESS',
  /** A manual sync was requested less than MANUAL_SYNC_MIN_INTERVAL_S after the previous one (extensions.retryAfterSeconds). */
  SYNC_RATE_LIMITED = 'SYNC_RATE_LIMITED',
  /** A full sync was requested less than FULL_SYNC_MIN_INTERVAL_S after the previous one (extensions.retryAfterSeconds). */
  FULL_SYNC_RATE_LIMITED = 'FULL_SYNC_RATE_LIMITED',
  /** Run error: the run exceeded SYNC_TIMEOUT_S and was aborted. */
  SYNC_TIMED_OUT = 'SYNC_TIMED_OUT',
  /** Run error: the instance running it stopped unexpectedly (its progress up to the last page is kept). */
  SYNC_INTERRUPTED = 'SYNC_INTERRUPTED',
  /** Run error: Apple answered a request in a way the sync cannot continue from (e.g. 400, 404). */
  APPLE_REQUEST_FAILED = 'APPLE_REQUEST_FAILED',
  /** Run error: an unexpected failure inside depgate (logged with the run id). */
  SYNC_FAILED = 'SYNC_FAILED',

  // Apple's service
  APPLE_UNAVAILABLE = 'APPLE_UNAVAILABLE',
  APPLE_RATE_LIMITED = 'APPLE_RATE_LIMITED',
}

/** Codes graphql-js / Apollo / graphql-ws produce for malformed requests: passed through as they are. */
export const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'QUERY_TOO_COMPLEX',
  ErrorCode.SUBSCRIPTION_OVER_HTTP,
]);
