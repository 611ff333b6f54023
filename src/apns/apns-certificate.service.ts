/**
 * The deployment's Apple MDM push certificate: (request ->) upload -> renew (same topic only) ->
 * delete. The private key is sealed at rest at once and never returned or logged; every refusal
 * happens before anything is written. One certificate at most (a unique index), since an MDM server
 * pushes with one topic and every enrolled device is bound to it.
 *
 * The request: depgate makes the key and the CSR itself (createRequest), signed for Apple's portal
 * when an MDM vendor certificate is configured, and keeps the key sealed as the one pending request.
 * The certificate Apple issues for it then comes back alone (no key to carry around) and is matched
 * to the pending request by its public key, which it consumes.
 */
import { randomUUID } from 'node:crypto';
import forge from 'node-forge';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { validAppleId } from '../apple-tokens/apple-token.input';
import type { AccessScope } from '../auth/access-scope';
import { DAY_MS, type Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { UNIQUE_VIOLATION } from '../database/pg-error-codes';
import { badInput, DomainError, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { Logger } from '../logger';
import {
  ApnsCertificateFileError,
  MAX_CERTIFICATE_CHARS,
  MAX_PASSWORD_CHARS,
  MAX_PRIVATE_KEY_CHARS,
  parseApnsCertificate,
  rsaPublicKeySha256,
  type ApnsCertificateFile,
  type ApnsCertificateInput,
} from './apns-certificate-file';
import { generateCertificateRequest, vendorSignedPushCertificateRequest, type CertificateRequestSubject } from './apns-certificate-request-file';
import { ApnsCertificateRequestEntity } from './apns-certificate-request.entity';
import { ApnsCertificateEntity } from './apns-certificate.entity';
import {
  apnsExistsError,
  apnsExpiredError,
  apnsFileDomainError,
  apnsRequestMismatchError,
  apnsTopicMismatchError,
  apnsUnrestrictedOnly,
  apnsVendorExpiredError,
} from './apns-certificate.errors';
import { apnsCertificateStatus, type ApnsCertificateStatus } from './apns-certificate.status';
import type { ApnsVendorCredentials } from './apns-vendor-credentials';

/** The SecretBox context of the push certificate's key: a sealed value cannot be moved to another row. */
export const apnsPrivateKeyContext = (certificateId: string) => `apns_certificate:${certificateId}:private_key`;
/** The SecretBox context of a pending request's key. */
export const apnsRequestKeyContext = (requestId: string) => `apns_certificate_request:${requestId}:private_key`;

/**
 * How long a pending request's key is kept for Apple's certificate to come back: long enough for a
 * vendor's signing service that answers by email and for the Apple ID's owner to be found, short
 * enough that a forgotten key does not linger. Once expired it matches nothing, and its row (the
 * sealed key with it) goes when the next request replaces it or a certificate is uploaded alone.
 */
export const APNS_REQUEST_TTL_DAYS = 30;
const DEFAULT_REQUEST_COMMON_NAME = 'depgate MDM push';
/** An export's password: long enough that the file can be sent over the usual channels. */
export const MIN_EXPORT_PASSWORD_CHARS = 12;
/** X.520 upper bounds (ub-common-name, ub-organization-name; ub-emailaddress-length). */
const MAX_SUBJECT_CHARS = 64;
const MAX_EMAIL_CHARS = 254;
const EMAIL = /^[\x21-\x3f\x41-\x7e]{1,64}@[\x21-\x3f\x41-\x7e]+\.[\x21-\x3f\x41-\x7e]{2,}$/;

export interface CreateApnsCertificateRequestCommand {
  commonName?: string | null;
  email?: string | null;
  organization?: string | null;
  country?: string | null;
}

export interface UploadApnsCertificateCommand extends ApnsCertificateInput {
  appleId: string;
}

export interface RenewApnsCertificateCommand extends ApnsCertificateInput {
  appleId?: string | null;
}

export type ApnsCertificateListener = (certificate: ApnsCertificateEntity) => Promise<void> | void;

export class ApnsCertificateService {
  private readonly certificates: Repository<ApnsCertificateEntity>;
  private readonly listeners: ApnsCertificateListener[] = [];

  private readonly requests: Repository<ApnsCertificateRequestEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: { expiringSoonDays: number; vendor?: ApnsVendorCredentials },
  ) {
    this.certificates = dataSource.getRepository(ApnsCertificateEntity);
    this.requests = dataSource.getRepository(ApnsCertificateRequestEntity);
  }

  /** Called after an upload or renewal (alerts re-evaluate the certificate). */
  onChanged(listener: ApnsCertificateListener): void {
    this.listeners.push(listener);
  }

  status(certificate: Pick<ApnsCertificateEntity, 'notAfter'>): ApnsCertificateStatus {
    return apnsCertificateStatus(certificate.notAfter, this.clock.now(), this.options.expiringSoonDays);
  }

  async current(): Promise<ApnsCertificateEntity | null> {
    return this.certificates.findOne({ where: {}, order: { createdAt: 'ASC' } });
  }

  async findByIds(ids: readonly string[]): Promise<ApnsCertificateEntity[]> {
    if (ids.length === 0) return [];
    return this.certificates.createQueryBuilder('c').where('c.id IN (:...ids)', { ids: [...ids] }).getMany();
  }

  /** The pending request, unless it has expired (an expired one matches nothing). */
  async pendingRequest(): Promise<ApnsCertificateRequestEntity | null> {
    return this.requests.createQueryBuilder('r').where('r.expires_at > :now', { now: this.clock.now() }).getOne();
  }

  /**
   * A new key and CSR, vendor-signed for Apple's portal when a vendor certificate is configured;
   * it replaces the pending request (one at most: only the newest one's certificate will match).
   */
  async createRequest(command: CreateApnsCertificateRequestCommand, scope: AccessScope): Promise<ApnsCertificateRequestEntity> {
    if (!scope.unrestricted) throw apnsUnrestrictedOnly();
    const subject = requestSubject(command);
    const vendor = this.options.vendor;
    const now = this.clock.now();
    if (vendor && vendor.notAfter.getTime() <= now.getTime()) throw apnsVendorExpiredError(vendor.notAfter);
    const generated = await generateCertificateRequest(subject);
    const id = randomUUID();
    const row: ApnsCertificateRequestEntity = {
      id,
      subject: generated.subject,
      csrPem: generated.csrPem,
      publicKeySha256: generated.publicKeySha256,
      privateKeySealed: this.box.seal(generated.privateKeyPem, apnsRequestKeyContext(id)),
      pushCertificateRequest: vendor ? vendorSignedPushCertificateRequest(generated.csrDer, vendor) : null,
      vendorCertificateSubject: vendor?.subject ?? null,
      vendorChainComplete: vendor ? vendor.chainComplete : null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + APNS_REQUEST_TTL_DAYS * DAY_MS),
    };
    // One statement, so that two requests made at once leave exactly one (the later).
    await this.dataSource.query(
      `INSERT INTO apns_certificate_requests
         (id, subject, csr_pem, public_key_sha256, private_key_sealed, push_certificate_request, vendor_certificate_subject, vendor_chain_complete, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT ((true)) DO UPDATE SET
         id = EXCLUDED.id, subject = EXCLUDED.subject, csr_pem = EXCLUDED.csr_pem, public_key_sha256 = EXCLUDED.public_key_sha256,
         private_key_sealed = EXCLUDED.private_key_sealed, push_certificate_request = EXCLUDED.push_certificate_request,
         vendor_certificate_subject = EXCLUDED.vendor_certificate_subject, vendor_chain_complete = EXCLUDED.vendor_chain_complete,
         created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
      [
        row.id,
        row.subject,
        row.csrPem,
        row.publicKeySha256,
        row.privateKeySealed,
        row.pushCertificateRequest,
        row.vendorCertificateSubject,
        row.vendorChainComplete,
        row.createdAt,
        row.expiresAt,
      ],
    );
    this.logger.info({ apnsCertificateRequestId: id, signed: Boolean(vendor), expiresAt: row.expiresAt }, 'APNs certificate request created');
    // The row as written (not read back: a request made a moment later may already have replaced it).
    return row;
  }

  async upload(command: UploadApnsCertificateCommand, scope: AccessScope): Promise<ApnsCertificateEntity> {
    if (!scope.unrestricted) throw apnsUnrestrictedOnly();
    const appleId = validAppleId(command.appleId);
    const file = this.read(command);
    if (await this.current()) throw apnsExistsError();
    const key = await this.keyFor(file);
    const now = this.clock.now();
    const id = randomUUID();
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.getRepository(ApnsCertificateEntity).insert({
          id,
          ...publicFields(file),
          appleId,
          privateKeySealed: this.box.seal(key.privateKeyPem, apnsPrivateKeyContext(id)),
          createdAt: now,
          renewedAt: null,
          updatedAt: now,
        });
        await this.consume(manager, key.request);
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw apnsExistsError();
      throw error;
    }
    this.logger.info({ apnsCertificateId: id, topic: file.topic, notAfter: file.notAfter, fromRequest: Boolean(key.request) }, 'APNs certificate uploaded');
    return this.changed(id);
  }

  async renew(command: RenewApnsCertificateCommand, scope: AccessScope): Promise<ApnsCertificateEntity> {
    if (!scope.unrestricted) throw apnsUnrestrictedOnly();
    const appleId = command.appleId == null ? null : validAppleId(command.appleId);
    const existing = await this.current();
    if (!existing) throw notFound('APNs certificate');
    const file = this.read(command);
    if (file.topic !== existing.topic) throw apnsTopicMismatchError(existing.topic, file.topic);
    if (appleId && appleId.toLowerCase() !== existing.appleId.toLowerCase()) {
      throw new DomainError(
        ErrorCode.APNS_CERTIFICATE_APPLE_ID_MISMATCH,
        `The certificate was created by ${existing.appleId}: Apple renews it only under that Apple ID`,
        { field: 'appleId' },
      );
    }
    const key = await this.keyFor(file);
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(ApnsCertificateEntity).update(
        { id: existing.id },
        { ...publicFields(file), privateKeySealed: this.box.seal(key.privateKeyPem, apnsPrivateKeyContext(existing.id)), renewedAt: now, updatedAt: now },
      );
      await this.consume(manager, key.request);
    });
    this.logger.info({ apnsCertificateId: existing.id, topic: file.topic, notAfter: file.notAfter, fromRequest: Boolean(key.request) }, 'APNs certificate renewed');
    return this.changed(existing.id);
  }

  /**
   * The certificate and its key as a PKCS#12 (base64) under the admin's password, for the MDM
   * server beside depgate, which pushes with it: the one way the key leaves depgate, and only
   * encrypted (3DES, as keychains and Go's pkcs12 read it). When depgate made the key
   * (createApnsCertificateRequest), nobody else has it. Logged without the password or the file.
   */
  async exportPkcs12(password: string, scope: AccessScope): Promise<{ pkcs12Base64: string; certificate: ApnsCertificateEntity }> {
    if (!scope.unrestricted) throw apnsUnrestrictedOnly();
    if (password.length < MIN_EXPORT_PASSWORD_CHARS || password.length > MAX_PASSWORD_CHARS) {
      throw badInput(`The password protecting the export must be ${MIN_EXPORT_PASSWORD_CHARS} to ${MAX_PASSWORD_CHARS} characters`, 'password');
    }
    const existing = await this.current();
    if (!existing) throw notFound('APNs certificate');
    const key = forge.pki.privateKeyFromPem(this.box.open(existing.privateKeySealed, apnsPrivateKeyContext(existing.id)));
    const certificate = forge.pki.certificateFromPem(existing.certificatePem);
    const asn1 = forge.pkcs12.toPkcs12Asn1(key, [certificate], password, { algorithm: '3des', friendlyName: existing.topic });
    const pkcs12Base64 = forge.util.encode64(forge.asn1.toDer(asn1).getBytes());
    this.logger.info({ apnsCertificateId: existing.id, topic: existing.topic }, 'APNs certificate exported');
    return { pkcs12Base64, certificate: existing };
  }

  /** Deletes the certificate (its alerts go with it); the id, or NOT_FOUND when there is none. */
  async delete(scope: AccessScope): Promise<string> {
    if (!scope.unrestricted) throw apnsUnrestrictedOnly();
    const existing = await this.current();
    if (!existing) throw notFound('APNs certificate');
    await this.certificates.delete({ id: existing.id });
    this.logger.info({ apnsCertificateId: existing.id, topic: existing.topic }, 'APNs certificate deleted');
    return existing.id;
  }

  /**
   * The key to store with the certificate: the one uploaded with it, or, for a certificate uploaded
   * alone, the pending request's (refused unless the certificate was issued for that very key).
   */
  private async keyFor(file: ApnsCertificateFile): Promise<{ privateKeyPem: string; request: ApnsCertificateRequestEntity | null }> {
    if (file.privateKeyPem) return { privateKeyPem: file.privateKeyPem, request: null };
    await this.requests.createQueryBuilder().delete().where('expires_at <= :now', { now: this.clock.now() }).execute();
    const request = await this.pendingRequest();
    if (!request || request.publicKeySha256 !== file.publicKeySha256) throw apnsRequestMismatchError(request);
    const privateKeyPem = this.box.open(request.privateKeySealed, apnsRequestKeyContext(request.id));
    // The fingerprint column is not sealed: the key itself must be the certificate's.
    const key = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
    if (rsaPublicKeySha256(forge.pki.setRsaPublicKey(key.n, key.e)) !== file.publicKeySha256) throw apnsRequestMismatchError(request);
    return { privateKeyPem, request };
  }

  /** Deletes the request whose key was just stored; refused (rolling back) when another call took or replaced it meanwhile. */
  private async consume(manager: EntityManager, request: ApnsCertificateRequestEntity | null): Promise<void> {
    if (!request) return;
    const deleted = await manager.getRepository(ApnsCertificateRequestEntity).delete({ id: request.id });
    if (!deleted.affected) throw apnsRequestMismatchError(null);
  }

  private read(input: ApnsCertificateInput): ApnsCertificateFile {
    if (input.certificate.length > MAX_CERTIFICATE_CHARS) throw badInput(`certificate must be at most ${MAX_CERTIFICATE_CHARS} characters`, 'certificate');
    if ((input.privateKey?.length ?? 0) > MAX_PRIVATE_KEY_CHARS) throw badInput(`privateKey must be at most ${MAX_PRIVATE_KEY_CHARS} characters`, 'privateKey');
    if ((input.password?.length ?? 0) > MAX_PASSWORD_CHARS) throw badInput(`password must be at most ${MAX_PASSWORD_CHARS} characters`, 'password');
    let file: ApnsCertificateFile;
    try {
      file = parseApnsCertificate(input);
    } catch (error) {
      if (error instanceof ApnsCertificateFileError) throw apnsFileDomainError(error);
      throw error;
    }
    if (file.notAfter.getTime() <= this.clock.now().getTime()) throw apnsExpiredError(file.notAfter);
    return file;
  }

  private async changed(id: string): Promise<ApnsCertificateEntity> {
    const saved = await this.certificates.findOneByOrFail({ id });
    for (const listener of this.listeners) await listener(saved);
    return saved;
  }
}

function requestSubject(command: CreateApnsCertificateRequestCommand): CertificateRequestSubject {
  const text = (value: string | null | undefined) => {
    const trimmed = value?.trim();
    return trimmed ? trimmed : null;
  };
  const commonName = text(command.commonName) ?? DEFAULT_REQUEST_COMMON_NAME;
  if (commonName.length > MAX_SUBJECT_CHARS) throw badInput(`commonName must be at most ${MAX_SUBJECT_CHARS} characters`, 'commonName');
  const organization = text(command.organization);
  if (organization && organization.length > MAX_SUBJECT_CHARS) throw badInput(`organization must be at most ${MAX_SUBJECT_CHARS} characters`, 'organization');
  const email = text(command.email);
  if (email && (email.length > MAX_EMAIL_CHARS || !EMAIL.test(email))) throw badInput('email must be an email address (ASCII)', 'email');
  const country = text(command.country)?.toUpperCase() ?? null;
  if (country && !/^[A-Z]{2}$/.test(country)) throw badInput('country must be a two-letter ISO 3166 code, e.g. US', 'country');
  return { commonName, email, organization, country };
}

function publicFields(file: ApnsCertificateFile) {
  return {
    topic: file.topic,
    subject: file.subject,
    issuer: file.issuer,
    serialNumber: file.serialNumber,
    notBefore: file.notBefore,
    notAfter: file.notAfter,
    certificatePem: file.certificatePem,
  };
}
