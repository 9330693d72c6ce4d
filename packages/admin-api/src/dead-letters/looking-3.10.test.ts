import { BROKER, brokerVersion } from '@warren/test-kit'
import { describe } from 'vitest'
import { describeLookingCostsNothing } from '../test-support/looking-costs-nothing.js'
import { countsEveryReturn } from '../test-support/versions.js'

// RabbitMQ before 4.3 counts every return of a quorum queue's message, a requeueing nack too: a
// policy gives every queue of the vhost a delivery limit of 5, so Warren reads by re-seating. The
// case is about such a broker: it runs on the broker under test when that broker says it is one
// (the 3.10 pass of `pnpm test`); a 4.3 broker runs looking-4.3.test.ts instead.
const version = await brokerVersion(BROKER)

describe.runIf(countsEveryReturn(version))(`RabbitMQ ${version}, counting every return`, () => {
  describeLookingCostsNothing({
    broker: BROKER,
    countsEveryReturn: true,
    policyLimit: 5,
    expected: {
      thirdParty: { deliveryLimit: 5, mode: 'reseat' },
      sdk: { deliveryLimit: 5, mode: 'reseat' },
    },
  })
})
