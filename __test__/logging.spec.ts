// Logging: silent by default, FERROQ_LOG prints to stderr, setLogger forwards
// records with queue/job_id fields; job data and credentials never appear.
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { Queue, Worker, setLogger } from '..'
import { connection, queueName, next, eventually } from './helpers'

const root = path.join(__dirname, '..')
const script = (name: string) => `
  const { Queue, Worker } = require(${JSON.stringify(root)});
  (async () => {
    const c = ${JSON.stringify(connection())};
    const q = new Queue(${JSON.stringify(name)}, { connection: c });
    await q.add('secret-job', { card: '4111-1111' });
    const w = new Worker(${JSON.stringify(name)}, async () => 1, { connection: c });
    await new Promise((r) => w.once('completed', r));
    await w.close(); await q.close();
  })();`

describe('logging', () => {
  afterEach(() => setLogger(null))

  test('nothing is printed by default; FERROQ_LOG=debug prints engine records to stderr', () => {
    const quiet = spawnSync(process.execPath, ['-e', script(queueName('log-quiet'))], { env: { ...process.env, FERROQ_LOG: '' }, encoding: 'utf8', timeout: 20000 })
    expect(quiet.status).toBe(0)
    expect(quiet.stderr).toBe('')
    const loud = spawnSync(process.execPath, ['-e', script(queueName('log-loud'))], { env: { ...process.env, FERROQ_LOG: 'debug' }, encoding: 'utf8', timeout: 20000 })
    expect(loud.status).toBe(0)
    expect(loud.stderr).toMatch(/worker started/)
    expect(loud.stderr).toMatch(/job settled/)
    expect(loud.stderr).not.toMatch(/4111/)
  })

  test('setLogger forwards records at the chosen level with queue and job_id fields', async () => {
    const records: { level: string; message: string; fields: Record<string, unknown> }[] = []
    setLogger((level, message, fields) => records.push({ level, message, fields }), { level: 'debug' })
    const name = queueName('log-fwd')
    const queue = new Queue(name, { connection: connection() })
    const { id } = await queue.add('x', { card: '4111-1111' })
    const worker = new Worker(name, async () => 'ok', { connection: connection() })
    await next(worker, 'completed')
    await worker.close()
    await queue.close()
    await eventually(() => records.some((r) => r.message === 'worker closed'))
    const settled = records.find((r) => r.message === 'job settled' && r.fields.queue === name)
    expect(settled).toMatchObject({ level: 'debug', fields: { queue: name, job_id: id } })
    expect(records.some((r) => r.message === 'worker started' && r.level === 'info')).toBe(true)
    expect(JSON.stringify(records)).not.toMatch(/4111/)
  })

  test('credentials never appear in errors or log records', async () => {
    const records: string[] = []
    setLogger((level, message, fields) => records.push(`${level} ${message} ${JSON.stringify(fields)}`), { level: 'debug' })
    const errors: string[] = []
    const worker = new Worker(queueName('log-cred'), async () => 1, {
      connection: { url: 'redis://admin:hunter2-secret@127.0.0.1:1' },
    })
    worker.on('error', (e) => errors.push(`${e.message} ${e.stack}`))
    await eventually(() => errors.length > 0 && records.length > 0)
    await worker.close()
    const q = new Queue(queueName('log-cred-q'), { connection: { host: '127.0.0.1', port: 1, password: 'hunter2-secret' } })
    const err = await q.add('x', {}).then(() => null, (e: Error) => e)
    await q.close()
    expect(String(err && err.message)).not.toMatch(/hunter2/)
    expect(errors.join('\n')).not.toMatch(/hunter2/)
    expect(records.join('\n')).not.toMatch(/hunter2/)
  })

  test('a bad level or logger is a coded error', () => {
    expect(() => setLogger((() => {}) as never, { level: 'loud' as never })).toThrow(expect.objectContaining({ code: 'ERR_FERROQ_INVALID_OPTION' }))
    expect(() => setLogger('console' as never)).toThrow(/logger/)
  })
})
