/**
 * TypeScript shapes of the JSON that Apple's device-assignment ("DEP") API speaks
 * (spec/apple-dep-api.md §3–§4). Field names are Apple's snake_case on purpose: these types describe
 * the wire, and mapping to the product's camelCase happens in the feature folders.
 */

export type DepOrgType = 'edu' | 'org';

export type DepHttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One entry of `/account` `urls`: Apple advertises the real page-size limits here. */
export interface DepAccountUrl {
  uri: string;
  http_method: DepHttpMethod[];
  limit?: { default: number; maximum: number };
}

export interface DepAccount {
  server_name: string;
  server_uuid: string;
  admin_id: string;
  org_name: string;
  org_email: string;
  org_phone: string;
  org_address: string;
  org_id: string;
  org_id_hash: string;
  org_type: DepOrgType;
  org_version: string;
  urls: DepAccountUrl[];
}

export type DepOs = 'iOS' | 'iPadOS' | 'OSX' | 'tvOS' | 'visionOS';
export type DepDeviceFamily = 'iPhone' | 'iPad' | 'iPod' | 'Mac' | 'AppleTV' | 'Vision';
export type DepProfileStatus = 'empty' | 'assigned' | 'pushed' | 'removed';
export type DepOpType = 'added' | 'modified' | 'deleted';

/** A device record (spec §4). Apple omits fields it has no value for, hence the optionals. */
export interface DepDevice {
  serial_number: string;
  model?: string;
  description?: string;
  color?: string;
  asset_tag?: string;
  os?: DepOs | string;
  device_family?: DepDeviceFamily | string;
  profile_status?: DepProfileStatus;
  profile_uuid?: string;
  profile_assign_time?: string;
  profile_push_time?: string;
  device_assigned_date?: string;
  device_assigned_by?: string;
  /** Only in `/devices/sync` responses. */
  op_type?: DepOpType;
  /** Only in `/devices/sync` responses. */
  op_date?: string;
  /**
   * Protocol 8 and later: the device is being migrated to this MDM server without a wipe and must
   * enroll here by then (Apple's migrating-managed-devices documentation).
   */
  mdm_migration_deadline?: string;
}

/** Response of `POST /server/devices` (fetch) and `POST /devices/sync`. */
export interface DepDevicePage {
  devices: DepDevice[];
  cursor: string;
  fetched_until: string;
  more_to_follow: boolean;
}

export interface FetchDevicesRequest {
  cursor?: string;
  limit?: number;
}

export interface SyncDevicesRequest {
  cursor: string;
  limit?: number;
}

export type DeviceDetailStatus = 'SUCCESS' | 'NOT_ACCESSIBLE' | 'FAILED';

/** One entry of `POST /devices` (details): the device fields when accessible, plus the status. */
export type DepDeviceDetails = Partial<DepDevice> & { response_status: DeviceDetailStatus };

export interface DeviceDetailsResponse {
  devices: Record<string, DepDeviceDetails>;
}

export type DisownStatus = 'SUCCESS' | 'NOT_ACCESSIBLE' | 'FAILED';

export interface DisownDevicesResponse {
  devices: Record<string, DisownStatus>;
}

/** Enrollment profile JSON (spec §3). `profile_name` and `url` are required by Apple. */
export interface DepProfile {
  profile_name: string;
  url: string;
  allow_pairing?: boolean;
  is_supervised?: boolean;
  is_mdm_removable?: boolean;
  is_mandatory?: boolean;
  await_device_configured?: boolean;
  is_multi_user?: boolean;
  auto_advance_setup?: boolean;
  department?: string;
  support_phone_number?: string;
  support_email_address?: string;
  org_magic?: string;
  /** Base64 DER certificates. */
  anchor_certs?: string[];
  /** Base64 DER certificates of Apple Configurator hosts allowed to pair. */
  supervising_host_certs?: string[];
  skip_setup_items?: string[];
  language?: string;
  region?: string;
  configuration_web_url?: string;
  /** iOS / visionOS 26: the profile is for a device returning to service. */
  is_return_to_service?: boolean;
  /** iOS 26: do not reinstate the MDM profile from a restored backup. */
  do_not_use_profile_from_backup?: boolean;
  /** Serials to assign the profile to while defining it. */
  devices?: string[];
}

/** `GET /profile` returns the stored profile with its uuid. */
export type DepProfileWithUuid = DepProfile & { profile_uuid: string };

/**
 * Per-device outcome of an assignment. `THROTTLED` only appears with protocol version >= 9.
 */
export type AssignmentStatus = 'SUCCESS' | 'NOT_ACCESSIBLE' | 'FAILED' | 'THROTTLED';

export interface DefineProfileResponse {
  profile_uuid: string;
  devices: Record<string, AssignmentStatus>;
}

export interface AssignProfileResponse {
  profile_uuid: string;
  devices: Record<string, AssignmentStatus>;
  /** Protocol version >= 10, present when some device was THROTTLED. */
  retry_after_seconds?: number;
}

export type RemoveProfileStatus = 'SUCCESS' | 'NOT_ACCESSIBLE' | 'FAILED';

export interface RemoveProfileResponse {
  devices: Record<string, RemoveProfileStatus>;
}

/** `GET /session` response. */
export interface SessionResponse {
  auth_session_token: string;
}
