import { BROKER, brokerVersion } from '@warren/test-kit'
import { describe } from 'vitest'
import { describeLookingCostsNothing } from '../test-support/looking-costs-nothing.js'
import { countsEveryReturn } from '../test-support/versions.js'

// The broker under test says which kind it is, and the case asserts what that kind must show:
// - before 4.3 a quorum queue counts every return of a message, a requeueing nack too: a policy
//   gives every queue of the vhost a delivery limit of 5, and Warren reads by re-seating;
// - 4.3 with its defaults gives every quorum queue without a limit of its own 20 (the SDK sets its
//   DLQs' off) and counts failed returns only, so Warren hands messages back by a requeueing nack.
const version = await brokerVersion(BROKER)
const everyReturn = countsEveryReturn(version)

describe(`RabbitMQ ${version}, counting ${everyReturn ? 'every return' : 'failed returns only'}`, () => {
  if (everyReturn) {
    describeLookingCostsNothing({
      broker: BROKER,
      countsEveryReturn: true,
      policyLimit: 5,
      expected: {
        thirdParty: { deliveryLimit: 5, mode: 'reseat' },
        sdk: { deliveryLimit: 5, mode: 'reseat' },
      },
    })
  } else {
    describeLookingCostsNothing({
      broker: BROKER,
      countsEveryReturn: false,
      expected: {
        thirdParty: { deliveryLimit: 20, mode: 'give-back' },
        sdk: { deliveryLimit: null, mode: 'give-back' },
      },
    })
  }
})
