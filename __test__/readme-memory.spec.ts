// The README's "Testing your app's queue code with Jest" example, verbatim:
// it must keep working on memory:// with no Redis.
import { Queue, Worker } from '..'

// The app's code under test (normally imported from src/).
const enqueueWelcome = (queue: Queue, to: string) =>
  queue.add('welcome', { to }, { attempts: 3, backoff: { type: 'fixed', delay: 10 } })
const emailProcessor = (send: (to: string) => Promise<void>) => async (job: { data: { to: string } }) => {
  await send(job.data.to)
  return 'sent'
}

let n = 0
test('a welcome email is retried until the mail server takes it', async () => {
  const connection = `memory://emails-${++n}` // a fresh in-process store per test
  const queue = new Queue('emails', { connection })
  let calls = 0
  const send = async () => {
    if (++calls < 3) throw new Error('SMTP busy')
  }
  const worker = new Worker('emails', emailProcessor(send), { connection })
  const completed = new Promise((resolve) => worker.once('completed', (job, result) => resolve([job.attemptsMade, result])))

  await enqueueWelcome(queue, 'ana@example.com')

  expect(await completed).toEqual([3, 'sent'])
  expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: 1, failed: 0 })
  await worker.close()
  await queue.close()
})

test('the README shows this test verbatim', () => {
  const fs = require('node:fs') as typeof import('node:fs')
  const path = require('node:path') as typeof import('node:path')
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8')
  const here = fs.readFileSync(__filename, 'utf8')
  const body = (text: string) => text.slice(text.indexOf('// The app'), text.indexOf('  await queue.close()\n})') + 25)
  expect(body(readme)).toBe(body(here))
})
