import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../graphql/connection';
import { AssignmentStatus } from '../devices/device.types';
import type { AssignmentAttemptEntity } from './assignment-attempt.entity';

export enum AssignmentRequester {
  API_KEY = 'API_KEY',
  DEFAULT_PROFILE = 'DEFAULT_PROFILE',
  REQUESTED_PROFILE = 'REQUESTED_PROFILE',
  RETRY = 'RETRY',
  PROFILE_UPDATE = 'PROFILE_UPDATE',
}
registerEnumType(AssignmentRequester, {
  name: 'AssignmentRequester',
  description: 'Who or what asked for an assignment attempt',
  valuesConfig: {
    API_KEY: { description: 'An API key, with assignEnrollmentProfile (apiKeyName says which)' },
    DEFAULT_PROFILE: { description: "The default-profile rule, after a sync saw the device without a profile" },
    REQUESTED_PROFILE: { description: 'A profile requested earlier (an import, or an assignment Apple had not confirmed), when a sync saw the device' },
    RETRY: { description: "The retry job, once the device's cooldown after FAILED or THROTTLED ended" },
    PROFILE_UPDATE: { description: 'The profile was defined again at Apple (an update) and its devices moved to the new definition' },
  },
});

@ObjectType({ description: "One attempt to assign an enrollment profile to the device at Apple, and Apple's answer" })
export class AssignmentAttempt {
  @Field()
  serialNumber: string;

  @Field(() => String, { nullable: true, description: 'The Apple profile UUID that was sent' })
  appleProfileUuid: string | null;

  @Field(() => AssignmentStatus, { description: "Apple's answer (or FAILED / THROTTLED when the whole request failed)" })
  result: AssignmentStatus;

  @Field(() => String, { nullable: true })
  message: string | null;

  @Field(() => Int, { nullable: true, description: 'Seconds Apple (or depgate, after a failed request) asked to wait before retrying' })
  retryAfterSeconds: number | null;

  @Field(() => AssignmentRequester)
  requestedBy: AssignmentRequester;

  @Field(() => String, { nullable: true, description: "The API key's name when requestedBy is API_KEY (as it was then)" })
  apiKeyName: string | null;

  @Field()
  attemptedAt: Date;

  /** For the profile field resolver; not exposed. */
  profileRowId: string | null;

  static from(entity: AssignmentAttemptEntity): AssignmentAttempt {
    return Object.assign(new AssignmentAttempt(), {
      serialNumber: entity.serialNumber,
      appleProfileUuid: entity.appleProfileUuid,
      result: entity.result as AssignmentStatus,
      message: entity.message,
      retryAfterSeconds: entity.retryAfterSeconds,
      requestedBy: entity.requestedBy as AssignmentRequester,
      apiKeyName: entity.apiKeyName,
      attemptedAt: entity.attemptedAt,
      profileRowId: entity.profileId,
    });
  }
}

export const AssignmentAttemptConnection = ConnectionType(AssignmentAttempt, 'AssignmentAttempt');
