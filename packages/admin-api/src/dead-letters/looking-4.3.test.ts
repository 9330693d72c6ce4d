import { BROKER, BROKER_4_3, brokerVersion } from '@warren/test-kit'
import { describeLookingCostsNothing } from '../test-support/looking-costs-nothing.js'
import { countsEveryReturn } from '../test-support/versions.js'

// RabbitMQ 4.3 with its defaults: every quorum queue without a limit of its own has 20, the SDK
// sets its DLQs' off. A requeueing nack costs nothing there, so Warren hands messages back so. On
// the broker under test when it is such a broker (the 4.3 passes, with or without management
// statistics), else on the 4.3 node beside it, so that the 3.10 pass proves it too.
const underTest = await brokerVersion(BROKER)

describeLookingCostsNothing({
  broker: countsEveryReturn(underTest) ? BROKER_4_3 : BROKER,
  countsEveryReturn: false,
  expected: {
    thirdParty: { deliveryLimit: 20, mode: 'give-back' },
    sdk: { deliveryLimit: null, mode: 'give-back' },
  },
})
