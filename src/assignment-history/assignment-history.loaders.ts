import DataLoader from 'dataloader';
import type { ConnectionResult } from '../graphql/connection';
import { connectionArgsFromKey, countNested, loaderPerKey, paginateNested } from '../graphql/nested-connection';
import type { AssignmentAttemptEntity } from './assignment-attempt.entity';
import type { AssignmentHistoryService } from './assignment-history.service';
import { assignmentHistoryOrder } from './assignment-history.order';

export interface AssignmentHistoryLoaders {
  /** A page of each device's attempts (newest first) for a whole page of devices in one query (keyed by the field's args). */
  assignmentHistoryByDevice: (argsKey: string) => DataLoader<string, ConnectionResult<AssignmentAttemptEntity>>;
}

export function createAssignmentHistoryLoaders(history: AssignmentHistoryService): AssignmentHistoryLoaders {
  // Parents are devices the caller already sees; their history inherits that visibility. The
  // repository is read when a page loads, not here: loaders are made per request (and per event)
  // and must cost nothing until used.
  const base = (alias: string) => history.attempts.createQueryBuilder(alias);
  return {
    assignmentHistoryByDevice: loaderPerKey((argsKey) => {
      const args = connectionArgsFromKey(argsKey);
      const counts = new DataLoader<string, number>((deviceIds) => countNested(base, 'device_id', deviceIds));
      return new DataLoader((deviceIds) =>
        paginateNested({ repository: history.attempts, base, parentColumn: 'device_id', order: assignmentHistoryOrder, args }, deviceIds, counts),
      );
    }),
  };
}
