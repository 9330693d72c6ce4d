// `tsx src/profile.ts <file.cpuprofile> [top]`: a V8 CPU profile's self time by function and by
// whose code it is (Warren, amqplib, Node, the profiler's own buckets), for the README's section
// "Where the SDK's CPU goes". V8 bills a builtin such as JSON.stringify to the function calling it.
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const [file, topArg] = process.argv.slice(2)
if (!file) throw new Error('usage: tsx src/profile.ts <file.cpuprofile> [top]')
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile

function owner(url: string, name: string): string {
  if (url.includes('packages/sdk/')) return 'warren'
  if (url.includes('/amqplib/')) return 'amqplib'
  if (url.includes('/bench/src/')) return 'bench'
  if (url.includes('node_modules')) return 'other packages'
  if (url.startsWith('node:')) return 'node'
  if (name.startsWith('(')) return name
  return 'other'
}

const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const selfUs = new Map<string, { owner: string; us: number }>()
const byOwner = new Map<string, number>()
let totalUs = 0
profile.samples.forEach((id, i) => {
  const node = byId.get(id)
  if (!node) return
  const us = profile.timeDeltas[i] ?? 0
  const { functionName, url, lineNumber } = node.callFrame
  const who = owner(url, functionName)
  const where = url
    ? `${url.replace(/^.*\/(packages|node_modules|bench)\//, '$1/')}:${lineNumber + 1}`
    : ''
  const key = `${functionName || '(anonymous)'} ${where}`.trim()
  const entry = selfUs.get(key) ?? { owner: who, us: 0 }
  entry.us += us
  selfUs.set(key, entry)
  byOwner.set(who, (byOwner.get(who) ?? 0) + us)
  totalUs += us
})

// Shares of the time the process was busy: waiting for the bench is not the variant's cost.
const busyUs = totalUs - (byOwner.get('(idle)') ?? 0)
const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1)}%`
console.log(`${(busyUs / 1e6).toFixed(2)} s busy of ${(totalUs / 1e6).toFixed(2)} s sampled`)
console.log('\n| whose | self time |\n|---|---:|')
for (const [who, us] of [...byOwner].sort((a, b) => b[1] - a[1]))
  console.log(`| ${who} | ${pct(us)} |`)
console.log('\n| function | whose | self time |\n|---|---|---:|')
const top = [...selfUs]
  .filter(([, entry]) => entry.owner !== '(idle)')
  .sort((a, b) => b[1].us - a[1].us)
  .slice(0, Number(topArg ?? 25))
for (const [key, { owner: who, us }] of top) console.log(`| ${key} | ${who} | ${pct(us)} |`)
