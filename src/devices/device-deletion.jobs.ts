/**
 * deleteDevices' job on the job runner (pg-boss): one job per deletion, sent in the transaction
 * that records it. A job that dies with its instance is retried and resumes where the devices
 * stand (tombstoning is idempotent).
 */
import type { JobRunner } from '../jobs';
import { DEVICE_DELETION_QUEUE, type DeviceDeletionService } from './device-deletion.service';

export async function startDeviceDeletionBackground(deps: { jobs: JobRunner; deletions: DeviceDeletionService }): Promise<void> {
  const { jobs, deletions } = deps;
  await jobs.defineQueue(DEVICE_DELETION_QUEUE, { retryLimit: 3, retryDelaySeconds: 5, expireInSeconds: 60 * 60 });
  await jobs.work<{ deletionId: string }>(DEVICE_DELETION_QUEUE, (job) => deletions.run(job.data.deletionId, job.signal), {
    concurrency: 1,
    exclusive: { key: (d) => d.deletionId, whenBusy: 'skip' },
  });
  await jobs.start();
}
