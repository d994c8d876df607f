import type { StatusEntry } from './types.js'

const VENDOR = 'Cloudflare'
const RETRIED = 'Retried with backoff under the default policy, like every 5xx.'
// TLS misconfiguration at the origin never fixes itself between attempts.
const CONFIG = `${RETRIED} It clears only once the origin's TLS is fixed; add it to the ` +
  'target\'s retry.noRetryOn to fail fast meanwhile.'

function docs (code: number): string {
  return `Cloudflare documentation, Error ${code} ` +
    `(https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/error-${code}/)`
}

export const cloudflare: readonly StatusEntry[] = [
  {
    code: 520,
    name: 'Web Server Returned an Unknown Error',
    vendor: VENDOR,
    meaning: 'The target\'s hostname is proxied by Cloudflare and the origin gave Cloudflare ' +
      'an empty, invalid or unexpected answer.',
    whenToRetry: RETRIED,
    commonCauses: [
      'The origin application crashed or reset the connection mid-request',
      'Origin response headers too large for Cloudflare',
      'An empty or malformed HTTP response from the origin'
    ],
    reference: docs(520)
  },
  {
    code: 521,
    name: 'Web Server Is Down',
    vendor: VENDOR,
    meaning: 'Cloudflare\'s connection to the target\'s origin server was refused.',
    whenToRetry: RETRIED,
    commonCauses: ['The origin web server is stopped', 'An origin firewall blocking Cloudflare\'s IP ranges'],
    reference: docs(521)
  },
  {
    code: 522,
    name: 'Connection Timed Out',
    vendor: VENDOR,
    meaning: 'Cloudflare could not complete a TCP connection to the target\'s origin in time.',
    whenToRetry: RETRIED,
    commonCauses: [
      'An overloaded origin',
      'A firewall silently dropping Cloudflare\'s IP ranges',
      'The DNS record in Cloudflare points at the wrong origin address'
    ],
    reference: docs(522)
  },
  {
    code: 523,
    name: 'Origin Is Unreachable',
    vendor: VENDOR,
    meaning: 'Cloudflare has no route to the target\'s origin.',
    whenToRetry: RETRIED,
    commonCauses: ['A wrong or stale origin IP in the Cloudflare DNS record', 'A routing problem at the origin\'s network'],
    reference: docs(523)
  },
  {
    code: 524,
    name: 'A Timeout Occurred',
    vendor: VENDOR,
    meaning: 'Cloudflare connected to the target\'s origin but got no HTTP answer within its ' +
      'proxy read timeout (100 seconds by default). The origin may still have processed the event.',
    whenToRetry: `${RETRIED} Retries can duplicate work; the target should answer first, ` +
      'work afterwards and deduplicate by Sidehook-Event-Id.',
    commonCauses: ['The handler does long work before answering', 'An overloaded origin'],
    reference: docs(524)
  },
  {
    code: 525,
    name: 'SSL Handshake Failed',
    vendor: VENDOR,
    meaning: 'The TLS handshake between Cloudflare and the target\'s origin failed.',
    whenToRetry: CONFIG,
    commonCauses: ['Origin without TLS on 443 while the zone uses Full SSL mode', 'No shared cipher or SNI mismatch at the origin'],
    reference: docs(525)
  },
  {
    code: 526,
    name: 'Invalid SSL Certificate',
    vendor: VENDOR,
    meaning: 'Cloudflare could not validate the target origin\'s certificate (Full (strict) SSL mode).',
    whenToRetry: CONFIG,
    commonCauses: ['An expired or self-signed origin certificate', 'An origin certificate that does not cover the hostname'],
    reference: docs(526)
  },
  {
    code: 530,
    name: 'Origin Error (Cloudflare 1xxx)',
    vendor: VENDOR,
    meaning: 'Cloudflare could not serve from the target\'s origin and shows a 1xxx error in ' +
      'the body that names the reason.',
    whenToRetry: `${RETRIED} Read the 1xxx error in the response body kept on the attempt.`,
    commonCauses: ['Error 1016: the origin DNS name does not resolve', 'Error 1033: the Cloudflare Tunnel to the origin is down'],
    reference: docs(530)
  }
]
