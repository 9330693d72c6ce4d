// An admin API on a named broker (the test kit's broker under test, `BROKER`, from the environment).
import { createTestVhost, type TestBroker } from '@warren/test-kit'
import { createApp, type WarrenApp } from '../app.js'
import { tempDir, testConfig } from './core.js'

/** A vhost of the test's own on `broker`, and an admin API that watches only it. */
export async function brokerTestApp(
  broker: TestBroker,
  prefix: string,
  env: Record<string, string> = {},
) {
  const vhost = await createTestVhost(prefix, broker)
  const dir = await tempDir()
  let warren: WarrenApp | undefined
  const start = () => {
    warren = createApp(
      testConfig(dir.path, {
        WARREN_VHOSTS: vhost.name,
        WARREN_AMQP_URL: broker.amqp,
        WARREN_MANAGEMENT_URL: broker.management,
        WARREN_PROMETHEUS_URL: broker.prometheus,
        WARREN_MANAGEMENT_USER: broker.user,
        WARREN_MANAGEMENT_PASSWORD: broker.password,
        ...env,
      }),
    )
    return warren
  }
  return {
    name: vhost.name,
    encoded: vhost.encoded,
    url: vhost.url,
    start,
    channel: vhost.withChannel,
    async remove() {
      try {
        await warren?.close()
      } finally {
        await vhost.remove()
        await dir.remove()
      }
    },
  }
}
