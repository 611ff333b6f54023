/**
 * What the API reads about syncs (the loaders and the subscription's filter): runs, a token's
 * active run and sync state, and whether a key sees a token. No writes.
 */
import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import type { AccessScope } from '../auth/access-scope';
import { SyncRunEntity, syncRunFromRow } from './sync-run.entity';
import type { TokenSyncState } from './sync.rules';
import type { TokenSyncStateStore } from './token-sync-state.store';

export class SyncReads {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokenStates: TokenSyncStateStore,
  ) {}

  async isTokenVisible(tokenId: string, scope: AccessScope): Promise<boolean> {
    const visible = scope.tokenConditionSql('t.id', 2);
    const rows = await this.dataSource.query(`SELECT 1 FROM dep_tokens t WHERE t.id = $1 AND ${visible.sql}`, [tokenId, ...visible.params]);
    return rows.length > 0;
  }

  /** Every run, unrestricted: the caller applies the key's scope (as the nested connections do). */
  runsRepository(): Repository<SyncRunEntity> {
    return this.dataSource.getRepository(SyncRunEntity);
  }

  /** Runs under the tokens the key sees. */
  runsQuery(scope: AccessScope): SelectQueryBuilder<SyncRunEntity> {
    return scope.restrictTokens(this.runsRepository().createQueryBuilder('r'), 'r.token_id');
  }

  async findVisibleRuns(ids: readonly string[], scope: AccessScope): Promise<SyncRunEntity[]> {
    if (ids.length === 0) return [];
    return this.runsQuery(scope).andWhere('r.id IN (:...ids)', { ids: [...ids] }).getMany();
  }

  /** The QUEUED or RUNNING run of each token that has one (callers reach tokens through visible tokens only). */
  async activeRuns(tokenIds: readonly string[]): Promise<SyncRunEntity[]> {
    if (tokenIds.length === 0) return [];
    return this.runsRepository()
      .createQueryBuilder('r')
      .where('r.token_id IN (:...ids)', { ids: [...tokenIds] })
      .andWhere(`r.status IN ('QUEUED', 'RUNNING')`)
      .getMany();
  }

  /**
   * What syncRunProgress(tokenId) sends first: the token's queued or running run, else its latest;
   * null when it has none or the key does not see the token.
   */
  async currentRun(tokenId: string, scope: AccessScope): Promise<SyncRunEntity | null> {
    const visible = scope.tokenConditionSql('t.id', 2);
    const [row] = await this.dataSource.query(
      `SELECT r.* FROM sync_runs r JOIN dep_tokens t ON t.id = r.token_id
        WHERE r.token_id = $1 AND ${visible.sql}
        ORDER BY (r.status IN ('QUEUED', 'RUNNING')) DESC, r.seq DESC LIMIT 1`,
      [tokenId, ...visible.params],
    );
    return row ? syncRunFromRow(row) : null;
  }

  syncStates(tokenIds: readonly string[]): Promise<Map<string, TokenSyncState>> {
    return this.tokenStates.loadMany(this.dataSource, tokenIds);
  }
}
