/**
 * Wire types of Apple's Apps and Books API v2 ("VPP", base `https://vpp.itunes.apple.com/mdm/v2`),
 * the parts depgate uses: `GET client/config` and `GET assets`. Field names are Apple's.
 *
 * Checked against Apple's documentation (Device Management > Apps and Books for organizations):
 * - `Client Config` (rest:vpp:get:v2-client-config) answers `countryISO2ACode`, `defaultPlatform`,
 *   `locationName`, `mdmInfo`, `notificationAuthToken`, `notificationUrl`,
 *   `subscribedNotificationTypes`, `tokenExpirationDate` (e.g. `2030-11-08T22:33:22+0000`), `uId`
 *   (the unique library id: two tokens of one location share it) and `websiteURL`.
 * - `Get Assets` (rest:vpp:get:v2-assets) takes `adamId`, `pricingParam`, `productType`,
 *   `pageIndex` and answers `assets[]` of `adamId`, `assignedCount`, `availableCount`,
 *   `deviceAssignable`, `pricingParam` (STDQ standard, PLUS high quality), `productType`,
 *   `retiredCount`, `revocable`, `supportedPlatforms`, `totalCount`, with `currentPageIndex`,
 *   `size`, `totalPages`, `versionId`.
 * - Every request carries `Authorization: Bearer <sToken>`, the `.vpptoken` file's content.
 * - Errors are JSON `{errorNumber, errorMessage}`: 9621 the token has expired, 9622 invalid
 *   authentication token, 9625 the sToken has been revoked.
 */

export interface VppClientConfig {
  uId: string;
  locationName?: string;
  countryISO2ACode?: string;
  defaultPlatform?: string;
  /** Apple's format: `yyyy-MM-ddTHH:mm:ss+0000`. */
  tokenExpirationDate?: string;
  websiteURL?: string;
  [extra: string]: unknown;
}

export interface VppAsset {
  adamId: string;
  assignedCount: number;
  availableCount: number;
  totalCount: number;
  retiredCount?: number;
  pricingParam?: string;
  productType?: string;
  deviceAssignable?: boolean;
  revocable?: boolean;
  supportedPlatforms?: string[];
}

export interface VppAssetsPage {
  assets: VppAsset[];
  currentPageIndex?: number;
  size?: number;
  totalPages?: number;
  versionId?: string;
}

export interface VppAssetsQuery {
  adamId?: string;
  pricingParam?: string;
  productType?: string;
  pageIndex?: number;
}

/** Apple's error body. */
export interface VppErrorBody {
  errorNumber?: number;
  errorMessage?: string;
}

export const VPP_ERROR_TOKEN_EXPIRED = 9621;
export const VPP_ERROR_TOKEN_INVALID = 9622;
export const VPP_ERROR_TOKEN_REVOKED = 9625;
