// One variant's process: it runs the timed part of each publish and consume run the bench asks
// for, one at a time, and answers with the result. Its CPU time is then the variant's alone,
// not the bench's (queue setup, preloading, the other variants' garbage and JIT state).
import { clients, type VariantName } from './clients.js'
import { timedConsume, timedPublish, type RunRequest } from './scenarios/timed.js'

const open = clients[process.argv[2] as VariantName]
if (!open || !process.send) throw new Error('run by the bench: variant-process.ts <variant>')
const send = process.send.bind(process)

process.on('message', (request: RunRequest) => {
  const run = request.kind === 'publish' ? timedPublish : timedConsume
  run(open, request).then(
    (result) => send({ ok: true, result }),
    (error: unknown) => send({ ok: false, error: String(error) }),
  )
})
process.on('disconnect', () => process.exit(0))
