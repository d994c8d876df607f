import { createHmac, timingSafeEqual } from 'node:crypto'
import t from 'tap'
import { describeAlert, formatDuration } from '../../src/alerts/describe.js'
import { emailMessage } from '../../src/alerts/render-email.js'
import { slackMessage } from '../../src/alerts/render-slack.js'
import { ALERT_KINDS, type Alert } from '../../src/alerts/types.js'
import { alertPayload, signatureHeader } from '../../src/alerts/webhook-payload.js'

const T0 = Date.UTC(2026, 0, 1, 12, 0)

const failing: Alert = {
  id: 'alr_01',
  kind: 'target.failing',
  target: 'app',
  at: T0 + 300_000,
  threshold: 5,
  consecutiveFailures: 5,
  failingSince: T0,
  durationMs: null,
  failedDeliveries: null,
  last: {
    deliveryId: 'dlv_1', eventId: 'evt_1', source: 'stripe', attempt: 5, at: T0 + 299_000,
    status: 503, error: null, errorMessage: null, failReason: null
  },
  deliveryIds: ['dlv_1']
}

t.test('Slack: the exact message for a failing target', async (t) => {
  t.same(slackMessage(failing), {
    text: ':rotating_light: Sidehook: app is failing: 5 failed attempts in a row',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: ':rotating_light: Target app is failing', emoji: true } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: 'The last 5 attempts to deliver webhooks to target app failed. Sidehook keeps retrying on its backoff schedule; nothing is lost while retries last.' }
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Target*\napp' },
          { type: 'mrkdwn', text: '*Failed attempts in a row*\n5 (threshold 5)' },
          { type: 'mrkdwn', text: '*Failing since*\n2026-01-01T12:00:00.000Z' }
        ]
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*Last answer: 503 Service Unavailable* (at 2026-01-01T12:04:59.000Z)\nThe target is overloaded or in maintenance. With Retry-After, Sidehook pauses every delivery to that target until then.'
        }
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*Common causes*\n• Maintenance mode\n• No healthy upstream behind the load balancer (all instances failing health checks)\n• A scale-from-zero platform still starting the application\n• A circuit breaker or load shedder in front of the application'
        }
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*What to do*\n• Inspect the last delivery: GET /admin/deliveries/dlv_1\n• List what waits: GET /admin/deliveries?target=app&amp;state=pending\n• Pause the target while you fix it: POST /admin/targets/app/pause'
        }
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Delivery `dlv_1`  ·  Event `evt_1`  ·  Source `stripe`  ·  Alert `alr_01`' }] }
    ]
  })
})

t.test('Slack: text from outside cannot become markup', async (t) => {
  const alert: Alert = { ...failing, last: { ...failing.last!, status: null, error: 'protocol_error', errorMessage: 'bad <@U123> & <!channel>' } }
  const json = JSON.stringify(slackMessage(alert))
  t.notMatch(json, /<@U123>|<!channel>/)
  t.match(json, /bad &lt;@U123&gt; &amp; &lt;!channel&gt;/)
})

t.test('every kind renders within Slack limits, with a title and the ids', async (t) => {
  for (const kind of ALERT_KINDS) {
    const alert: Alert = { ...failing, kind, target: kind === 'test' ? null : 'app', durationMs: 90_000, failedDeliveries: 3 }
    const m = slackMessage(alert)
    const header = m.blocks[0]
    t.equal(header.type, 'header', kind)
    if (header.type === 'header') t.ok(header.text.text.length <= 150, `${kind}: header within 150 characters`)
    t.match(JSON.stringify(m), /alr_01/, `${kind}: the alert id is there`)
    const e = emailMessage(alert)
    t.ok(e.subject.startsWith('[Sidehook] '), `${kind}: subject`)
    t.match(e.text, 'alr_01')
  }
})

t.test('recovery: how long it lasted and how many attempts failed', async (t) => {
  const alert: Alert = { ...failing, kind: 'target.recovered', durationMs: 754_000, consecutiveFailures: 9 }
  const d = describeAlert(alert)
  t.equal(d.title, 'Target app recovered')
  t.equal(d.subject, '[Sidehook] app recovered after 12m 34s')
  t.match(d.summary, 'The incident lasted 12m 34s; 9 attempts failed in a row.')
  t.equal(d.last?.label, 'Last failure')
  const e = emailMessage(alert)
  t.match(e.text, /Incident lasted: +12m 34s/)
  t.match(e.text, /Failed attempts: +9/)
})

t.test('needs attention: count, reason, catalog meaning and causes, ids', async (t) => {
  const alert: Alert = {
    ...failing,
    kind: 'deliveries.needs_attention',
    threshold: null,
    consecutiveFailures: null,
    failingSince: null,
    failedDeliveries: 3,
    last: { ...failing.last!, status: 404, failReason: 'non_retryable_status' },
    deliveryIds: ['dlv_0', 'dlv_2', 'dlv_1']
  }
  const e = emailMessage(alert)
  t.equal(e.subject, '[Sidehook] 3 deliveries to app failed permanently')
  t.match(e.text, '3 deliveries to target app failed permanently and will not be retried on their own: the target answered 404 Not Found, which is not retried.')
  t.match(e.text, 'Common causes:\n  - Typo or wrong base path in the target url')
  t.match(e.text, /Other deliveries: +dlv_0, dlv_2/)
  t.match(e.text, 'POST /admin/deliveries/retry {"target":"app","state":"failed"}')
  t.match(e.html, '<h2 style="margin:0 0 8px">3 deliveries to app need attention</h2>')
  t.match(e.html, '<code>dlv_1</code>')
  const exhausted = describeAlert({ ...alert, failedDeliveries: 1, last: { ...alert.last!, status: 503, failReason: 'max_attempts' } })
  t.equal(exhausted.title, '1 delivery to app needs attention')
  t.match(exhausted.summary, 'retries ran out (retry.maxAttempts reached)')
})

t.test('email HTML escapes whatever came from the network', async (t) => {
  const alert: Alert = { ...failing, last: { ...failing.last!, status: null, error: 'connection_reset', errorMessage: '<img src=x onerror=alert(1)> "quoted"' } }
  const e = emailMessage(alert)
  t.notMatch(e.html, '<img')
  t.match(e.html, '&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot;')
  t.match(e.text, 'Error: <img src=x onerror=alert(1)> "quoted"', 'plain text stays as it was')
  t.match(e.text, 'Last answer: Connection reset')
})

t.test('the webhook payload, exactly', async (t) => {
  t.same(alertPayload({ ...failing, last: { ...failing.last!, status: null, error: 'connection_refused', errorMessage: 'connect ECONNREFUSED 127.0.0.1:9' } }), {
    id: 'alr_01',
    type: 'target.failing',
    createdAt: '2026-01-01T12:05:00.000Z',
    target: 'app',
    title: 'Target app is failing',
    summary: 'The last 5 attempts to deliver webhooks to target app failed. Sidehook keeps retrying on its backoff schedule; nothing is lost while retries last.',
    threshold: 5,
    consecutiveFailures: 5,
    failingSince: '2026-01-01T12:00:00.000Z',
    durationMs: null,
    failedDeliveries: null,
    lastAttempt: {
      deliveryId: 'dlv_1',
      eventId: 'evt_1',
      source: 'stripe',
      attempt: 5,
      at: '2026-01-01T12:04:59.000Z',
      status: null,
      statusName: 'Connection refused',
      meaning: 'Nothing accepted the connection at the target host and port.',
      commonCauses: ['The target application is down or restarting', 'Wrong port in the target url', 'A firewall rejecting the connection'],
      retryable: null,
      error: 'connection_refused',
      errorMessage: 'connect ECONNREFUSED 127.0.0.1:9',
      failReason: null
    },
    deliveryIds: ['dlv_1']
  })
  t.match(alertPayload(failing).lastAttempt, { status: 503, statusName: 'Service Unavailable', retryable: true })
})

t.test('the signature verifies the way README.md (Alerts) says', async (t) => {
  const body = JSON.stringify(alertPayload(failing))
  const header = signatureHeader(body, 'whsec-test', T0 + 1234)
  t.match(header, /^t=\d+,v1=[0-9a-f]{64}$/)
  // The receiver's side, as documented.
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]))
  t.equal(parts.t, String(Math.floor((T0 + 1234) / 1000)))
  const expected = createHmac('sha256', 'whsec-test').update(`${parts.t}.${body}`).digest()
  t.ok(timingSafeEqual(expected, Buffer.from(parts.v1, 'hex')))
  t.not(signatureHeader(body, 'other-secret', T0 + 1234), header, 'another secret gives another signature')
  t.not(signatureHeader(`${body} `, 'whsec-test', T0 + 1234), header, 'another body gives another signature')
})

t.test('durations read at a glance', async (t) => {
  const rows: Array<[number, string]> = [
    [0, '0ms'], [850, '850ms'], [1000, '1s'], [42_000, '42s'], [60_000, '1m'], [754_000, '12m 34s'],
    [7_200_000, '2h'], [7_500_000, '2h 5m'], [3 * 86_400_000 + 4 * 3_600_000 + 59_000, '3d 4h']
  ]
  for (const [ms, text] of rows) t.equal(formatDuration(ms), text, String(ms))
})
