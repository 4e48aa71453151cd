// Security: password and ACL-user authentication (URL and object forms), wrong
// credentials as coded errors that never echo a secret, and TLS with a private CA.
// Each server here is private to this file (not the shared test server).
import { spawn, spawnSync, execFileSync, ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { Queue, Worker, QueueEvents, Job } from '..'
import { next } from './helpers'

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { freePort } = require('./setup/redis-server') as { freePort(): Promise<number> }

type Coded = Error & { code?: string }

const PASSWORD = 's3cret-Pw-8841'
const ALICE = { username: 'alice', password: 's3cret' }
const WRONG = 'wr0ng-Pw-5531'
const SECRETS = [PASSWORD, ALICE.password, WRONG]

interface Server { port: number; child: ChildProcess }
const servers: Server[] = []

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  })
}

/** redis-server with `args` on a free port; ready once the port accepts connections (PING would need auth). */
async function server(args: (port: number) => string[]): Promise<Server> {
  const port = await freePort()
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args(port)], { stdio: 'ignore' })
  const deadline = Date.now() + 10000
  while (!(await portOpen(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  const s = { port, child }
  servers.push(s)
  return s
}

afterAll(async () => {
  await Promise.all(servers.map(({ child }) => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })))
})

/** Every text an error exposes: message, stack, String(), JSON, own properties. */
function exposed(e: unknown): string {
  if (!(e instanceof Error)) return String(e)
  return [e.message, e.stack, String(e), JSON.stringify(e), JSON.stringify(Object.entries(e))].join('\n')
}

function expectNoSecret(errors: unknown[]): void {
  for (const e of errors) for (const s of SECRETS) expect(exposed(e)).not.toContain(s)
}

/** One job end to end over `connection`; resolves with its return value as stored. */
async function roundTrip(name: string, connection: object): Promise<unknown> {
  const queue = new Queue(name, { connection })
  const worker = new Worker(name, async (job: Job) => ({ echoed: job.data.v }), { connection })
  const added = await queue.add('j', { v: name })
  const [done] = await next<[Job]>(worker, 'completed')
  expect(done.id).toBe(added.id)
  const stored = await queue.getJob(added.id!)
  await worker.close()
  await queue.close()
  return stored!.returnvalue
}

/** Collects what a queue, a worker and a queue-events reader report with bad credentials. */
async function badCredentials(connection: object): Promise<Coded[]> {
  const errors: Coded[] = []
  const queue = new Queue('bad-auth', { connection })
  const addErr = await queue.add('j', {}).then(() => null, (e: Coded) => e)
  expect(addErr).not.toBeNull()
  errors.push(addErr!)
  const worker = new Worker('bad-auth', async () => undefined, { connection })
  const events = new QueueEvents('bad-auth', { connection })
  const workerErrors: Coded[] = []
  worker.on('error', (e: Coded) => workerErrors.push(e))
  events.on('error', (e: Coded) => errors.push(e))
  const deadline = Date.now() + 5000
  while (workerErrors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  expect(workerErrors.length).toBeGreaterThan(0)
  await Promise.all([worker.close(), events.close(), queue.close()])
  return [...errors, ...workerErrors]
}

describe('password (requirepass)', () => {
  let port: number
  beforeAll(async () => {
    port = (await server((p) => ['--port', String(p), '--requirepass', PASSWORD])).port
  })

  test('a job runs with the password in the URL and as { password }', async () => {
    expect(await roundTrip('pw-url', { url: `redis://:${PASSWORD}@127.0.0.1:${port}` })).toEqual({ echoed: 'pw-url' })
    expect(await roundTrip('pw-obj', { host: '127.0.0.1', port, password: PASSWORD })).toEqual({ echoed: 'pw-obj' })
  })

  test('a wrong or missing password: coded errors that never contain a password', async () => {
    const wrongUrl = await badCredentials({ url: `redis://:${WRONG}@127.0.0.1:${port}` })
    const wrongObj = await badCredentials({ host: '127.0.0.1', port, password: WRONG })
    const missing = await badCredentials({ host: '127.0.0.1', port })
    const all = [...wrongUrl, ...wrongObj, ...missing]
    for (const e of all) expect(e.code).toBe('ERR_FERROQ_REDIS_AUTH')
    expect(wrongUrl[0].message).toMatch(/WRONGPASS|auth/i)
    expect(missing[0].message).toMatch(/NOAUTH|auth/i)
    expectNoSecret(all)
  })
})

describe('ACL user', () => {
  let port: number
  beforeAll(async () => {
    // Only alice may connect: the default user is switched off.
    port = (await server((p) => ['--port', String(p), '--user', 'alice', 'on', `>${ALICE.password}`, '~*', '&*', '+@all', '--user', 'default', 'off'])).port
  })

  test('a job runs as alice, by URL and by { username, password }', async () => {
    expect(await roundTrip('acl-url', { url: `redis://alice:${ALICE.password}@127.0.0.1:${port}` })).toEqual({ echoed: 'acl-url' })
    expect(await roundTrip('acl-obj', { host: '127.0.0.1', port, ...ALICE })).toEqual({ echoed: 'acl-obj' })
  })

  test('a wrong password for alice: coded errors without any password', async () => {
    const all = [
      ...(await badCredentials({ url: `redis://alice:${WRONG}@127.0.0.1:${port}` })),
      ...(await badCredentials({ host: '127.0.0.1', port, username: 'alice', password: WRONG })),
    ]
    for (const e of all) expect(e.code).toBe('ERR_FERROQ_REDIS_AUTH')
    expectNoSecret(all)
  })

  test('malformed connection options holding a password: the error does not echo it', () => {
    const thrown: unknown[] = []
    const malformed: object[] = [
      { url: `http://alice:${ALICE.password}@127.0.0.1:${port}` },
      { url: `redis://alice:${ALICE.password}@127.0.0.1:notaport` },
      { url: `redis://alice:${ALICE.password}@[::1` },
      { url: `redis://alice:${ALICE.password}@127.0.0.1:${port}`, port: -1 },
      { url: `redis://alice:${ALICE.password}@127.0.0.1:${port}`, db: 'x' },
    ]
    for (const connection of malformed) {
      try {
        new Queue('bad-url', { connection: connection as { url: string } }).close()
      } catch (e) {
        thrown.push(e)
      }
    }
    expect(thrown.length).toBe(5)
    for (const e of thrown) expect((e as Coded).code).toBe('ERR_FERROQ_INVALID_OPTION')
    expectNoSecret(thrown)
  })
})

// --- TLS -------------------------------------------------------------------

/** Whether this redis-server was built with TLS: an unknown directive is reported differently from a bad cert file. */
function redisHasTls(): boolean {
  const r = spawnSync('redis-server', ['--port', '0', '--tls-port', '1', '--tls-cert-file', '/nonexistent/ferroq.crt'], { encoding: 'utf8', timeout: 5000 })
  const out = `${r.stdout}${r.stderr}`
  return !/Bad directive|not compiled|unsupported/i.test(out) && /tls|ssl|cert/i.test(out)
}
function hasOpenssl(): boolean {
  return !spawnSync('openssl', ['version']).error
}
const TLS = redisHasTls() && hasOpenssl()
if (!TLS) console.log('security.spec: TLS test skipped: this redis-server has no TLS support (or openssl is missing)')

/** A private CA and a server certificate for 127.0.0.1 signed by it. */
function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string) => path.join(dir, n)
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' })
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=ferroq test CA'])
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1'])
  fs.writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n')
  run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '1', '-extfile', f('ext.cnf')])
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') }
}

describe('TLS', () => {
  let dir: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferroq-tls-'))
  })
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  ;(TLS ? test : test.skip)('rediss:// with a private CA: one job end to end; without the CA the connection is refused with a code', async () => {
    const { ca, cert, key } = makeCerts(dir)
    const { port } = await server((p) => ['--port', '0', '--tls-port', String(p), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', ca, '--tls-auth-clients', 'no'])
    const pem = fs.readFileSync(ca, 'utf8')
    const url = `rediss://127.0.0.1:${port}`
    expect(await roundTrip('tls', { url, tls: { ca: pem } })).toEqual({ echoed: 'tls' })

    // The system roots do not know our CA.
    const untrusted = new Queue('tls-untrusted', { connection: { url } })
    const err = await untrusted.add('j', {}).then(() => null, (e: Coded) => e)
    await untrusted.close()
    expect(err?.code).toBe('ERR_FERROQ_CONNECTION')
  })
})
