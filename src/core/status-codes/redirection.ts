import { rfcSection } from './reference.js'
import type { StatusEntry } from './types.js'

// Following a redirect would resend a signed body to a URL nobody configured, so Sidehook
// never does; every 3xx is a permanent failure that an operator fixes in the target url.
const NO_FOLLOW = 'Not retried: Sidehook never follows redirects, so a 3xx is a permanent ' +
  'failure. Fix the target url (the Location header kept on the attempt shows where the ' +
  'target points), then retry the delivery from the admin API.'

export const redirection: readonly StatusEntry[] = [
  {
    code: 300,
    name: 'Multiple Choices',
    meaning: 'The target offers several representations and wants the client to choose one; ' +
      'a Location header may name the preferred one.',
    whenToRetry: NO_FOLLOW,
    commonCauses: ['Content negotiation on the target url instead of a webhook handler'],
    reference: rfcSection(9110, '15.4.1')
  },
  {
    code: 301,
    name: 'Moved Permanently',
    meaning: 'The target url has moved for good to the URL in Location.',
    whenToRetry: NO_FOLLOW,
    commonCauses: [
      'http:// target url on a server that redirects to https://',
      'Missing or extra trailing slash normalised by the framework',
      'The application moved to another host or path'
    ],
    reference: rfcSection(9110, '15.4.2')
  },
  {
    code: 302,
    name: 'Found',
    meaning: 'The target answers from another URL for now. For a webhook this is most often ' +
      'an authentication layer sending an unauthenticated request to a login page.',
    whenToRetry: NO_FOLLOW,
    commonCauses: [
      'Auth middleware or an SSO proxy redirecting to a login page (add credentials in the target headers or exempt the webhook route)',
      'http:// to https:// redirect',
      'A framework redirect after handling the request'
    ],
    reference: rfcSection(9110, '15.4.3')
  },
  {
    code: 303,
    name: 'See Other',
    meaning: 'The target wants the client to GET another URL, typically after handling a form ' +
      'POST. The webhook may or may not have been processed.',
    whenToRetry: `${NO_FOLLOW} Check the target's logs first: with POST-redirect-GET the ` +
      'event may already have been processed.',
    commonCauses: [
      'A form-handling framework doing POST-redirect-GET on the webhook route',
      'A login redirect'
    ],
    reference: rfcSection(9110, '15.4.4')
  },
  {
    code: 304,
    name: 'Not Modified',
    meaning: 'Answer to a conditional request: the client\'s cached copy is still valid. It is ' +
      'not a redirect, but it is a 3xx and never a sensible answer to a webhook.',
    whenToRetry: 'Not retried: every 3xx is a permanent failure in Sidehook. Check whether ' +
      'If-None-Match or If-Modified-Since headers from the sender reached a cache in front of ' +
      'the target, then retry the delivery from the admin API.',
    commonCauses: [
      'Conditional headers forwarded from the original request',
      'A caching proxy answering in place of the application'
    ],
    reference: rfcSection(9110, '15.4.5')
  },
  {
    code: 305,
    name: 'Use Proxy',
    meaning: 'Deprecated: asked the client to repeat the request through the proxy in ' +
      'Location. Clients ignore it for security reasons.',
    whenToRetry: NO_FOLLOW,
    commonCauses: ['A very old server or proxy configuration'],
    reference: rfcSection(9110, '15.4.6')
  },
  {
    code: 306,
    name: '(Unused)',
    meaning: 'Reserved: once "Switch Proxy" in a draft, no longer used. No conforming server ' +
      'sends it.',
    whenToRetry: NO_FOLLOW,
    commonCauses: ['A buggy server or custom code returning an arbitrary status'],
    reference: rfcSection(9110, '15.4.7')
  },
  {
    code: 307,
    name: 'Temporary Redirect',
    meaning: 'The target wants the same request, same method and body, repeated at the URL in ' +
      'Location for now.',
    whenToRetry: NO_FOLLOW,
    commonCauses: [
      'http:// to https:// redirect at a load balancer',
      'A maintenance or region redirect',
      'Trailing-slash normalisation'
    ],
    reference: rfcSection(9110, '15.4.8')
  },
  {
    code: 308,
    name: 'Permanent Redirect',
    meaning: 'The target url has moved for good; the same method and body belong at the URL in ' +
      'Location.',
    whenToRetry: NO_FOLLOW,
    commonCauses: [
      'Trailing-slash normalisation (Next.js and similar frameworks use 308)',
      'http:// to https:// redirect',
      'The route was renamed'
    ],
    reference: rfcSection(9110, '15.4.9')
  }
]
