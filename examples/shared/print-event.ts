/**
 * Prints one JSON line `{ event, pid, ...fields }` on stdout: the example
 * processes' whole output, easy to read by eye and by the tests that spawn them.
 */
export function printEvent(event: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ event, pid: process.pid, ...fields }))
}
