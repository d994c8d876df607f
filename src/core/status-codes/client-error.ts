import { rfcSection } from './reference.js'
import type { StatusEntry } from './types.js'

// Most 4xx answers will not change by themselves, so retrying them only delays the alert;
// the text points at the fix and the manual retry that follows it.
const NEEDS_FIX = 'Not retried: a permanent failure that needs manual attention.'
const AFTER_FIX = 'Fix the cause, then retry the delivery from the admin API ' +
  '(or bulk-retry with POST /admin/deliveries/retry filtered by target).'
const OPT_IN = 'If the target uses it for a passing condition, add it to the target\'s ' +
  'retry.retryOn.'

export const clientError: readonly StatusEntry[] = [
  {
    code: 400,
    name: 'Bad Request',
    meaning: 'The target could not parse the request or rejected it as malformed. Sidehook ' +
      'forwards the body byte for byte, so the target saw what the sender sent.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: [
      'The target re-verifies the sender\'s signature and fails: wrong secret, or the signed timestamp is outside its tolerance on a late retry or replay',
      'The target expects a different content type or payload shape (sender API version changed)',
      'A proxy in front of the target rejecting a header'
    ],
    reference: rfcSection(9110, '15.5.1')
  },
  {
    code: 401,
    name: 'Unauthorized',
    meaning: 'The target wants credentials it did not get or did not accept. Check the auth ' +
      'header in the target\'s headers config in Sidehook.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: [
      'Missing, expired or rotated token in the target\'s headers (e.g. Authorization)',
      'An unset environment variable: "Bearer ${APP_TOKEN:-}" becomes "Bearer " with nothing after it',
      'Header name or scheme the target does not expect (Bearer vs Basic, X-Api-Key)',
      'The target rejects the sender\'s signature and answers 401'
    ],
    reference: rfcSection(9110, '15.5.2')
  },
  {
    code: 402,
    name: 'Payment Required',
    meaning: 'Reserved by HTTP; services use it when the receiving account\'s plan, billing or ' +
      'quota has lapsed.',
    whenToRetry: `${NEEDS_FIX} Settle the account at the receiving service, then retry.`,
    commonCauses: ['The receiving SaaS subscription expired or its usage quota is exhausted'],
    reference: rfcSection(9110, '15.5.3')
  },
  {
    code: 403,
    name: 'Forbidden',
    meaning: 'The target understood the request and refuses it. Check the auth header in the ' +
      'target\'s headers config, then what stands in front of the target.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: [
      'The credential in the target\'s headers lacks permission for this route',
      'An IP allowlist that lists the sender\'s addresses but not Sidehook\'s egress address',
      'CSRF protection in a web framework rejecting a POST without a CSRF token',
      'A WAF rule (Cloudflare, AWS WAF, ModSecurity) blocking the payload'
    ],
    reference: rfcSection(9110, '15.5.4')
  },
  {
    code: 404,
    name: 'Not Found',
    meaning: 'Nothing answers at that URL: the target url path is wrong or the route was ' +
      'removed. Sidehook appends the path after /in/<source> and the query string to the ' +
      'target url, so check the combined URL.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: [
      'Typo or wrong base path in the target url',
      'The route was renamed or removed in a deploy',
      'An unexpected path suffix from the sender appended to the target url',
      'A virtual host or ingress rule that does not match the target host'
    ],
    reference: rfcSection(9110, '15.5.5')
  },
  {
    code: 405,
    name: 'Method Not Allowed',
    meaning: 'The route exists but not for this method. Sidehook forwards the sender\'s method ' +
      '(POST, PUT, PATCH or DELETE) unchanged; the Allow header lists what the route takes.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: [
      'The handler only accepts POST but the sender used PUT or DELETE',
      'The target url points at a GET-only page',
      'Trailing-slash differences routing to another handler'
    ],
    reference: rfcSection(9110, '15.5.6')
  },
  {
    code: 406,
    name: 'Not Acceptable',
    meaning: 'The target cannot produce an answer in a format the forwarded Accept headers ' +
      'allow.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: ['A strict Accept header from the sender reached a content-negotiating framework'],
    reference: rfcSection(9110, '15.5.7')
  },
  {
    code: 407,
    name: 'Proxy Authentication Required',
    meaning: 'A forward proxy between Sidehook and the target wants credentials. ' +
      'Proxy-Authorization is hop-by-hop, so the sender\'s is never forwarded.',
    whenToRetry: `${NEEDS_FIX} Give Sidehook's egress proxy its credentials, then retry.`,
    commonCauses: ['A corporate egress proxy on Sidehook\'s network requiring authentication'],
    reference: rfcSection(9110, '15.5.8')
  },
  {
    code: 408,
    name: 'Request Timeout',
    meaning: 'The target or a proxy gave up waiting for the complete request and closed the ' +
      'connection, so the webhook was not processed.',
    whenToRetry: 'Retried with backoff under the default policy: the request never arrived in ' +
      'full, so trying again is safe.',
    commonCauses: [
      'A slow or lossy network between Sidehook and the target',
      'A server\'s idle keep-alive timeout racing a reused connection',
      'A large body on a slow link'
    ],
    reference: rfcSection(9110, '15.5.9')
  },
  {
    code: 409,
    name: 'Conflict',
    meaning: 'The request conflicts with the current state of a resource at the target, often ' +
      'because the target already handled this event.',
    whenToRetry: `${NEEDS_FIX} Delivery is at-least-once, so duplicates happen: the target ` +
      'should answer 2xx for an event it has already handled (Sidehook-Event-Id identifies it). ' +
      OPT_IN,
    commonCauses: [
      'Duplicate delivery of an event the target already processed',
      'A concurrent update or version mismatch at the target'
    ],
    reference: rfcSection(9110, '15.5.10')
  },
  {
    code: 410,
    name: 'Gone',
    meaning: 'The target url was removed on purpose and will not come back.',
    whenToRetry: `${NEEDS_FIX} Update or remove the target; replay only after it points somewhere live.`,
    commonCauses: ['The endpoint was decommissioned', 'The subscription or integration was deleted at the target'],
    reference: rfcSection(9110, '15.5.11')
  },
  {
    code: 411,
    name: 'Length Required',
    meaning: 'The target refuses a request without Content-Length. Sidehook computes it from ' +
      'the stored body, so something re-encoded the request on the way.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: ['A proxy that switched the request to chunked transfer encoding', 'A server that rejects empty bodies without a length'],
    reference: rfcSection(9110, '15.5.12')
  },
  {
    code: 412,
    name: 'Precondition Failed',
    meaning: 'A conditional header (If-Match, If-Unmodified-Since) forwarded from the sender ' +
      'evaluated false at the target.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: ['Conditional headers from the sender reaching a resource-style API'],
    reference: rfcSection(9110, '15.5.13')
  },
  {
    code: 413,
    name: 'Content Too Large',
    meaning: 'The body is bigger than the target\'s body limit. Formerly "Payload Too Large".',
    whenToRetry: `${NEEDS_FIX} Raise the target's body limit, then retry the delivery from the admin API.`,
    commonCauses: [
      'A framework body-parser limit smaller than Sidehook\'s (Express json() defaults to 100 kB)',
      'nginx client_max_body_size (default 1 MB)',
      'A serverless or API gateway payload cap'
    ],
    reference: rfcSection(9110, '15.5.14')
  },
  {
    code: 414,
    name: 'URI Too Long',
    meaning: 'The URL is longer than the target accepts. Sidehook appends the sender\'s path ' +
      'suffix and query string to the target url.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: ['A sender that puts data in a long query string', 'A server or proxy with a small request-line limit'],
    reference: rfcSection(9110, '15.5.15')
  },
  {
    code: 415,
    name: 'Unsupported Media Type',
    meaning: 'The target does not accept the body\'s Content-Type or Content-Encoding, which ' +
      'Sidehook forwards unchanged from the sender.',
    whenToRetry: `${NEEDS_FIX} Teach the target the sender's format, then retry.`,
    commonCauses: [
      'The handler expects application/json but the sender posts form-encoded bodies',
      'A compressed body (Content-Encoding: gzip) the target cannot decode',
      'A charset parameter the target rejects'
    ],
    reference: rfcSection(9110, '15.5.16')
  },
  {
    code: 416,
    name: 'Range Not Satisfiable',
    meaning: 'A Range header forwarded from the sender asked for bytes the target does not have.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: ['A Range header from the sender reaching a static file server'],
    reference: rfcSection(9110, '15.5.17')
  },
  {
    code: 417,
    name: 'Expectation Failed',
    meaning: 'The target or a proxy cannot meet the request\'s Expect header.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: ['"Expect: 100-continue" forwarded from the sender to a server that does not support it'],
    reference: rfcSection(9110, '15.5.18')
  },
  {
    code: 418,
    name: "I'm a teapot (Unused)",
    meaning: 'Reserved after the HTCPCP April Fools\' RFC 2324 ("I\'m a teapot"); IANA lists it ' +
      'as (Unused) so it is never assigned. Servers that send it mean "go away".',
    whenToRetry: `${NEEDS_FIX} Find which layer sends it and why, then retry.`,
    commonCauses: ['Bot-blocking or abuse-protection middleware turning Sidehook away', 'A placeholder or joke handler'],
    reference: rfcSection(9110, '15.5.19')
  },
  {
    code: 421,
    name: 'Misdirected Request',
    meaning: 'The request reached a server that does not serve that scheme and host, usually ' +
      'a TLS/SNI and Host mismatch at a reverse proxy.',
    whenToRetry: `${NEEDS_FIX} A new connection can succeed; if it happens now and then, ` +
      'add it to the target\'s retry.retryOn.',
    commonCauses: [
      'A reverse proxy (nginx, Envoy) whose certificate or SNI does not match the Host',
      'HTTP/2 connection reuse across hostnames sharing a certificate'
    ],
    reference: rfcSection(9110, '15.5.20')
  },
  {
    code: 422,
    name: 'Unprocessable Content',
    meaning: 'The target parsed the body but its validation rejected the content. First ' +
      'defined by WebDAV (RFC 4918) as Unprocessable Entity.',
    whenToRetry: `${NEEDS_FIX} Update the target's validation for the payload, then retry.`,
    commonCauses: [
      'A new event type or field the target\'s schema does not allow',
      'The sender changed API version',
      'Validation frameworks (FastAPI/Pydantic, Rails) answering 422 on a missing field'
    ],
    reference: rfcSection(9110, '15.5.21')
  },
  {
    code: 423,
    name: 'Locked',
    meaning: 'WebDAV: the resource is locked. Some APIs use it for a locked record or account.',
    whenToRetry: `${NEEDS_FIX} ${OPT_IN}`,
    commonCauses: ['A WebDAV lock', 'A record or account locked at the target'],
    reference: rfcSection(4918, '11.3')
  },
  {
    code: 424,
    name: 'Failed Dependency',
    meaning: 'WebDAV: the request failed because an action it depended on failed. Some APIs ' +
      'use it when their own downstream call failed.',
    whenToRetry: `${NEEDS_FIX} ${OPT_IN}`,
    commonCauses: ['A failed earlier step in a WebDAV batch', 'A downstream dependency of the target failing'],
    reference: rfcSection(4918, '11.4')
  },
  {
    code: 425,
    name: 'Too Early',
    meaning: 'The server will not process a request that might be replayed, sent in TLS 1.3 ' +
      'early data (0-RTT).',
    whenToRetry: `${NEEDS_FIX} Retrying after the handshake normally works; ${OPT_IN}`,
    commonCauses: ['A CDN or proxy in front of the target with 0-RTT enabled'],
    reference: rfcSection(8470, '5.2')
  },
  {
    code: 426,
    name: 'Upgrade Required',
    meaning: 'The target refuses this protocol and names the one it wants in Upgrade.',
    whenToRetry: `${NEEDS_FIX} Usually the target url should be https:// instead of http://. ${AFTER_FIX}`,
    commonCauses: ['An http:// target url on a server that requires TLS', 'A server requiring a newer HTTP version'],
    reference: rfcSection(9110, '15.5.22')
  },
  {
    code: 428,
    name: 'Precondition Required',
    meaning: 'The target requires conditional requests (If-Match) to prevent lost updates; the ' +
      'target url is likely a resource API, not a webhook handler.',
    whenToRetry: `${NEEDS_FIX} ${AFTER_FIX}`,
    commonCauses: ['The target url points at a REST resource that requires ETags'],
    reference: rfcSection(6585, '3')
  },
  {
    code: 429,
    name: 'Too Many Requests',
    meaning: 'The target is rate limiting Sidehook. Sidehook honours Retry-After (capped at ' +
      'retry.maxRetryAfterMs) and pauses every delivery to that target until then.',
    whenToRetry: 'Retried under the default policy: at the Retry-After time when given, else ' +
      'with backoff. If it keeps happening, lower the target\'s concurrency.',
    commonCauses: [
      'The target\'s rate limit is below the event rate',
      'A backlog draining at full concurrency after an outage',
      'A shared API gateway quota'
    ],
    reference: rfcSection(6585, '4')
  },
  {
    code: 431,
    name: 'Request Header Fields Too Large',
    meaning: 'The headers are bigger than the target accepts: the sender\'s headers, plus ' +
      'X-Forwarded-*, Sidehook-* and the target\'s configured headers.',
    whenToRetry: `${NEEDS_FIX} Raise the target's header limit or drop large headers, then retry.`,
    commonCauses: [
      'Large signature, cookie or tracing headers from the sender',
      'Node.js (16 KiB) or nginx (large_client_header_buffers) header limits'
    ],
    reference: rfcSection(6585, '5')
  },
  {
    code: 451,
    name: 'Unavailable For Legal Reasons',
    meaning: 'The target or its CDN refuses the request because of a legal demand.',
    whenToRetry: `${NEEDS_FIX} Take it up with the target's operator.`,
    commonCauses: ['Geo-blocking of Sidehook\'s egress region', 'A legal takedown at the target'],
    reference: rfcSection(7725, '3')
  }
]
