export { FakeBroker } from './fake-broker.js'
export type { FakeBrokerOptions } from './options.js'
export type { FakeMessage } from './message.js'
export type { BrokerLike } from '../broker-like.js'
