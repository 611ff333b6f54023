/** How push-certificate refusals are told to the admin: messages say what to do and never carry the key. */
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { ApnsCertificateFileError } from './apns-certificate-file';

export function apnsFileDomainError(error: ApnsCertificateFileError): DomainError {
  return new DomainError(ErrorCode[error.code], error.message, { field: error.field });
}

export function apnsExpiredError(expiredAt: Date): DomainError {
  return new DomainError(
    ErrorCode.APNS_CERTIFICATE_EXPIRED,
    `This push certificate expired on ${expiredAt.toISOString()}: renew it in Apple's Push Certificates Portal and upload the renewal`,
    { expiredAt: expiredAt.toISOString() },
  );
}

export function apnsTopicMismatchError(topic: string, uploadedTopic: string): DomainError {
  return new DomainError(
    ErrorCode.APNS_CERTIFICATE_TOPIC_MISMATCH,
    `This certificate has another topic (${uploadedTopic}) than the one devices are enrolled with (${topic}): renew the existing certificate in Apple's Push Certificates Portal (Renew, not Create), or every device would have to re-enroll`,
    { topic, uploadedTopic },
  );
}

export const apnsExistsError = () =>
  new DomainError(
    ErrorCode.APNS_CERTIFICATE_EXISTS,
    'A push certificate is already uploaded: renew it with renewApnsCertificate (same topic); to change topic, delete it first (every device must then re-enroll)',
  );

export const apnsUnrestrictedOnly = () =>
  new DomainError(ErrorCode.FORBIDDEN, 'The push certificate serves every device: only an API key without scope tags can manage it');
