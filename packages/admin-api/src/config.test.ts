import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

describe('loadConfig', () => {
  it('gives defaults that work against a local broker', () => {
    const config = loadConfig({})
    expect(config.amqpUrls).toEqual(['amqp://guest:guest@127.0.0.1:5672'])
    expect(config.managementUrls).toEqual(['http://127.0.0.1:15672'])
    expect(config.host).toBe('127.0.0.1')
    expect(config.port).toBe(8080)
    expect(config.adminToken).toBeUndefined()
    expect(config.alertFailureRatio).toBe(0.01)
    expect(config.alertBacklog).toBe(1000)
    expect(config.archiveMaxAge).toBe('7D')
    expect(config.dataDir).toMatch(/\.warren$/)
    expect(config.uiDir).toMatch(/admin-ui[/\\]dist$/)
    expect(config.vhosts).toBeUndefined()
  })

  it('reads WARREN_VHOSTS as a comma-separated list of vhosts to watch', () => {
    expect(loadConfig({ WARREN_VHOSTS: ' /, billing ,,billing' }).vhosts).toEqual(['/', 'billing'])
    expect(loadConfig({ WARREN_VHOSTS: ' , ' }).vhosts).toBeUndefined()
  })

  it('refuses a WARREN_VHOSTS entry that is not a vhost name', () => {
    expect(() => loadConfig({ WARREN_VHOSTS: 'billing,..' })).toThrow(/WARREN_VHOSTS/)
  })

  it('splits a comma-separated cluster URL list and parses durations', () => {
    const config = loadConfig({
      WARREN_AMQP_URL: 'amqp://a:1@n1:5672, amqp://a:1@n2:5672',
      WARREN_ALERT_WINDOW: '2m',
      WARREN_MANAGEMENT_URL: 'http://n1:15672/, http://n2:15672',
    })
    expect(config.amqpUrls).toEqual(['amqp://a:1@n1:5672', 'amqp://a:1@n2:5672'])
    expect(config.alertWindowMs).toBe(120_000)
    expect(config.managementUrls).toEqual(['http://n1:15672', 'http://n2:15672'])
  })

  it('refuses a WARREN_MANAGEMENT_URL entry that is not an http(s) URL, naming no password', () => {
    let error: unknown
    try {
      loadConfig({ WARREN_MANAGEMENT_URL: 'http://u:hunter2@n1:15672,amqp://u:hunter2@n2' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toMatch(/WARREN_MANAGEMENT_URL.*expected an http\(s\) URL/)
    expect((error as Error).message).not.toContain('hunter2')
  })

  it('names every invalid variable without echoing secret values', () => {
    let error: unknown
    try {
      loadConfig({
        WARREN_PORT: 'eighty',
        WARREN_ADMIN_TOKEN: 'short-secret',
        WARREN_ALERT_WINDOW: 'soon',
      })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as Error).message
    expect(message).toContain('WARREN_PORT')
    expect(message).toContain('WARREN_ADMIN_TOKEN: use at least 16 characters')
    expect(message).toContain('WARREN_ALERT_WINDOW')
    expect(message).not.toContain('short-secret')
  })
})
