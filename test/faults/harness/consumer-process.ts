// A consuming service in a process of its own, so a scenario can kill -9 it mid-batch. Run as
// `node --import tsx consumer-process.ts` with FAULTS_URL, FAULTS_OUT and FAULTS_PREFETCH.
// Each message's id (and whether the broker redelivered it) is appended to FAULTS_OUT
// synchronously once its handler is done, before the SDK acks it: whatever the kill interrupts
// is in the file, or will be delivered again.
import { closeSync, openSync, writeSync } from 'node:fs'
import { connect } from '@warren/sdk'
import { faultTopology, WORK_QUEUE, type Tick } from './topology.js'

const url = process.env.FAULTS_URL as string
const out = openSync(process.env.FAULTS_OUT as string, 'a')
const prefetch = Number(process.env.FAULTS_PREFETCH ?? 200)

const broker = await connect({ url, topology: faultTopology, service: 'faults-child-consumer' })
await broker.consume(
  WORK_QUEUE,
  async (message) => {
    // Slow enough that a full prefetch of deliveries is in flight when the kill comes.
    await new Promise((resolve) => setTimeout(resolve, 20))
    writeSync(
      out,
      `${(message.body as Tick).id}\t${message.redelivered ? 'redelivered' : 'first'}\n`,
    )
  },
  { prefetch, concurrency: 10 },
)
process.stdout.write('ready\n')

process.on('SIGTERM', () => {
  void broker.close().finally(() => {
    closeSync(out)
    process.exit(0)
  })
})
