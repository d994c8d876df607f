import t from 'tap'
import { MASK, maskSettings, maskSlackUrl, maskUrlSecrets, redactor, restoreSecrets, secretsOf } from '../../src/alerts/secrets.js'
import {
  AlertSettingsError, checkSettings, DEFAULT_ALERT_RULES, normalizeSettings, rulesFor, settingsFromConfig, type AlertSettings
} from '../../src/alerts/settings.js'

const SLACK = 'https://hooks.slack.com/services/T0001/B0002/abcdefSECRETxyz'

const stored: AlertSettings = normalizeSettings({
  consecutiveFailures: 3,
  channels: {
    webhook: { url: 'https://ops.example.com/hook?token=tok-12345', secret: 'whsec-abcdef' },
    slack: { webhookUrl: SLACK },
    email: { to: ['oncall@example.com'], from: 'sidehook@example.com' }
  },
  targets: { app: { consecutiveFailures: 2 } }
})

t.test('defaults are documented values, filled in everywhere', async (t) => {
  t.same(DEFAULT_ALERT_RULES, { consecutiveFailures: 5, cooldownMs: 3_600_000, notifyOnRecovery: true, notifyOnPermanentFailure: true })
  t.same(normalizeSettings({}), { ...DEFAULT_ALERT_RULES, channels: {}, targets: {} })
})

t.test('the config file seeds everything but smtp; an empty secret means unsigned', async (t) => {
  const seeded = settingsFromConfig({
    cooldownMs: 0,
    channels: { webhook: { url: 'http://x/', secret: '' } },
    targets: { app: { notifyOnRecovery: false } },
    smtp: { url: 'smtp://u:p@mail:25' }
  })
  t.same(seeded, { ...DEFAULT_ALERT_RULES, cooldownMs: 0, channels: { webhook: { url: 'http://x/' } }, targets: { app: { notifyOnRecovery: false } } })
  t.notOk('smtp' in seeded)
})

t.test('per-target overrides win over the global values', async (t) => {
  t.same(rulesFor(stored, 'app'), { ...DEFAULT_ALERT_RULES, consecutiveFailures: 2 })
  t.same(rulesFor(stored, 'other'), { ...DEFAULT_ALERT_RULES, consecutiveFailures: 3 })
  t.same(rulesFor(stored, 'constructor'), rulesFor(stored, 'other'), 'no prototype keys')
})

t.test('masks: the Slack path, the webhook secret, credentials and tokens in URLs', async (t) => {
  t.equal(maskSlackUrl(SLACK), `https://hooks.slack.com/services/${MASK}`)
  t.equal(maskSlackUrl('http://127.0.0.1:4000/slack'), `http://127.0.0.1:4000/${MASK}`)
  t.equal(maskUrlSecrets('https://user:pw@ops.example.com/hook?token=abc&x=1'), `https://user:${MASK}@ops.example.com/hook?token=${MASK}&x=${MASK}`)
  t.equal(maskUrlSecrets('https://ops.example.com/hook'), 'https://ops.example.com/hook')
  const masked = maskSettings(stored)
  t.same(masked.channels, {
    webhook: { url: `https://ops.example.com/hook?token=${MASK}`, secret: MASK },
    slack: { webhookUrl: `https://hooks.slack.com/services/${MASK}` },
    email: { to: ['oncall@example.com'], from: 'sidehook@example.com' }
  })
  const json = JSON.stringify(masked)
  for (const secret of ['whsec-abcdef', 'tok-12345', 'abcdefSECRETxyz', 'B0002']) t.notMatch(json, secret)
})

t.test('masked values sent back keep the stored secrets (GET-edit-PUT)', async (t) => {
  const edited = { ...maskSettings(stored), cooldownMs: 60_000 }
  t.same(restoreSecrets(edited, stored), { ...stored, cooldownMs: 60_000 })
  const replaced = restoreSecrets({ ...edited, channels: { ...edited.channels, webhook: { url: 'https://new.example.com/', secret: 'new-secret' } } }, stored)
  t.same(replaced.channels.webhook, { url: 'https://new.example.com/', secret: 'new-secret' })
  t.same(restoreSecrets({ ...edited, channels: {} }, stored).channels, {}, 'leaving a channel out switches it off')
  const unsigned = restoreSecrets({ ...edited, channels: { webhook: { url: edited.channels.webhook!.url } } }, stored)
  t.same(unsigned.channels.webhook, { url: 'https://ops.example.com/hook?token=tok-12345' }, 'no secret key: unsigned from now on')
})

t.test('a masked value with nothing to restore is refused, naming the field', async (t) => {
  const empty = normalizeSettings({})
  t.throws(() => restoreSecrets({ ...empty, channels: { webhook: { url: 'http://x/', secret: MASK } } }, empty),
    { name: 'AlertSettingsError', path: 'channels.webhook.secret' })
  t.throws(() => restoreSecrets({ ...empty, channels: { slack: { webhookUrl: `https://hooks.slack.com/services/${MASK}` } } }, empty),
    { name: 'AlertSettingsError', path: 'channels.slack.webhookUrl' })
  t.throws(() => restoreSecrets({ ...stored, channels: { slack: { webhookUrl: `https://other.example.com/services/${MASK}` } } }, stored),
    { name: 'AlertSettingsError', path: 'channels.slack.webhookUrl' }, 'a mask of another URL')
})

t.test('checkSettings: what the JSON schema cannot say', async (t) => {
  const context = { knownTargets: ['app', 'billing'], smtpConfigured: true }
  t.doesNotThrow(() => checkSettings(stored, context))
  const rows: Array<[string, AlertSettings, string, boolean?]> = [
    ['unknown target', { ...stored, targets: { nope: {} } }, 'targets.nope'],
    ['email without smtp', stored, 'channels.email', false],
    ['webhook URL that does not parse', { ...stored, channels: { webhook: { url: 'http://exa mple.com/' } } }, 'channels.webhook.url'],
    ['Slack URL not http', { ...stored, channels: { slack: { webhookUrl: 'ftp://hooks.slack.com/x' } } }, 'channels.slack.webhookUrl']
  ]
  for (const [name, settings, path, smtp] of rows) {
    t.throws(() => checkSettings(settings, { ...context, smtpConfigured: smtp ?? true }), { name: 'AlertSettingsError', path }, name)
  }
  const err = new AlertSettingsError('targets.nope', 'is not a configured target')
  t.equal(err.message, 'targets.nope is not a configured target')
})

t.test('secrets are found and redacted from any text', async (t) => {
  const secrets = secretsOf(stored.channels, { url: 'smtp://mailer:p%40ssw0rd@mail.example.com:587' })
  const redact = redactor(secrets)
  const text = `posting to ${SLACK} failed; secret whsec-abcdef; token tok-12345; smtp p@ssw0rd and smtp://mailer:p%40ssw0rd@mail.example.com:587`
  const out = redact(text)
  for (const secret of ['abcdefSECRETxyz', 'whsec-abcdef', 'tok-12345', 'p@ssw0rd', 'p%40ssw0rd']) t.notMatch(out, secret)
  t.match(out, 'posting to *** failed')
  t.same(secretsOf({}, { host: 'mail', auth: { user: 'u', pass: 'hunter22' } }), ['hunter22'])
  t.same(secretsOf({ webhook: { url: 'http://x/', secret: 'abc' } }), [], 'very short values are not worth hiding')
})
