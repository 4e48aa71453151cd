// Runnable demo: `npm run example:batch` (REDIS_URL, or a local redis on 6379).
// Creates a 1,000-item batch, prints its progress once a second until done.
import { createBatchGeneration } from './src'

async function main(): Promise<void> {
  const quantity = Number(process.env.BATCH_QUANTITY ?? 1000)
  const app = createBatchGeneration({
    // 5 jobs per second instead of per 10 s, so the demo takes seconds, not minutes.
    limiter: { max: 5, duration: 1000 },
    log: (line) => console.log(line),
  })
  const batchId = Date.now() % 100_000
  const created = await app.service.createProductItemsAsync(batchId, quantity, { batchSize: 100 })
  console.log(created)
  for (;;) {
    const progress = await app.service.getBatchJobProgress(batchId)
    console.log('progress', progress)
    if (progress.completed + progress.failed === progress.total) break
    await new Promise((r) => setTimeout(r, 1000))
  }
  console.log(`${app.store.itemsOf(batchId).length} items stored for batch ${batchId}`)
  await app.close()
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
