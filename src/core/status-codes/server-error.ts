import { rfcSection } from './reference.js'
import type { StatusEntry } from './types.js'

const RETRIED = 'Retried with backoff under the default policy, at the Retry-After time when ' +
  'one is given, until retry.maxAttempts or retry.maxAgeMs runs out.'
// Some 5xx codes describe configuration, not load, so retrying them rarely helps; the text
// says how to stop wasting attempts without changing the default policy.
const UNLIKELY = 'This one rarely clears by itself: fix the cause, or add it to the target\'s ' +
  'retry.noRetryOn to fail fast.'

export const serverError: readonly StatusEntry[] = [
  {
    code: 500,
    name: 'Internal Server Error',
    meaning: 'The target\'s application failed while handling the webhook, usually an ' +
      'unhandled exception.',
    whenToRetry: `${RETRIED} If one event keeps failing while others succeed, it is a poison ` +
      'event: find it in the target\'s logs by its Sidehook-Event-Id header.',
    commonCauses: [
      'A bug in the handler for this event type or payload',
      'A database or downstream service of the target failing',
      'Missing configuration at the target (for example its signing secret) crashing the handler'
    ],
    reference: rfcSection(9110, '15.6.1')
  },
  {
    code: 501,
    name: 'Not Implemented',
    meaning: 'The target does not support what the request needs, usually the method.',
    whenToRetry: `${RETRIED} ${UNLIKELY}`,
    commonCauses: ['A server that does not know the forwarded method (PATCH, DELETE)', 'A stub handler that answers 501'],
    reference: rfcSection(9110, '15.6.2')
  },
  {
    code: 502,
    name: 'Bad Gateway',
    meaning: 'A gateway in front of the target\'s application (nginx, a load balancer, an ' +
      'ingress) got no valid answer from the application.',
    whenToRetry: RETRIED,
    commonCauses: [
      'The application crashed, is restarting or is mid-deploy',
      'The gateway points at the wrong upstream port or host',
      'The application\'s keep-alive timeout is shorter than the gateway\'s, so reused connections are closed under it',
      'Response headers too large for the gateway\'s buffers'
    ],
    reference: rfcSection(9110, '15.6.3')
  },
  {
    code: 503,
    name: 'Service Unavailable',
    meaning: 'The target is overloaded or in maintenance. With Retry-After, Sidehook pauses ' +
      'every delivery to that target until then.',
    whenToRetry: RETRIED,
    commonCauses: [
      'Maintenance mode',
      'No healthy upstream behind the load balancer (all instances failing health checks)',
      'A scale-from-zero platform still starting the application',
      'A circuit breaker or load shedder in front of the application'
    ],
    reference: rfcSection(9110, '15.6.4')
  },
  {
    code: 504,
    name: 'Gateway Timeout',
    meaning: 'A gateway in front of the target\'s application gave up waiting for it. The ' +
      'application may still have processed the event, so the retry can be a duplicate.',
    whenToRetry: `${RETRIED} Targets should acknowledge quickly and work afterwards, and ` +
      'deduplicate by Sidehook-Event-Id.',
    commonCauses: [
      'The handler does slow work before answering',
      'A gateway timeout shorter than the handler needs (nginx proxy_read_timeout, load balancer idle timeout, API gateway limits)',
      'A lock or slow query in the target\'s database'
    ],
    reference: rfcSection(9110, '15.6.5')
  },
  {
    code: 505,
    name: 'HTTP Version Not Supported',
    meaning: 'The target refuses the HTTP version of the request.',
    whenToRetry: `${RETRIED} ${UNLIKELY}`,
    commonCauses: ['A server or proxy that only speaks HTTP/2 or a misconfigured protocol setting'],
    reference: rfcSection(9110, '15.6.6')
  },
  {
    code: 506,
    name: 'Variant Also Negotiates',
    meaning: 'The target\'s transparent content negotiation is misconfigured into a loop.',
    whenToRetry: `${RETRIED} ${UNLIKELY}`,
    commonCauses: ['A server content-negotiation (MultiViews-style) configuration error'],
    reference: rfcSection(2295, '8.1')
  },
  {
    code: 507,
    name: 'Insufficient Storage',
    meaning: 'The target cannot store what it needs to finish the request, usually a full disk.',
    whenToRetry: `${RETRIED} It clears once the target frees space.`,
    commonCauses: ['A full disk or exhausted quota at the target', 'A WebDAV server out of space'],
    reference: rfcSection(4918, '11.5')
  },
  {
    code: 508,
    name: 'Loop Detected',
    meaning: 'The server found an infinite loop: in WebDAV, a Depth: infinity request; in ' +
      'practice also proxies detecting a forwarding loop, and some shared hosts reaching a ' +
      'resource limit.',
    whenToRetry: `${RETRIED} A loop does not clear by itself; fix it or add 508 to the target's retry.noRetryOn.`,
    commonCauses: [
      'The target url points back at Sidehook or at a proxy that forwards to itself',
      'A shared host (CloudLinux/cPanel) answering "Resource Limit Is Reached"'
    ],
    reference: rfcSection(5842, '7.2')
  },
  {
    code: 510,
    name: 'Not Extended',
    meaning: 'The target needs an HTTP extension the request did not declare. RFC 2774 is ' +
      'historic and IANA marks the code obsoleted.',
    whenToRetry: `${RETRIED} ${UNLIKELY}`,
    commonCauses: ['A server still implementing the HTTP Extension Framework'],
    reference: rfcSection(2774, '7')
  },
  {
    code: 511,
    name: 'Network Authentication Required',
    meaning: 'A captive portal on Sidehook\'s own network intercepted the request; the target ' +
      'never saw it.',
    whenToRetry: `${RETRIED} It clears only once the network is authenticated or bypassed.`,
    commonCauses: ['A captive portal (hotel, guest or corporate network) on Sidehook\'s egress', 'An egress proxy requiring sign-in'],
    reference: rfcSection(6585, '6')
  }
]
