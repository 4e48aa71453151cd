// Why this file exists: the queue keeps only the last 10 completed and 5 failed
// jobs (removeOnComplete: 10, removeOnFail: 5), so after a 50-job batch Redis no
// longer knows how 40 of its jobs ended. The ledger remembers, in process and
// without Redis, which jobs each batch has and how each finished job ended.
// It is fed by the worker's `completed`/`failed` events, so it is exact when the
// worker runs in the process that asks for progress (the seed starts its workers
// inside the application with startAllWorkers()). Workers in other processes
// would need a shared store instead (the seed's update-batch-status queue writes
// the database).
import type { BatchId } from './items'
import type { GenerateItemsData } from './jobs'

/** How a job ended, as last seen by this process's worker. */
export type JobOutcome = 'completed' | 'failed'

interface BatchRecord {
  /** Every job of the batch, with the payload it was created with (to re-create it). */
  jobs: Map<string, GenerateItemsData>
  outcomes: Map<string, JobOutcome>
}

export class BatchLedger {
  private readonly batches = new Map<string, BatchRecord>()

  private record(batchId: BatchId): BatchRecord {
    const key = String(batchId)
    let r = this.batches.get(key)
    if (!r) {
      r = { jobs: new Map(), outcomes: new Map() }
      this.batches.set(key, r)
    }
    return r
  }

  /** Notes the jobs created for a batch. */
  addJobs(batchId: BatchId, jobs: { id: string; data: GenerateItemsData }[]): void {
    const r = this.record(batchId)
    for (const { id, data } of jobs) r.jobs.set(id, data)
  }

  /** Notes how a job ended; a later outcome (after a retry) replaces an earlier one. */
  setOutcome(batchId: BatchId, jobId: string, outcome: JobOutcome): void {
    this.record(batchId).outcomes.set(jobId, outcome)
  }

  /** The batch's job ids with their payloads, or undefined when this process did not create it. */
  jobsOf(batchId: BatchId): ReadonlyMap<string, GenerateItemsData> | undefined {
    return this.batches.get(String(batchId))?.jobs
  }

  outcomeOf(batchId: BatchId, jobId: string): JobOutcome | undefined {
    return this.batches.get(String(batchId))?.outcomes.get(jobId)
  }
}
