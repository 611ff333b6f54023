/**
 * Gathers the facts readiness is judged on (src/readiness/readiness.rules.ts): the push
 * certificate, the tokens this key may see with their device counts per family, the profiles'
 * Company Portal VPP tokens, and whether each enrollment URL answers. A handful of statements
 * whatever the fleet's size (device counts are one grouped query).
 */
import { platformsWithDefault } from '../profiles/profile-platform';
import type { DataSource } from 'typeorm';
import type { ApnsCertificateService } from '../apns/apns-certificate.service';
import type { AccessScope } from '../auth/access-scope';
import type { Config } from '../config';
import { deviceFamilyOf } from '../devices/device-platform';
import { notFound } from '../errors/domain-error';
import { effectiveEnrollmentUrl } from '../profiles/enrollment-url';
import type { DepTokenEntity } from '../tokens/token.entity';
import type { DepTokenService } from '../tokens/token.service';
import type { DepTokenStatus } from '../tokens/token.status';
import type { VppTokenService } from '../vpp/vpp-token.service';
import { VppTokenStatus } from '../vpp/vpp-token.status';
import type { EnrollmentUrlProbe } from './enrollment-url.probe';
import { readinessItems, type ReadinessItemValue, type TokenFacts } from './readiness.rules';

/** Enrollment URLs probed per request at most (distinct ones; tokens share few MDM servers). */
const MAX_PROBED_URLS = 20;

export interface ReadinessDeps {
  dataSource: DataSource;
  config: Pick<Config, 'enrollmentUrl' | 'enrollmentUrlIsPlaceholder'>;
  depTokens: DepTokenService;
  depTokenStatus: (token: DepTokenEntity) => DepTokenStatus;
  apnsCertificates: ApnsCertificateService;
  vppTokens: VppTokenService;
  probe: EnrollmentUrlProbe;
}

export class ReadinessService {
  constructor(private readonly deps: ReadinessDeps) {}

  async check(scope: AccessScope, tokenId: string | null): Promise<ReadinessItemValue[]> {
    const { dataSource, config, depTokens, apnsCertificates, vppTokens, probe } = this.deps;
    const qb = depTokens.listQuery(scope).orderBy('t.created_at', 'ASC').addOrderBy('t.id', 'ASC');
    if (tokenId) qb.andWhere('t.id = :tokenId', { tokenId });
    const tokens = await qb.getMany();
    if (tokenId && tokens.length === 0) throw notFound('DEP token');
    const ids = tokens.map((t) => t.id);

    const deviceRows: { token_id: string; device_family: string | null; total: number; without_profile: number }[] = ids.length
      ? await dataSource.query(
          `SELECT token_id, device_family, count(*)::int AS total,
                  count(*) FILTER (WHERE profile_status IN ('EMPTY', 'REMOVED'))::int AS without_profile
             FROM devices WHERE token_id = ANY($1::uuid[]) AND deleted_at IS NULL GROUP BY 1, 2`,
          [ids],
        )
      : [];
    const profileRows: Record<string, any>[] = ids.length
      ? await dataSource.query(
          `SELECT p.id, p.name, p.token_id, v.id AS vpp_token_id, v.name AS vpp_token_name, v.expires_at, v.invalid_at, v.invalid_reason,
                  v.cp_total_count, v.cp_available_count
             FROM enrollment_profiles p JOIN vpp_tokens v ON v.id = p.company_portal_vpp_token_id
            WHERE p.token_id = ANY($1::uuid[]) ORDER BY p.created_at, p.id`,
          [ids],
        )
      : [];
    const apns = await apnsCertificates.current();

    const placeholderUrl = config.enrollmentUrlIsPlaceholder ? (config.enrollmentUrl ?? null) : null;
    const tokenFacts: TokenFacts[] = tokens.map((token) => ({
      id: token.id,
      name: token.name,
      status: this.deps.depTokenStatus(token) as TokenFacts['status'],
      expiresAt: token.expiresAt,
      defaultPlatforms: platformsWithDefault(token),
      devicesByFamily: deviceRows
        .filter((r) => r.token_id === token.id)
        .map((r) => ({ family: deviceFamilyOf(r.device_family), total: r.total, withoutProfile: r.without_profile })),
      enrollmentUrl: effectiveEnrollmentUrl(token, config) ?? null,
    }));
    const urls = [...new Set(tokenFacts.map((t) => t.enrollmentUrl).filter((u): u is string => u !== null && u !== placeholderUrl))].slice(0, MAX_PROBED_URLS);
    const unreachable = new Map<string, string>();
    await Promise.all(
      urls.map(async (url) => {
        const result = await probe.check(url);
        if (!result.reachable) unreachable.set(url, result.problem ?? 'unreachable');
      }),
    );

    return readinessItems({
      apns: apns ? { status: apnsCertificates.status(apns), notAfter: apns.notAfter, topic: apns.topic } : null,
      deploymentWide: !tokenId,
      tokens: tokenFacts,
      profileVpp: profileRows.map((r) => {
        const status = vppTokens.status({ expiresAt: r.expires_at, invalidAt: r.invalid_at, invalidReason: r.invalid_reason });
        return {
          profileId: r.id,
          profileName: r.name,
          tokenId: r.token_id,
          vppTokenId: r.vpp_token_id,
          vppTokenName: r.vpp_token_name,
          // As VppTokenService.companyPortalStateOf: either way devices fall back to the App Store.
          expiredOrRefused: status === VppTokenStatus.EXPIRED || status === VppTokenStatus.INVALID,
          exhausted: vppTokens.licenceLevel({ cpTotalCount: r.cp_total_count, cpAvailableCount: r.cp_available_count }) === 'EXHAUSTED',
        };
      }),
      globalEnrollmentUrl: config.enrollmentUrl ?? null,
      placeholderUrl,
      unreachable,
    });
  }
}
