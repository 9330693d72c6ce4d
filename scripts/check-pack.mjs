#!/usr/bin/env node
// Run by a package's prepack and prepublishOnly: refuses a tarball that would not work where a
// service installs it. Only pnpm rewrites `catalog:` and `workspace:` ranges and applies
// `publishConfig.exports` (the dist entry points) when it packs; npm would ship the workspace's
// own manifest, whose exports name TypeScript sources that the tarball does not hold.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.cwd()
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
const problems = []

const agent = process.env.npm_config_user_agent ?? ''
if (!agent.startsWith('pnpm/')) {
  problems.push(
    `packed by ${agent.split(' ')[0] || 'an unknown tool'}: use pnpm pack / pnpm publish, which write the published ranges and exports`,
  )
}

const targets = (entry) =>
  typeof entry === 'string' ? [entry] : Object.values(entry ?? {}).flatMap(targets)
for (const [subpath, entry] of Object.entries(manifest.publishConfig?.exports ?? {})) {
  for (const target of targets(entry)) {
    if (!existsSync(join(dir, target)))
      problems.push(`${subpath}: ${target} is missing (build first)`)
  }
}

for (const entry of manifest.files ?? []) {
  if (!existsSync(join(dir, entry))) problems.push(`files: ${entry} is missing`)
}

for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
  for (const [name, range] of Object.entries(manifest[field] ?? {})) {
    if (!/^(catalog|workspace):/.test(range)) continue
    // pnpm replaces these with the versions it resolved; any other packer would ship them as is.
    if (!agent.startsWith('pnpm/')) problems.push(`${field}.${name} is '${range}'`)
  }
}

if (problems.length > 0) {
  console.error(`[check-pack] ${manifest.name} cannot be packed as it is:`)
  for (const problem of problems) console.error(`  - ${problem}`)
  process.exit(1)
}
console.log(`[check-pack] ${manifest.name}: entry points and files present`)
