/** The order of `Device.assignmentHistory`: newest first; `seq` is unique and grows with every attempt. */
import type { KeysetOrder } from '../graphql/keyset';
import type { AssignmentAttemptEntity } from './assignment-attempt.entity';

export const assignmentHistoryOrder = (alias: string): KeysetOrder<AssignmentAttemptEntity> => ({
  name: null,
  descending: true,
  key: [{ sql: `${alias}.seq`, value: (a: AssignmentAttemptEntity) => Number(a.seq), cast: 'int' }],
});
