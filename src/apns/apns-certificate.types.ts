import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import { REQUEST_KEY_BITS } from './apns-certificate-request-file';
import type { ApnsCertificateRequestEntity } from './apns-certificate-request.entity';
import type { ApnsCertificateEntity } from './apns-certificate.entity';
import { ApnsCertificateStatus } from './apns-certificate.status';

const APPLE_PORTAL = 'https://identity.apple.com';

@ObjectType({
  implements: Node,
  description: 'The Apple MDM push certificate the MDM server beside depgate pushes to enrolled devices with. Its private key is never returned',
})
export class ApnsCertificate extends Node {
  @Field({ description: 'The push topic (the subject UID): com.apple.mgmt.External.<uuid>; every enrolled device is bound to it' })
  topic: string;

  @Field({ description: 'The certificate subject, e.g. `UID=com.apple.mgmt.External..., CN=APSP:..., C=US`' })
  subject: string;

  @Field()
  issuer: string;

  @Field({ description: 'Hexadecimal' })
  serialNumber: string;

  @Field()
  notBefore: Date;

  @Field({ description: 'When it expires: devices stop taking commands then' })
  notAfter: Date;

  @Field({ description: "The Apple ID that created it in Apple's Push Certificates Portal (renewals need the same one)" })
  appleId: string;

  @Field(() => ApnsCertificateStatus)
  status: ApnsCertificateStatus;

  @Field({ description: 'The certificate (public), PEM, for the MDM server' })
  certificatePem: string;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  renewedAt: Date | null;

  static from(entity: ApnsCertificateEntity, status: ApnsCertificateStatus): ApnsCertificate {
    return Object.assign(new ApnsCertificate(), {
      id: toGlobalId('ApnsCertificate', entity.id),
      topic: entity.topic,
      subject: entity.subject,
      issuer: entity.issuer,
      serialNumber: entity.serialNumber,
      notBefore: entity.notBefore,
      notAfter: entity.notAfter,
      appleId: entity.appleId,
      status,
      certificatePem: entity.certificatePem,
      createdAt: entity.createdAt,
      renewedAt: entity.renewedAt,
    });
  }
}

@ObjectType({
  description:
    "The pending request for a new push certificate (createApnsCertificateRequest): depgate holds its private key (sealed, never returned) until the certificate Apple issues for it is uploaded without a key, the request expires, or a newer request replaces it",
})
export class ApnsCertificateRequest {
  @Field({ description: 'The CSR subject, e.g. `C=US, O=Example Corp, CN=depgate MDM push, E=mdm-admin@example.com` (Apple issues the certificate with its own subject)' })
  subject: string;

  @Field(() => Int, { description: 'The RSA key size: 2048' })
  keyBits: number;

  @Field({ description: "Hex SHA-256 of the request's public key (SubjectPublicKeyInfo DER): the certificate Apple issues carries the same key" })
  publicKeySha256: string;

  @Field({ description: 'The PKCS#10 certificate signing request (PEM, public), for an MDM vendor to sign' })
  csrPem: string;

  @Field({ description: 'Whether the configured MDM vendor certificate signed it: then pushCertificateRequest is the file for Apple' })
  signed: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      "The push certificate request Apple's Push Certificates Portal (https://identity.apple.com) takes, as the portal takes it: the base64 of a plist with PushCertRequestCSR, PushCertCertificateChain and PushCertSignature. Save it as a file as it is and upload it there. Null when no vendor certificate is configured (see hint)",
  })
  pushCertificateRequest: string | null;

  @Field(() => String, { nullable: true, description: 'The subject of the MDM vendor certificate that signed it' })
  vendorCertificateSubject: string | null;

  @Field({ description: 'What to do with it next' })
  hint: string;

  @Field()
  createdAt: Date;

  @Field({ description: "After this the certificate Apple issues for it is no longer taken: create a new request" })
  expiresAt: Date;

  static from(entity: ApnsCertificateRequestEntity): ApnsCertificateRequest {
    return Object.assign(new ApnsCertificateRequest(), {
      subject: entity.subject,
      keyBits: REQUEST_KEY_BITS,
      publicKeySha256: entity.publicKeySha256,
      csrPem: entity.csrPem,
      signed: entity.pushCertificateRequest !== null,
      pushCertificateRequest: entity.pushCertificateRequest,
      vendorCertificateSubject: entity.vendorCertificateSubject,
      hint: requestHint(entity),
      createdAt: entity.createdAt,
      expiresAt: entity.expiresAt,
    });
  }
}

function requestHint(entity: ApnsCertificateRequestEntity): string {
  const then = `then upload the certificate Apple issues with uploadApnsCertificate (renewApnsCertificate when you renewed) without a private key: depgate holds it, and takes the certificate until ${entity.expiresAt.toISOString()}.`;
  if (entity.pushCertificateRequest === null) {
    return (
      "No MDM vendor certificate is configured (APNS_VENDOR_CERTIFICATE, APNS_VENDOR_PRIVATE_KEY), so this is the bare CSR, and Apple's Push Certificates Portal only takes a request an MDM vendor signed. " +
      `Have csrPem signed by an MDM vendor (the vendor of your MDM, or a signing service such as mdmcert.download for open-source MDMs), upload the signed request it returns at ${APPLE_PORTAL}, ${then}`
    );
  }
  const chain = entity.vendorChainComplete
    ? ''
    : "The configured vendor chain does not end in a root certificate, and the portal needs it whole: append Apple's WWDR intermediate and the Apple Inc. Root certificate to APNS_VENDOR_CERTIFICATE and create the request again. ";
  return (
    chain +
    `Save pushCertificateRequest as a file as it is and upload it at ${APPLE_PORTAL} signed in with the Apple ID that is to own the certificate (Renew beside the current certificate to keep its topic; Create a Certificate for a new topic), ${then}`
  );
}

@InputType()
export class CreateApnsCertificateRequestInput {
  @Field(() => String, { nullable: true, description: 'The CSR common name (default "depgate MDM push"); at most 64 characters' })
  commonName?: string | null;

  @Field(() => String, { nullable: true, description: 'An email address for the CSR subject (signing services such as mdmcert.download reply to it); at most 254 characters' })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'The organisation, at most 64 characters' })
  organization?: string | null;

  @Field(() => String, { nullable: true, description: 'A two-letter ISO 3166 country code, e.g. US' })
  country?: string | null;
}

@ObjectType()
export class CreateApnsCertificateRequestPayload {
  @Field(() => ApnsCertificateRequest)
  apnsCertificateRequest: ApnsCertificateRequest;
}

@InputType()
export class UploadApnsCertificateInput {
  @Field({
    description:
      'The PEM certificate from Apple (the key may follow in the same text), or the base64 of a PKCS#12 (.p12) file. Alone (no key) it must be the certificate Apple issued for the pending apnsCertificateRequest. At most 32,000 characters',
  })
  certificate: string;

  @Field(() => String, {
    nullable: true,
    description:
      'The PEM private key (PKCS#1 or PKCS#8, encrypted with `password` or not); not with PKCS#12, nor for the certificate of the pending apnsCertificateRequest (depgate holds that key). At most 16,000 characters',
  })
  privateKey?: string | null;

  @Field(() => String, { nullable: true, description: "The PKCS#12 file's or the encrypted key's password. At most 1,000 characters" })
  password?: string | null;

  @Field({ description: "The Apple ID that created the certificate in Apple's Push Certificates Portal" })
  appleId: string;
}

@InputType()
export class RenewApnsCertificateInput {
  @Field({ description: 'The renewed certificate (same topic), as for uploadApnsCertificate (alone when it was issued for the pending apnsCertificateRequest)' })
  certificate: string;

  @Field(() => String, { nullable: true })
  privateKey?: string | null;

  @Field(() => String, { nullable: true })
  password?: string | null;

  @Field(() => String, { nullable: true, description: 'When given, must be the Apple ID that created the certificate' })
  appleId?: string | null;
}

@ObjectType()
export class ApnsCertificatePayload {
  @Field(() => ApnsCertificate)
  apnsCertificate: ApnsCertificate;
}

@InputType()
export class ExportApnsCertificateInput {
  @Field({ description: 'Protects the PKCS#12 file (12 to 1,000 characters); the MDM server imports it with this password' })
  password: string;
}

@ObjectType()
export class ExportApnsCertificatePayload {
  @Field({ description: 'The certificate and its private key as a PKCS#12 (.p12), base64, encrypted under the password' })
  pkcs12Base64: string;

  @Field({ description: 'A file name for it (the topic, .p12)' })
  fileName: string;

  @Field(() => ApnsCertificate)
  apnsCertificate: ApnsCertificate;
}

@ObjectType()
export class DeleteApnsCertificatePayload {
  @Field(() => ID)
  deletedApnsCertificateId: string;
}
