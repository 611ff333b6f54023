import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DeviceFamily } from '../devices/device-platform';
import type { ReadinessCodeName, ReadinessItemValue } from './readiness.rules';

export enum ReadinessCode {
  APNS_CERTIFICATE_MISSING = 'APNS_CERTIFICATE_MISSING',
  APNS_CERTIFICATE_EXPIRING = 'APNS_CERTIFICATE_EXPIRING',
  APNS_CERTIFICATE_EXPIRED = 'APNS_CERTIFICATE_EXPIRED',
  NO_DEP_TOKEN = 'NO_DEP_TOKEN',
  DEP_TOKEN_EXPIRING = 'DEP_TOKEN_EXPIRING',
  DEP_TOKEN_EXPIRED = 'DEP_TOKEN_EXPIRED',
  DEP_TOKEN_REJECTED = 'DEP_TOKEN_REJECTED',
  DEP_TERMS_NOT_ACCEPTED = 'DEP_TERMS_NOT_ACCEPTED',
  NO_DEFAULT_PROFILE = 'NO_DEFAULT_PROFILE',
  PROFILE_VPP_TOKEN_EXPIRED = 'PROFILE_VPP_TOKEN_EXPIRED',
  PROFILE_VPP_LICENSES_EXHAUSTED = 'PROFILE_VPP_LICENSES_EXHAUSTED',
  DEVICES_WITHOUT_PROFILE = 'DEVICES_WITHOUT_PROFILE',
  ENROLLMENT_URL_NOT_CONFIGURED = 'ENROLLMENT_URL_NOT_CONFIGURED',
  ENROLLMENT_URL_PLACEHOLDER = 'ENROLLMENT_URL_PLACEHOLDER',
  ENROLLMENT_URL_UNREACHABLE = 'ENROLLMENT_URL_UNREACHABLE',
}
// The rules' names and the enum stay one list.
const _sameNames: Record<ReadinessCodeName, ReadinessCode> = ReadinessCode;
void _sameNames;
registerEnumType(ReadinessCode, { name: 'ReadinessCode', description: 'What is missing before a device can enroll' });

export enum ReadinessSeverity {
  CRITICAL = 'CRITICAL',
  WARNING = 'WARNING',
  INFO = 'INFO',
}
registerEnumType(ReadinessSeverity, {
  name: 'ReadinessSeverity',
  valuesConfig: {
    CRITICAL: { description: 'No device (of the token) can enroll, or enrolled devices stop working' },
    WARNING: { description: 'Some devices or features will not work as intended' },
    INFO: { description: 'Worth knowing (e.g. the simulator-only placeholder enrollment URL)' },
  },
});

@ObjectType({ description: 'One thing missing before devices can enroll, with what to do about it' })
export class ReadinessItem {
  @Field(() => ReadinessCode)
  code: ReadinessCode;

  @Field(() => ReadinessSeverity)
  severity: ReadinessSeverity;

  @Field()
  message: string;

  @Field({ description: 'What to do about it' })
  hint: string;

  @Field(() => Int, { nullable: true, description: 'Devices concerned, for the items that count devices' })
  count: number | null;

  @Field(() => [DeviceFamily], { description: 'The device families concerned (NO_DEFAULT_PROFILE, DEVICES_WITHOUT_PROFILE); empty otherwise' })
  deviceFamilies: DeviceFamily[];

  @Field(() => String, { nullable: true, description: 'The enrollment URL concerned (ENROLLMENT_URL_PLACEHOLDER, ENROLLMENT_URL_UNREACHABLE)' })
  enrollmentUrl: string | null;

  /** Row ids for the token, profile and vppToken field resolvers. */
  tokenRowId: string | null;
  profileRowId: string | null;
  vppTokenRowId: string | null;

  static from(value: ReadinessItemValue): ReadinessItem {
    return Object.assign(new ReadinessItem(), {
      code: value.code as ReadinessCode,
      severity: value.severity as ReadinessSeverity,
      message: value.message,
      hint: value.hint,
      count: value.count,
      deviceFamilies: value.deviceFamilies,
      enrollmentUrl: value.enrollmentUrl,
      tokenRowId: value.tokenId,
      profileRowId: value.profileId,
      vppTokenRowId: value.vppTokenId,
    });
  }
}

@ObjectType({ description: 'Whether devices can enroll: `ready` unless an item is CRITICAL' })
export class EnrollmentReadiness {
  @Field({ description: 'No CRITICAL item' })
  ready: boolean;

  @Field(() => [ReadinessItem], { description: 'Most severe first' })
  items: ReadinessItem[];

  @Field()
  checkedAt: Date;
}
