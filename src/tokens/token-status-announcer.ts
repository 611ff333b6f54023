/**
 * TOKEN_STATUS_CHANGED at its source: a DEP token's status is derived (expiry and the clock,
 * Apple's refusals), never stored, so nothing "sets" it when a token turns EXPIRING_SOON overnight.
 * `check` compares the status now with the one last announced (dep_tokens.announced_status), stores
 * the new one and tells listeners, on the caller's executor: the alert evaluation's transaction,
 * which runs on uploads, renewals, sync outcomes and the scheduled pass. The row is locked, so two
 * instances evaluating at once announce a change once. A token never announced before records its
 * status silently (an upgrade or a new upload is not a change).
 */
import type { SqlRunner } from '../database/sql-runner';
import type { DepTokenEntity } from './token.entity';
import type { DepTokenStatus } from './token.status';

/** The status rule as the API shows it now (services.depTokenStatus: the clock and TOKEN_EXPIRING_SOON_DAYS bound). */
export type DepTokenStatusNow = (token: Pick<DepTokenEntity, 'expiresAt' | 'termsNotAcceptedAt' | 'rejectedAt'>) => DepTokenStatus;

export interface TokenStatusChange {
  tokenId: string;
  status: DepTokenStatus;
  previousStatus: DepTokenStatus;
}

export type TokenStatusListener = (change: TokenStatusChange, executor: SqlRunner) => Promise<void>;

export class TokenStatusAnnouncer {
  private readonly listeners: TokenStatusListener[] = [];

  constructor(private readonly statusNow: DepTokenStatusNow) {}

  onChanged(listener: TokenStatusListener): void {
    this.listeners.push(listener);
  }

  /** The tokens among `tokenIds` whose status now is not the one last announced (what `check` would store or tell). */
  async unannounced(executor: SqlRunner, tokenIds: readonly string[]): Promise<string[]> {
    const rows = await this.statuses(executor, tokenIds, false);
    return rows.filter((row) => row.status !== row.announced).map((row) => row.id);
  }

  /** Announces the token's status if it changed since last told; answers the change, if any. */
  async check(executor: SqlRunner, tokenId: string): Promise<TokenStatusChange | null> {
    const [row] = await this.statuses(executor, [tokenId], true);
    if (!row) return null;
    const { status, announced } = row;
    if (announced === status) return null;
    await executor.query(`UPDATE dep_tokens SET announced_status = $2 WHERE id = $1`, [tokenId, status]);
    if (announced === null) return null;
    const change = { tokenId, status, previousStatus: announced };
    for (const listener of this.listeners) await listener(change, executor);
    return change;
  }

  /** Each token's status now beside the one last announced; `lock` takes the rows FOR UPDATE (check's write follows). */
  private async statuses(executor: SqlRunner, tokenIds: readonly string[], lock: boolean) {
    const rows: { id: string; expires_at: Date; terms_not_accepted_at: Date | null; rejected_at: Date | null; announced_status: DepTokenStatus | null }[] =
      await executor.query(
        `SELECT id, expires_at, terms_not_accepted_at, rejected_at, announced_status FROM dep_tokens WHERE id = ANY($1)${lock ? ' FOR UPDATE' : ''}`,
        [[...tokenIds]],
      );
    return rows.map((row) => ({
      id: row.id,
      status: this.statusNow({ expiresAt: row.expires_at, termsNotAcceptedAt: row.terms_not_accepted_at, rejectedAt: row.rejected_at }),
      announced: row.announced_status,
    }));
  }
}
