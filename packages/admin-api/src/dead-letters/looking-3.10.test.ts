import { BROKER } from '@warren/test-kit'
import { describeLookingCostsNothing } from '../test-support/looking-costs-nothing.js'

// RabbitMQ 3.x counts every return of a quorum queue's message, a requeueing nack too: a policy
// gives every queue of the vhost a delivery limit of 5, so Warren reads by re-seating.
describeLookingCostsNothing({
  broker: BROKER,
  policyLimit: 5,
  expected: {
    thirdParty: { deliveryLimit: 5, mode: 'reseat' },
    sdk: { deliveryLimit: 5, mode: 'reseat' },
  },
})
