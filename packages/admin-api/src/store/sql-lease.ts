// Who runs a bulk operation: one admin API instance at a time holds its lease and renews it while
// it runs. A claim is one conditional UPDATE, so of several instances claiming at once (restarts,
// a resume on one right after a pause on another) exactly one gets the operation; an instance
// killed without releasing leaves a lease that runs out.
import { toBulk } from './rows.js'
import type { SqlDriver } from './sql-driver.js'
import { Params } from './sql-filter.js'
import type { DeadLetterStore } from './types.js'

type LeaseMethods = Pick<DeadLetterStore, 'claimBulk' | 'renewBulks' | 'releaseBulk'>

export function leaseMethods(driver: SqlDriver): LeaseMethods {
  const params = () => new Params(driver.dialect)

  return {
    async claimBulk(id, { owner, now, leaseMs, from, status }) {
      const p = params()
      const sets = [`owner = ${p.add(owner)}`, `lease_until = ${p.add(now + leaseMs)}`]
      if (status !== undefined) sets.push(`status = ${p.add(status)}`, `updated_at = ${p.add(now)}`)
      const [row] = await driver.all(
        p.query(
          `UPDATE bulks SET ${sets.join(', ')} WHERE id = ${p.add(id)} AND ` +
            `${p.in('status', from, 'text')} AND (owner IS NULL OR owner = ${p.add(owner)} OR ` +
            `lease_until <= ${p.add(now)}) RETURNING *`,
        ),
      )
      return row ? toBulk(row) : null
    },

    async renewBulks(ids, owner, leaseUntil) {
      if (ids.length === 0) return []
      const p = params()
      const rows = await driver.all(
        p.query(
          // A released lease stays released: a renewal racing the release does not revive it.
          `UPDATE bulks SET lease_until = ${p.add(leaseUntil)} WHERE owner = ${p.add(owner)} ` +
            `AND lease_until > 0 AND ${p.in('id', ids, 'text')} RETURNING id`,
        ),
      )
      return rows.map((row) => String(row.id))
    },

    async releaseBulk(id, owner) {
      const p = params()
      await driver.run(
        p.query(
          `UPDATE bulks SET lease_until = 0 WHERE id = ${p.add(id)} AND owner = ${p.add(owner)}`,
        ),
      )
    },
  }
}
