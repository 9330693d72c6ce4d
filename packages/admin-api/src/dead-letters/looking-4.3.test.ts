import { BROKER, brokerVersion } from '@warren/test-kit'
import { describe } from 'vitest'
import { describeLookingCostsNothing } from '../test-support/looking-costs-nothing.js'
import { countsEveryReturn } from '../test-support/versions.js'

// RabbitMQ 4.3 with its defaults: every quorum queue without a limit of its own has 20, the SDK
// sets its DLQs' off. A requeueing nack costs nothing there, so Warren hands messages back so.
// The case runs on the broker under test when that broker says it is such a broker (the 4.3
// passes of `pnpm test`, with or without management statistics); an older broker runs
// looking-3.10.test.ts instead.
const version = await brokerVersion(BROKER)

describe.runIf(!countsEveryReturn(version))(
  `RabbitMQ ${version}, counting failed returns only`,
  () => {
    describeLookingCostsNothing({
      broker: BROKER,
      countsEveryReturn: false,
      expected: {
        thirdParty: { deliveryLimit: 20, mode: 'give-back' },
        sdk: { deliveryLimit: null, mode: 'give-back' },
      },
    })
  },
)
