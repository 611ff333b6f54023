/**
 * What is missing before a device can enroll, as a pure function of facts the service gathers:
 * each item has a code, a severity (CRITICAL: no device enrolls; WARNING: some devices or some
 * features will not; INFO: worth knowing) and a hint saying what to do.
 */
import type { DeviceFamily } from '../devices/device-platform';
import { PLATFORM_LABELS, platformOfFamily, type ProfilePlatform } from '../profiles/profile-platform';

export type ReadinessCodeName =
  | 'APNS_CERTIFICATE_MISSING'
  | 'APNS_CERTIFICATE_EXPIRING'
  | 'APNS_CERTIFICATE_EXPIRED'
  | 'NO_DEP_TOKEN'
  | 'DEP_TOKEN_EXPIRING'
  | 'DEP_TOKEN_EXPIRED'
  | 'DEP_TOKEN_REJECTED'
  | 'DEP_TERMS_NOT_ACCEPTED'
  | 'NO_DEFAULT_PROFILE'
  | 'PROFILE_VPP_TOKEN_EXPIRED'
  | 'PROFILE_VPP_LICENSES_EXHAUSTED'
  | 'DEVICES_WITHOUT_PROFILE'
  | 'ENROLLMENT_URL_NOT_CONFIGURED'
  | 'ENROLLMENT_URL_PLACEHOLDER'
  | 'ENROLLMENT_URL_UNREACHABLE';

export type ReadinessSeverityName = 'CRITICAL' | 'WARNING' | 'INFO';

export interface ReadinessItemValue {
  code: ReadinessCodeName;
  severity: ReadinessSeverityName;
  message: string;
  hint: string;
  tokenId: string | null;
  profileId: string | null;
  vppTokenId: string | null;
  /** Devices concerned, when the item counts some. */
  count: number | null;
  deviceFamilies: DeviceFamily[];
  enrollmentUrl: string | null;
}

export interface TokenFacts {
  id: string;
  name: string;
  status: 'ACTIVE' | 'EXPIRING_SOON' | 'EXPIRED' | 'TERMS_NOT_ACCEPTED' | 'REJECTED';
  expiresAt: Date;
  /** The platforms the token has a default profile for. */
  defaultPlatforms: ProfilePlatform[];
  /** Live devices by family (null family: Apple sent none). */
  devicesByFamily: { family: DeviceFamily | null; total: number; withoutProfile: number }[];
  /** The URL its profiles use (its own or ENROLLMENT_URL); null when none. */
  enrollmentUrl: string | null;
}

export interface ProfileVppFacts {
  profileId: string;
  profileName: string;
  tokenId: string;
  vppTokenId: string;
  vppTokenName: string;
  expiredOrRefused: boolean;
  exhausted: boolean;
}

export interface ReadinessFacts {
  apns: { status: 'VALID' | 'EXPIRING_SOON' | 'EXPIRED'; notAfter: Date; topic: string } | null;
  /** Whether the whole deployment is asked about (no tokenId): then "no token" is an item. */
  deploymentWide: boolean;
  tokens: TokenFacts[];
  profileVpp: ProfileVppFacts[];
  /** ENROLLMENT_URL (or the placeholder); null when not configured. */
  globalEnrollmentUrl: string | null;
  placeholderUrl: string | null;
  /** Probe results by URL (placeholder excluded). */
  unreachable: Map<string, string>;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

function item(value: Partial<ReadinessItemValue> & Pick<ReadinessItemValue, 'code' | 'severity' | 'message' | 'hint'>): ReadinessItemValue {
  return { tokenId: null, profileId: null, vppTokenId: null, count: null, deviceFamilies: [], enrollmentUrl: null, ...value };
}

export function readinessItems(facts: ReadinessFacts): ReadinessItemValue[] {
  const items: ReadinessItemValue[] = [];
  const pushHint = "Create it in Apple's Push Certificates Portal (https://identity.apple.com) with your MDM server's signed request, then upload it with uploadApnsCertificate.";
  if (!facts.apns) {
    items.push(item({ code: 'APNS_CERTIFICATE_MISSING', severity: 'CRITICAL', message: 'No Apple MDM push certificate is uploaded: the MDM server cannot reach enrolled devices.', hint: pushHint }));
  } else if (facts.apns.status === 'EXPIRED') {
    items.push(item({
      code: 'APNS_CERTIFICATE_EXPIRED',
      severity: 'CRITICAL',
      message: `The Apple MDM push certificate (${facts.apns.topic}) expired on ${day(facts.apns.notAfter)}: enrolled devices no longer take commands.`,
      hint: "Renew it in Apple's Push Certificates Portal under the same Apple ID (a new certificate means re-enrolling every device) and upload it with renewApnsCertificate.",
    }));
  } else if (facts.apns.status === 'EXPIRING_SOON') {
    items.push(item({
      code: 'APNS_CERTIFICATE_EXPIRING',
      severity: 'WARNING',
      message: `The Apple MDM push certificate (${facts.apns.topic}) expires on ${day(facts.apns.notAfter)}.`,
      hint: "Renew it in Apple's Push Certificates Portal under the same Apple ID and upload it with renewApnsCertificate before then.",
    }));
  }

  if (facts.deploymentWide && facts.tokens.length === 0) {
    items.push(item({
      code: 'NO_DEP_TOKEN',
      severity: 'CRITICAL',
      message: 'No DEP token: no device is assigned to this MDM server.',
      hint: 'Create a key pair (createDepTokenKeyPair), add an MDM server with its certificate in Apple Business Manager, download its token and upload it (uploadDepToken).',
    }));
    if (facts.globalEnrollmentUrl === null) items.push(urlNotConfigured(null));
  }

  for (const token of facts.tokens) items.push(...tokenItems(token, facts));

  for (const p of facts.profileVpp) {
    const where = { tokenId: p.tokenId, profileId: p.profileId, vppTokenId: p.vppTokenId };
    if (p.expiredOrRefused) {
      items.push(item({
        code: 'PROFILE_VPP_TOKEN_EXPIRED',
        severity: 'WARNING',
        message: `Profile "${p.profileName}" installs Company Portal with VPP token "${p.vppTokenName}", which has expired or is refused by Apple: devices get it from the App Store and users are asked for an Apple ID.`,
        hint: 'Renew the VPP token (renewVppToken) with a new location token from Apple Business Manager.',
        ...where,
      }));
    } else if (p.exhausted) {
      items.push(item({
        code: 'PROFILE_VPP_LICENSES_EXHAUSTED',
        severity: 'WARNING',
        message: `Profile "${p.profileName}" installs Company Portal with VPP token "${p.vppTokenName}", which has no licences left.`,
        hint: 'Buy more Company Portal licences for the location in Apple Business Manager, or free some.',
        ...where,
      }));
    }
  }
  return items;
}

function urlNotConfigured(tokenId: string | null): ReadinessItemValue {
  return item({
    code: 'ENROLLMENT_URL_NOT_CONFIGURED',
    severity: 'CRITICAL',
    message: tokenId ? "No enrollment URL for this token's profiles: profiles cannot be saved and devices would have nowhere to enroll." : 'No enrollment URL (ENROLLMENT_URL) is configured.',
    hint: "Set ENROLLMENT_URL to the MDM server's enrollment URL, or set the token's enrollmentUrl with updateDepToken.",
    tokenId,
  });
}

function tokenItems(token: TokenFacts, facts: ReadinessFacts): ReadinessItemValue[] {
  const items: ReadinessItemValue[] = [];
  const name = `DEP token "${token.name}"`;
  const renew = 'Download a new token for the MDM server in Apple Business Manager and renew it (renewDepToken).';
  switch (token.status) {
    case 'EXPIRED':
      items.push(item({ code: 'DEP_TOKEN_EXPIRED', severity: 'CRITICAL', message: `${name} expired on ${day(token.expiresAt)}: devices no longer sync and profiles cannot be assigned.`, hint: renew, tokenId: token.id }));
      break;
    case 'REJECTED':
      items.push(item({ code: 'DEP_TOKEN_REJECTED', severity: 'CRITICAL', message: `Apple no longer accepts ${name}.`, hint: renew, tokenId: token.id }));
      break;
    case 'TERMS_NOT_ACCEPTED':
      items.push(item({
        code: 'DEP_TERMS_NOT_ACCEPTED',
        severity: 'CRITICAL',
        message: `Apple has new terms and conditions for ${name}: until they are accepted Apple refuses every call.`,
        hint: 'An administrator accepts them in Apple Business Manager (or Apple School Manager).',
        tokenId: token.id,
      }));
      break;
    case 'EXPIRING_SOON':
      items.push(item({ code: 'DEP_TOKEN_EXPIRING', severity: 'WARNING', message: `${name} expires on ${day(token.expiresAt)}.`, hint: renew, tokenId: token.id }));
      break;
    default:
      break;
  }

  // A family is covered when its platform has a default; a family Apple did not name (no platform
  // known) only when the token has no default at all, since nothing says which one it would need.
  const uncovered = token.devicesByFamily.filter((f) => {
    if (f.total === 0) return false;
    const platform = f.family === null ? null : platformOfFamily(f.family);
    return platform === null ? token.defaultPlatforms.length === 0 : !token.defaultPlatforms.includes(platform);
  });
  if (uncovered.length > 0) {
    const count = uncovered.reduce((n, f) => n + f.total, 0);
    const platforms = [...new Set(uncovered.map((f) => (f.family === null ? null : platformOfFamily(f.family))))]
      .filter((p): p is ProfilePlatform => p !== null)
      .map((p) => PLATFORM_LABELS[p]);
    const which = token.defaultPlatforms.length === 0 || platforms.length === 0 ? 'no default profile' : `no ${platforms.join(', ')} default profile`;
    items.push(item({
      code: 'NO_DEFAULT_PROFILE',
      severity: 'WARNING',
      message: `${name} has ${count} device${count === 1 ? '' : 's'} with ${which}: new devices of ${count === 1 ? 'its' : 'their'} platform arrive without one.`,
      hint: 'Choose a default profile for each platform with devices (setDefaultEnrollmentProfile); new devices then get it as they sync.',
      tokenId: token.id,
      count,
      deviceFamilies: uncovered.map((f) => f.family).filter((f): f is DeviceFamily => f !== null),
    }));
  }
  const without = token.devicesByFamily.reduce((n, f) => n + f.withoutProfile, 0);
  if (without > 0) {
    items.push(item({
      code: 'DEVICES_WITHOUT_PROFILE',
      severity: 'WARNING',
      message: `${without} device${without === 1 ? '' : 's'} of ${name} ha${without === 1 ? 's' : 've'} no enrollment profile: Setup Assistant will not enroll ${without === 1 ? 'it' : 'them'}.`,
      hint: 'Assign a profile (assignEnrollmentProfile), or set a default profile so that they get it.',
      tokenId: token.id,
      count: without,
      deviceFamilies: token.devicesByFamily.filter((f) => f.withoutProfile > 0).map((f) => f.family).filter((f): f is DeviceFamily => f !== null),
    }));
  }

  if (token.enrollmentUrl === null) {
    items.push(urlNotConfigured(token.id));
  } else if (token.enrollmentUrl === facts.placeholderUrl) {
    items.push(item({
      code: 'ENROLLMENT_URL_PLACEHOLDER',
      severity: 'INFO',
      message: `${name}'s profiles use the placeholder enrollment URL ${token.enrollmentUrl} (nothing serves it): fine with the simulator only.`,
      hint: "Set ENROLLMENT_URL (or the token's enrollmentUrl) to your MDM server's enrollment URL.",
      tokenId: token.id,
      enrollmentUrl: token.enrollmentUrl,
    }));
  } else {
    const problem = facts.unreachable.get(token.enrollmentUrl);
    if (problem) {
      items.push(item({
        code: 'ENROLLMENT_URL_UNREACHABLE',
        severity: 'CRITICAL',
        message: `The enrollment URL of ${name} (${token.enrollmentUrl}) cannot be reached (${problem}): devices would fail Setup Assistant.`,
        hint: 'Check that the MDM server is running and reachable from the internet at that URL (DNS, TLS certificate, firewall).',
        tokenId: token.id,
        enrollmentUrl: token.enrollmentUrl,
      }));
    }
  }
  return items;
}
