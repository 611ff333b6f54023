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

/** A certificate uploaded alone that is not the one Apple issued for the pending request. */
export function apnsRequestMismatchError(pending: { createdAt: Date } | null): DomainError {
  const why = pending
    ? `was not issued for depgate's pending request (created ${pending.createdAt.toISOString()}): its key is another one`
    : "matches no pending request of depgate's (none is pending: it was used, it expired, or none was made)";
  return new DomainError(
    ErrorCode.APNS_CERTIFICATE_REQUEST_MISMATCH,
    `This certificate comes without its private key and ${why}. Upload it with its privateKey (or as a PKCS#12 file), or upload the certificate Apple issued for the request of createApnsCertificateRequest`,
    { field: 'certificate', pendingRequestCreatedAt: pending ? pending.createdAt.toISOString() : null },
  );
}

export function apnsVendorExpiredError(expiredAt: Date): DomainError {
  return new DomainError(
    ErrorCode.APNS_VENDOR_CERTIFICATE_EXPIRED,
    `The MDM vendor certificate (APNS_VENDOR_CERTIFICATE) expired on ${expiredAt.toISOString()}: Apple's Push Certificates Portal refuses requests it signs. Renew it in the Apple Developer portal and configure the new one`,
    { expiredAt: expiredAt.toISOString() },
  );
}
