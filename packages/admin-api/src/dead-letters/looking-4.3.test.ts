import { BROKER_4_3 } from '@warren/test-kit'
import { describeLookingCostsNothing } from '../test-support/looking-costs-nothing.js'

// RabbitMQ 4.3 with its defaults: every quorum queue without a limit of its own has 20, the SDK
// sets its DLQs' off. A requeueing nack costs nothing there, so Warren hands messages back so.
describeLookingCostsNothing({
  broker: BROKER_4_3,
  expected: {
    thirdParty: { deliveryLimit: 20, mode: 'give-back' },
    sdk: { deliveryLimit: null, mode: 'give-back' },
  },
})
