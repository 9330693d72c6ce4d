// `pnpm --filter @warren/admin-api audit:verify <file>`: checks an audit log's chain offline,
// e.g. a copy shipped to a log store. Exit 0 when intact, 1 at the first broken link, 2 on misuse.
import { readFile } from 'node:fs/promises'
import { verifyChain } from './chain.js'

const [file] = process.argv.slice(2)
if (!file) {
  console.error('usage: audit:verify <audit.jsonl>')
  process.exit(2)
}
const result = verifyChain(await readFile(file, 'utf8'))
if (result.ok) {
  console.log(`intact: ${result.entries} entries (${result.unchained} from before the chain)`)
} else {
  const broken = result.firstBroken
  console.log(
    `broken at line ${broken?.line} (entry ${broken?.id ?? 'unreadable'}): ${broken?.reason}`,
  )
  process.exit(1)
}
