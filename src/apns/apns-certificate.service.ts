/**
 * The deployment's Apple MDM push certificate: upload -> renew (same topic only) -> delete. The
 * private key is sealed at rest at once and never returned or logged; every refusal happens before
 * anything is written. One certificate at most (a unique index), since an MDM server pushes with one
 * topic and every enrolled device is bound to it.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { validAppleId } from '../apple-tokens/apple-token.input';
import type { AccessScope } from '../auth/access-scope';
import type { Clock } from '../clock';
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
  type ApnsCertificateFile,
  type ApnsCertificateInput,
} from './apns-certificate-file';
import { ApnsCertificateEntity } from './apns-certificate.entity';
import { apnsExistsError, apnsExpiredError, apnsFileDomainError, apnsTopicMismatchError, apnsUnrestrictedOnly } from './apns-certificate.errors';
import { apnsCertificateStatus, type ApnsCertificateStatus } from './apns-certificate.status';

/** The SecretBox context of the push certificate's key: a sealed value cannot be moved to another row. */
export const apnsPrivateKeyContext = (certificateId: string) => `apns_certificate:${certificateId}:private_key`;

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

  constructor(
    dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: { expiringSoonDays: number },
  ) {
    this.certificates = dataSource.getRepository(ApnsCertificateEntity);
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

  async upload(command: UploadApnsCertificateCommand, scope: AccessScope): Promise<ApnsCertificateEntity> {
    if (!scope.unrestricted) throw apnsUnrestrictedOnly();
    const appleId = validAppleId(command.appleId);
    const file = this.read(command);
    if (await this.current()) throw apnsExistsError();
    const now = this.clock.now();
    const id = randomUUID();
    try {
      await this.certificates.insert({
        id,
        ...publicFields(file),
        appleId,
        privateKeySealed: this.box.seal(file.privateKeyPem, apnsPrivateKeyContext(id)),
        createdAt: now,
        renewedAt: null,
        updatedAt: now,
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw apnsExistsError();
      throw error;
    }
    this.logger.info({ apnsCertificateId: id, topic: file.topic, notAfter: file.notAfter }, 'APNs certificate uploaded');
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
    const now = this.clock.now();
    await this.certificates.update(
      { id: existing.id },
      { ...publicFields(file), privateKeySealed: this.box.seal(file.privateKeyPem, apnsPrivateKeyContext(existing.id)), renewedAt: now, updatedAt: now },
    );
    this.logger.info({ apnsCertificateId: existing.id, topic: file.topic, notAfter: file.notAfter }, 'APNs certificate renewed');
    return this.changed(existing.id);
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
