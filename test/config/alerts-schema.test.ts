import t from 'tap'
import type { ConfigProblem } from '../../src/config/problem.js'
import { validateConfig } from '../../src/config/validate-config.js'

function withAlerts (alerts: unknown): unknown {
  return { targets: { app: { url: 'http://x/' }, b: { url: 'http://y/' } }, alerts }
}

const smtp = { url: 'smtp://user:pass@mail.example.com:587' }

t.test('valid alert settings are kept as given, with nothing defaulted', async (t) => {
  const rows: Array<[string, unknown, unknown]> = [
    ['empty', {}, {}],
    ['the DESIGN example', {
      consecutiveFailures: 5,
      cooldownMs: 3600000,
      notifyOnRecovery: true,
      notifyOnPermanentFailure: false,
      channels: {
        webhook: { url: 'https://ops.example.com/hooks/sidehook', secret: '' },
        slack: { webhookUrl: 'https://hooks.slack.com/services/x' },
        email: { to: ['oncall@example.com'], from: 'sidehook@example.com' }
      },
      targets: { app: { consecutiveFailures: 3 }, b: { notifyOnRecovery: false } },
      smtp
    }, null],
    ['cooldown 0', { cooldownMs: 0 }, { cooldownMs: 0 }],
    ['webhook without secret', { channels: { webhook: { url: 'http://x/' } } }, { channels: { webhook: { url: 'http://x/' } } }],
    ['smtp by fields', { smtp: { host: 'mail', port: 465, secure: true, auth: { user: 'u', pass: 'p' } } },
      { smtp: { host: 'mail', port: 465, secure: true, auth: { user: 'u', pass: 'p' } } }],
    ['smtps url', { smtp: { url: 'smtps://mail.example.com' } }, { smtp: { url: 'smtps://mail.example.com' } }]
  ]
  for (const [name, alerts, expected] of rows) {
    const { config, problems } = validateConfig(withAlerts(alerts))
    t.same(problems, [], name)
    t.same(config?.alerts, expected ?? alerts, name)
  }
  t.same(validateConfig({}).config?.alerts, {}, 'alerts default to {}')
})

t.test('an empty channel URL switches the channel off instead of failing', async (t) => {
  const { config, problems } = validateConfig(withAlerts({
    channels: {
      webhook: { url: '', secret: 'ignored' },
      slack: { webhookUrl: '' },
      email: { to: ['ops@example.com'] }
    },
    smtp
  }))
  t.same(problems, [])
  t.same(config?.alerts, { channels: { email: { to: ['ops@example.com'] } }, smtp })
  t.same(validateConfig(withAlerts({ smtp: { url: '' } })).config?.alerts, {}, 'an empty SMTP url switches SMTP off')
})

t.test('alert problems', async (t) => {
  const rows: Array<[string, unknown, ConfigProblem[]]> = [
    ['not an object', [], [{ path: 'alerts', message: 'expected an object, got an array' }]],
    ['threshold 0', { consecutiveFailures: 0 }, [{ path: 'alerts.consecutiveFailures', message: 'must be at least 1, got 0' }]],
    ['negative cooldown', { cooldownMs: -1 }, [{ path: 'alerts.cooldownMs', message: 'must be at least 0, got -1' }]],
    ['flag not a boolean', { notifyOnRecovery: 'yes' }, [{ path: 'alerts.notifyOnRecovery', message: 'expected true or false, got a string' }]],
    ['unknown key', { cooldown: 1 }, [{ path: 'alerts.cooldown', message: "unknown key; did you mean 'cooldownMs'?" }]],
    ['unknown channel', { channels: { pager: {} } }, [{ path: 'alerts.channels.pager', message: 'unknown key' }]],
    ['webhook url ftp', { channels: { webhook: { url: 'ftp://x' } } }, [{ path: 'alerts.channels.webhook.url', message: 'must be an http: or https: URL, got ftp:' }]],
    ['webhook without url', { channels: { webhook: { secret: 's' } } }, [{ path: 'alerts.channels.webhook.url', message: 'is required' }]],
    ['slack url not a URL', { channels: { slack: { webhookUrl: 'hooks.slack.com' } } }, [{ path: 'alerts.channels.slack.webhookUrl', message: 'must be an absolute http: or https: URL' }]],
    ['slack with url key', { channels: { slack: { url: 'https://x' } } }, [
      { path: 'alerts.channels.slack.url', message: 'unknown key' },
      { path: 'alerts.channels.slack.webhookUrl', message: 'is required' }
    ]],
    ['email to empty', { channels: { email: { to: [] } }, smtp }, [{ path: 'alerts.channels.email.to', message: 'must list at least one address' }]],
    ['email bad address', { channels: { email: { to: ['ops@x', 'ops'] } }, smtp }, [{ path: 'alerts.channels.email.to[1]', message: 'not an email address' }]],
    ['email to a string', { channels: { email: { to: 'ops@x' } }, smtp }, [{ path: 'alerts.channels.email.to', message: 'expected an array, got a string' }]],
    ['email without smtp', { channels: { email: { to: ['ops@x'] } } }, [{ path: 'alerts.channels.email', message: 'needs alerts.smtp, the server to send through' }]],
    ['override for an unknown target', { targets: { nope: {} } }, [{ path: 'alerts.targets.nope', message: "unknown target 'nope'; known: app, b" }]],
    ['override with a bad value', { targets: { app: { cooldownMs: 1.5 } } }, [{ path: 'alerts.targets.app.cooldownMs', message: 'expected an integer, got 1.5' }]],
    ['override with a channel', { targets: { app: { channels: {} } } }, [{ path: 'alerts.targets.app.channels', message: 'unknown key' }]],
    ['smtp url with http', { smtp: { url: 'http://mail' } }, [{ path: 'alerts.smtp.url', message: 'must be an smtp: or smtps: URL, got http:' }]],
    ['smtp url and host', { smtp: { url: 'smtp://mail', host: 'mail' } }, [{ path: 'alerts.smtp', message: "use either 'url' or 'host'/'port'/'secure'/'auth', not both" }]],
    ['smtp port without host', { smtp: { port: 25 } }, [{ path: 'alerts.smtp.host', message: "is required when 'url' is not set" }]],
    ['smtp empty', { smtp: {} }, [{ path: 'alerts.smtp', message: "needs 'url' or 'host'" }]],
    ['smtp port 0', { smtp: { host: 'mail', port: 0 } }, [{ path: 'alerts.smtp.port', message: 'must be between 1 and 65535, got 0' }]],
    ['smtp auth without pass', { smtp: { host: 'mail', auth: { user: 'u' } } }, [{ path: 'alerts.smtp.auth.pass', message: 'is required' }]]
  ]
  for (const [name, alerts, expected] of rows) {
    t.same(validateConfig(withAlerts(alerts)).problems, expected, name)
  }
})
