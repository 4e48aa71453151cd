// examples/batch-generation, flow variant: a batch is a parent job on
// update-batch-status over its chunk jobs. Its status and progress come from
// the flow (exact although the chunk queue keeps only 10 completed jobs), the
// status worker writes the row when the last chunk is done, and a chunk that
// fails for good fails the batch.
import { generateProductItems, ProductItemStore, startBatchWorker, FlowBatchService, startBatchStatusWorker } from '../../examples/batch-generation/src'
import type { BatchRow, ItemGenerator } from '../../examples/batch-generation/src'
import { connection, queueName, eventually } from '../helpers'

type Closable = { close: () => Promise<unknown> }

describe('examples/batch-generation as a flow', () => {
  let open: Closable[] = []
  afterEach(async () => {
    for (const c of open.reverse()) await c.close()
    open = []
  })

  function setup(generateItems: ItemGenerator = generateProductItems) {
    const itemsQueue = queueName('flow-items')
    const statusQueue = queueName('flow-status')
    const store = new ProductItemStore()
    const rows = new Map<number, BatchRow>()
    const service = new FlowBatchService({ itemsQueue, statusQueue, connection: connection(), backoffDelayMs: 10 })
    const chunks = startBatchWorker({ queueName: itemsQueue, connection: connection(), store, generateItems, limiter: { max: 50, duration: 100 } })
    const status = startBatchStatusWorker({ queueName: statusQueue, connection: connection(), rows })
    open.push(service, chunks, status)
    return { service, store, rows }
  }

  test('15 chunks: the batch waits for all of them, progress is exact, the status worker writes the row', async () => {
    const { service, store, rows } = setup()
    const created = await service.createProductItemsFlow(7, 1500, 100)
    expect(created.batchJobId).toBe('batch-7')
    expect(created.chunkJobIds).toHaveLength(15)
    const early = await service.getBatchStatus(7)
    expect(early.chunks.total).toBe(15)
    expect(['generating', 'finishing', 'completed']).toContain(early.status)
    await eventually(() => rows.get(7)?.status === 'completed', 20000)
    expect(rows.get(7)).toEqual({ batchId: 7, status: 'completed', itemsGenerated: 1500 })
    expect(store.itemsOf(7)).toHaveLength(1500)
    // The chunk queue kept 10 completed jobs; the flow still knows all 15.
    const done = await service.getBatchStatus(7)
    expect(done).toEqual({ batchId: 7, status: 'completed', chunks: { total: 15, done: 15, pending: 0, failed: 0 }, itemsGenerated: 1500, percent: 100 })
  })

  test('a chunk that fails for good fails the batch, with the chunk named', async () => {
    const broken: ItemGenerator = async (range) => {
      if (range.from === 200) throw new Error('database unavailable')
      return generateProductItems(range)
    }
    const { service, rows } = setup(broken)
    const { chunkJobIds } = await service.createProductItemsFlow(8, 500, 100)
    await eventually(() => rows.get(8)?.status === 'failed', 20000)
    const status = await service.getBatchStatus(8)
    expect(status.status).toBe('failed')
    expect(status.chunks.failed).toBe(1)
    expect(status.failedReason).toMatch(new RegExp(`child .*:${chunkJobIds[2]} failed`))
    expect(rows.get(8)!.failedReason).toBe(status.failedReason)
  })

  test('an unknown batch has status unknown', async () => {
    const { service } = setup()
    expect((await service.getBatchStatus(99)).status).toBe('unknown')
  })
})
