import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import type { ApnsCertificateEntity } from './apns-certificate.entity';
import { ApnsCertificateStatus } from './apns-certificate.status';

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

@InputType()
export class UploadApnsCertificateInput {
  @Field({ description: 'The PEM certificate from Apple (the key may follow in the same text), or the base64 of a PKCS#12 (.p12) file. At most 32,000 characters' })
  certificate: string;

  @Field(() => String, { nullable: true, description: 'The PEM private key (PKCS#1 or PKCS#8, encrypted with `password` or not); not with PKCS#12. At most 16,000 characters' })
  privateKey?: string | null;

  @Field(() => String, { nullable: true, description: "The PKCS#12 file's or the encrypted key's password. At most 1,000 characters" })
  password?: string | null;

  @Field({ description: "The Apple ID that created the certificate in Apple's Push Certificates Portal" })
  appleId: string;
}

@InputType()
export class RenewApnsCertificateInput {
  @Field({ description: 'The renewed certificate (same topic), as for uploadApnsCertificate' })
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

@ObjectType()
export class DeleteApnsCertificatePayload {
  @Field(() => ID)
  deletedApnsCertificateId: string;
}
