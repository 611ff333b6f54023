/**
 * Apple Configurator certificates: uploaded once for the organisation, listed by profiles whose
 * sync mode is "allow Apple Configurator by certificate" (sent to Apple as supervising_host_certs).
 * Public certificates, not bound to a DEP token: every key may read them.
 */
import { In, type DataSource, type Repository } from 'typeorm';
import type { Clock } from '../clock';
import { UNIQUE_VIOLATION } from '../database/pg-error-codes';
import { type ConnectionArgs, ascending, paginate } from '../graphql/connection';
import { DomainError, badInput, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { parseConfiguratorCertificate } from './configurator-certificate.crypto';
import { ConfiguratorCertificateEntity } from './configurator-certificate.entity';

const MAX_NAME_LENGTH = 100;

export class ConfiguratorCertificateService {
  readonly certificates: Repository<ConfiguratorCertificateEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    this.certificates = dataSource.getRepository(ConfiguratorCertificateEntity);
  }

  /**
   * Stores a certificate given as PEM or base64 DER. Refused: anything that is not exactly one
   * X.509 certificate (CONFIGURATOR_CERTIFICATE_INVALID, with `extensions.reason`), an expired or
   * not yet valid one (CONFIGURATOR_CERTIFICATE_EXPIRED), and one already uploaded
   * (CONFIGURATOR_CERTIFICATE_DUPLICATE, same SHA-256 thumbprint).
   */
  async add(pem: string, name: string | null | undefined): Promise<ConfiguratorCertificateEntity> {
    const trimmedName = name?.trim() || null;
    if (trimmedName && trimmedName.length > MAX_NAME_LENGTH) throw badInput(`name is at most ${MAX_NAME_LENGTH} characters`, 'name');
    const parsed = parseConfiguratorCertificate(pem);
    const now = this.clock.now();
    if (parsed.notAfter.getTime() <= now.getTime() || parsed.notBefore.getTime() > now.getTime()) {
      const expired = parsed.notAfter.getTime() <= now.getTime();
      throw new DomainError(
        ErrorCode.CONFIGURATOR_CERTIFICATE_EXPIRED,
        expired
          ? `This certificate expired on ${parsed.notAfter.toISOString()}: export a current one from Apple Configurator`
          : `This certificate is not valid before ${parsed.notBefore.toISOString()}`,
        { field: 'pem', notBefore: parsed.notBefore.toISOString(), notAfter: parsed.notAfter.toISOString() },
      );
    }
    const existing = await this.certificates.findOneBy({ thumbprintSha256: parsed.thumbprintSha256 });
    if (existing) throw duplicate();
    try {
      return await this.certificates.save(
        this.certificates.create({
          name: trimmedName,
          certificatePem: parsed.pem,
          derBase64: parsed.derBase64,
          subject: parsed.subject,
          thumbprintSha256: parsed.thumbprintSha256,
          notBefore: parsed.notBefore,
          notAfter: parsed.notAfter,
          createdAt: now,
        }),
      );
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw duplicate();
      throw error;
    }
  }

  /** Refused with CONFIGURATOR_CERTIFICATE_IN_USE while a profile lists it. */
  async delete(id: string): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      const found: { id: string }[] = await manager.query(`SELECT id FROM apple_configurator_certificates WHERE id = $1 FOR UPDATE`, [id]);
      if (found.length === 0) throw notFound('Apple Configurator certificate');
      const [{ n }] = await manager.query(`SELECT count(*)::int AS n FROM enrollment_profile_certificates WHERE certificate_id = $1`, [id]);
      if (n > 0) {
        throw new DomainError(
          ErrorCode.CONFIGURATOR_CERTIFICATE_IN_USE,
          `${n} enrollment profile${n === 1 ? '' : 's'} still list${n === 1 ? 's' : ''} this certificate: remove it from them first`,
          { profileCount: n },
        );
      }
      await manager.query(`DELETE FROM apple_configurator_certificates WHERE id = $1`, [id]);
      return id;
    });
  }

  list(args: ConnectionArgs) {
    return paginate(
      this.certificates.createQueryBuilder('c'),
      ascending([
        { sql: 'c.created_at', value: (c: ConfiguratorCertificateEntity) => c.createdAt.toISOString(), cast: 'timestamptz' },
        { sql: 'c.id', value: (c: ConfiguratorCertificateEntity) => c.id, cast: 'uuid' },
      ]),
      args,
    );
  }

  async findByIds(ids: readonly string[]): Promise<ConfiguratorCertificateEntity[]> {
    return ids.length ? this.certificates.findBy({ id: In([...ids]) }) : [];
  }

  /** Certificates per profile (in upload order), one query for a page of profiles. */
  async byProfiles(profileIds: readonly string[]): Promise<Map<string, ConfiguratorCertificateEntity[]>> {
    const map = new Map<string, ConfiguratorCertificateEntity[]>(profileIds.map((id) => [id, []]));
    if (profileIds.length === 0) return map;
    const rows = await this.certificates
      .createQueryBuilder('c')
      .innerJoin('enrollment_profile_certificates', 'pc', 'pc.certificate_id = c.id')
      .addSelect('pc.profile_id', 'pc_profile_id')
      .where('pc.profile_id = ANY(CAST(:ids AS uuid[]))', { ids: [...profileIds] })
      .orderBy('c.created_at', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .getRawAndEntities();
    // One entity per distinct certificate; the raw rows say which profiles list it.
    const byId = new Map(rows.entities.map((e) => [e.id, e]));
    for (const raw of rows.raw as { c_id: string; pc_profile_id: string }[]) {
      const entity = byId.get(raw.c_id);
      if (entity) map.get(raw.pc_profile_id)?.push(entity);
    }
    return map;
  }
}

function duplicate(): DomainError {
  return new DomainError(ErrorCode.CONFIGURATOR_CERTIFICATE_DUPLICATE, 'This Apple Configurator certificate is already uploaded', { field: 'pem' });
}
