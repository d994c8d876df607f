import { rfcSection } from './reference.js'
import type { StatusEntry } from './types.js'

// A 1xx can only precede the real answer, so recording one as an attempt's status means the
// exchange broke; the default policy treats it as a permanent failure rather than guessing.
const INTERIM = 'Not retried: 1xx is informational and never a final answer from a target. ' +
  'An attempt that ends on it is recorded as a permanent failure under the default policy; ' +
  'fix whatever cut the exchange short, then retry the delivery from the admin API.'

export const informational: readonly StatusEntry[] = [
  {
    code: 100,
    name: 'Continue',
    meaning: 'Interim answer: the target has read the request headers and invites the client ' +
      'to send the body. It is only sent to a client that asked with "Expect: 100-continue", ' +
      'and the final status follows it on the same exchange.',
    whenToRetry: INTERIM,
    commonCauses: [
      'The sender\'s original request carried "Expect: 100-continue" and it reached the target',
      'A proxy in front of the target that closes the exchange after the interim answer'
    ],
    reference: rfcSection(9110, '15.2.1')
  },
  {
    code: 101,
    name: 'Switching Protocols',
    meaning: 'The target agreed to switch to the protocol named in the request\'s Upgrade ' +
      'header, typically WebSocket. Sidehook strips Upgrade and Connection as hop-by-hop ' +
      'headers, so a target should never send this to a forwarded webhook.',
    whenToRetry: `${INTERIM} Point the target url at a plain HTTP route, not a WebSocket endpoint.`,
    commonCauses: [
      'The target url points at a WebSocket or other upgrade-only endpoint',
      'A server or proxy misconfigured to upgrade every request'
    ],
    reference: rfcSection(9110, '15.2.2')
  },
  {
    code: 102,
    name: 'Processing',
    meaning: 'Interim WebDAV answer: the server accepted the request and is still working on ' +
      'it, sent so the client does not time out. Removed from WebDAV by RFC 4918 but still ' +
      'registered.',
    whenToRetry: `${INTERIM} If attempts time out after long processing, raise the target's ` +
      'timeoutMs or make the target acknowledge first and work afterwards.',
    commonCauses: [
      'A WebDAV server or an old IIS/Apache module answering a long-running request',
      'A target doing slow work before it answers'
    ],
    reference: rfcSection(2518, '10.1')
  },
  {
    code: 103,
    name: 'Early Hints',
    meaning: 'Interim answer carrying Link headers so a browser can preload resources while ' +
      'the server prepares the final answer. Meaningless for a webhook; the final status follows.',
    whenToRetry: INTERIM,
    commonCauses: [
      'A CDN or framework that sends Early Hints on every route, including the webhook route'
    ],
    reference: rfcSection(8297, '2')
  },
  {
    code: 104,
    name: 'Upload Resumption Supported',
    meaning: 'Interim answer telling the client the server can resume an interrupted upload ' +
      'and where. Temporarily registered by IANA for the resumable-uploads draft; the final ' +
      'status follows.',
    whenToRetry: INTERIM,
    commonCauses: [
      'A target that implements resumable uploads and announces them on every upload-like request'
    ],
    reference: 'draft-ietf-httpbis-resumable-upload, temporary IANA registration ' +
      '(https://datatracker.ietf.org/doc/draft-ietf-httpbis-resumable-upload/)'
  }
]
