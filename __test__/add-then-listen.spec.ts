// Regression: code that awaits queue.add() and only then listens for 'completed'
// must see the event (BullMQ users write this); it was missed ~4% of the time
// when native callbacks piled up.
import { Queue, Worker, Job } from '..'
import { connection, queueName } from './helpers'

test('add then listen: completed is never missed', async () => {
  const name = queueName('race')
  const q = new Queue(name, { connection: connection() })
  const w = new Worker(name, async () => 1, { connection: connection() })
  await new Promise((r) => setTimeout(r, 200))
  let missed = 0
  for (let i = 0; i < 150; i++) {
    const job = await q.add('x', {})
    let on: (j: Job) => void = () => {}
    const got = await Promise.race([
      new Promise<boolean>((r) => {
        on = (j: Job) => { if (j.id === job.id) r(true) }
        w.on('completed', on)
      }),
      new Promise<boolean>((r) => setTimeout(() => r(false), 300)),
    ])
    w.off('completed', on)
    if (!got) missed++
  }
  await w.close()
  await q.close()
  expect(missed).toBe(0)
}, 120000)
