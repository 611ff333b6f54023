/** Typed failures of the job runner: every one of these is a programming or operations error. */

export class UnknownQueueError extends Error {
  constructor(readonly queue: string) {
    super(`Queue "${queue}" is not defined on this JobRunner: call defineQueue("${queue}", ...) before start()`);
    this.name = 'UnknownQueueError';
  }
}

/**
 * pg-boss 10 answers a send into a queue that does not exist in the database with null, exactly
 * as it answers a deduplicated send. The runner tells the two apart and fails loudly here.
 */
export class QueueNotFoundError extends Error {
  constructor(readonly queue: string) {
    super(`Queue "${queue}" does not exist in the database (deleted after start?): the job was not stored`);
    this.name = 'QueueNotFoundError';
  }
}

/** pg-boss stored nothing and no queue policy explains why. */
export class JobNotQueuedError extends Error {
  constructor(readonly queue: string) {
    super(`pg-boss did not store the job for queue "${queue}" and its policy does not deduplicate`);
    this.name = 'JobNotQueuedError';
  }
}

export class JobRunnerStateError extends Error {
  constructor(action: string, state: string) {
    super(`Cannot ${action}: the JobRunner is ${state}`);
    this.name = 'JobRunnerStateError';
  }
}

/** The reason a handler's AbortSignal fires when the runner stops before the handler finished. */
export class JobRunnerStoppingError extends Error {
  constructor() {
    super('The job runner is stopping; the job will be retried per its queue policy');
    this.name = 'JobRunnerStoppingError';
  }
}

/** The reason a handler's AbortSignal fires at the job's expiry (pg-boss has failed it by then). */
export class JobExpiredError extends Error {
  constructor(readonly expireInSeconds: number) {
    super(`The job ran longer than its ${expireInSeconds}s expiry`);
    this.name = 'JobExpiredError';
  }
}

/** The reason a handler's AbortSignal fires when the connection holding its key lock broke. */
export class JobKeyLockLostError extends Error {
  constructor() {
    super("The connection holding the job's key lock broke: another worker may now take the key");
    this.name = 'JobKeyLockLostError';
  }
}
