/**
 * Connects alerts to what changes their inputs: DEP token uploads and renewals, VPP token uploads,
 * renewals, updates and licence refreshes, and Apple Business API accounts connected, updated,
 * refused, accepted again or renewed, are evaluated at once, and raised alerts are announced on
 * ALERT_RAISED in the evaluating transaction. (Sync outcomes and the schedule: alert.jobs.ts.)
 */
import { Topic, type PostgresPubSub } from '../events';
import type { AppleBusinessAccountService } from '../apple-business/account.service';
import type { Logger } from '../logger';
import type { DepTokenService } from '../tokens/token.service';
import type { VppTokenService } from '../vpp/vpp-token.service';
import type { AlertService } from './alert.service';

export interface AlertWiring {
  alerts: AlertService;
  depTokens: DepTokenService;
  vppTokens: VppTokenService;
  appleBusinessAccounts?: Pick<AppleBusinessAccountService, 'onChanged'>;
  events?: Pick<PostgresPubSub, 'publish'>;
  logger: Logger;
}

export function wireAlerts({ alerts, depTokens, vppTokens, appleBusinessAccounts, events, logger }: AlertWiring): void {
  if (events) {
    alerts.setPublisher((change, event, executor) =>
      events.publish(change === 'RAISED' ? Topic.ALERT_RAISED : Topic.ALERT_RESOLVED, event, { executor }),
    );
  }
  // An evaluation failing must not fail the upload or renewal that triggered it: the scheduled
  // pass catches up.
  const evaluate = async (what: 'DEP_TOKEN' | 'VPP_TOKEN' | 'APPLE_BUSINESS_ACCOUNT', id: string) => {
    try {
      await (what === 'DEP_TOKEN' ? alerts.evaluateDepToken(id) : what === 'VPP_TOKEN' ? alerts.evaluateVppToken(id) : alerts.evaluateAppleBusinessAccount(id));
    } catch (err) {
      logger.error({ subjectId: id, err: { message: (err as Error).message } }, 'alert evaluation failed');
    }
  };
  depTokens.onUploaded((token) => evaluate('DEP_TOKEN', token.id));
  depTokens.onRenewed((token) => evaluate('DEP_TOKEN', token.id));
  vppTokens.onChanged((token) => evaluate('VPP_TOKEN', token.id));
  appleBusinessAccounts?.onChanged((account) => evaluate('APPLE_BUSINESS_ACCOUNT', account.id));
}
