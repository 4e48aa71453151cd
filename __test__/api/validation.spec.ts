// Job options accepted and refused as BullMQ 6.7.0 does, with BullMQ's
// messages (users and BullMQ's own tests match on them); run against both
// libraries. ferroq's errors also keep their stable code.
import { BOTH, closer } from './parity'
import { queueName } from '../helpers'

const REFUSED: [string, Record<string, unknown>, string][] = [
  ['an integer custom id', { jobId: '12' }, 'Custom Id cannot be integers'],
  ['a negative integer custom id', { jobId: '-4' }, 'Custom Id cannot be integers'],
  ['a custom id with one colon', { jobId: 'a:b' }, 'Custom Id cannot contain :'],
  ['job id 0', { jobId: '0' }, "JobId cannot be '0' or start with '0:'"],
  ['a float priority', { priority: 1.5 }, 'Priority should not be float'],
  ['priority 2^21', { priority: 2 ** 21 }, 'Priority should be between 0 and 2097151'],
  ['jitter over 1', { backoff: { type: 'fixed', delay: 10, jitter: 1.5 } }, 'Jitter should be between 0 and 1'],
  ['an empty deduplication id', { deduplication: { id: '' } }, 'Deduplication id must be provided'],
  ['the removed debounce option', { debounce: { id: 'x' } }, 'Debounce option has been removed. Use deduplication option instead'],
  ['two exclusive parent options', { failParentOnFailure: true, ignoreDependencyOnFailure: true }, 'The following options cannot be used together: failParentOnFailure, ignoreDependencyOnFailure'],
  ['data over sizeLimit', { sizeLimit: 5 }, 'The size of job j exceeds the limit 5 bytes'],
]

describe.each(BOTH)('job options on %s', (label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())

  test.each(REFUSED)('refuses %s with BullMQ\'s message', async (_what, opts, message) => {
    const queue = c.add(new lib.Queue(queueName('refuse'), { connection: connection() }))
    const err = await queue.add('j', { some: 'data' }, opts).catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err.message).toBe(message)
    if (label === 'ferroq') expect(err.code).toBe('ERR_FERROQ_INVALID_OPTION')
    const bulk = await queue.addBulk([{ name: 'j', data: { some: 'data' }, opts }]).catch((e: Error) => e)
    // (bullmq checks id "0" in add() only; its addBulk then says "Custom Id cannot be integers".)
    if (opts.jobId === '0') expect(bulk).toBeInstanceOf(Error)
    else expect(bulk.message).toBe(message)
    expect(await queue.count()).toBe(0)
  })

  test('accepts an empty jobId (a generated id), priority 2097151, ids that are not integers to BullMQ', async () => {
    const queue = c.add(new lib.Queue(queueName('accept'), { connection: connection() }))
    expect((await queue.add('a', 1, { jobId: '' })).id).toBe('1')
    expect((await queue.add('b', 1, { priority: 2097151 })).priority).toBe(2097151)
    for (const jobId of ['012', '+5', 'x:y:z']) expect((await queue.add('c', 1, { jobId })).id).toBe(jobId)
    expect(await queue.count()).toBe(5)
  })
})
