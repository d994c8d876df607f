import { rfcSection } from './reference.js'
import type { ClassFallback, StatusClass } from './types.js'

// RFC 9110 tells clients to treat an unrecognised code as the x00 of its class, which is also
// all Sidehook's policy looks at; the fallback text therefore speaks only of the class.
export const classFallbacks: Readonly<Record<StatusClass, ClassFallback>> = {
  '1xx': {
    name: 'Unassigned 1xx (Informational)',
    meaning: 'An interim answer with a code nobody registered. Like every 1xx it can only ' +
      'precede the final answer; it is never a final answer from a target.',
    whenToRetry: 'Not retried: 1xx is informational and never a final answer from a target. ' +
      'An attempt that ends on it is recorded as a permanent failure under the default policy.',
    commonCauses: ['A non-standard server or proxy sending a custom interim answer'],
    reference: rfcSection(9110, '15.2')
  },
  '2xx': {
    name: 'Unassigned 2xx (Successful)',
    meaning: 'A success code nobody registered. Every 2xx means the target accepted the webhook.',
    whenToRetry: 'Not retried: any 2xx ends the delivery as succeeded.',
    commonCauses: ['A framework or application using a custom success code'],
    reference: rfcSection(9110, '15.3')
  },
  '3xx': {
    name: 'Unassigned 3xx (Redirection)',
    meaning: 'A redirection code nobody registered: the target wants the client to go ' +
      'somewhere else.',
    whenToRetry: 'Not retried: Sidehook never follows redirects, so a 3xx is a permanent ' +
      'failure. Fix the target url, then retry the delivery from the admin API.',
    commonCauses: ['A custom redirect in the target or a proxy in front of it'],
    reference: rfcSection(9110, '15.4')
  },
  '4xx': {
    name: 'Unassigned 4xx (Client Error)',
    meaning: 'A client-error code nobody registered: the target or a proxy in front of it ' +
      'rejected the request. The response body kept on the attempt usually says why.',
    whenToRetry: 'Not retried: a permanent failure that needs manual attention. Fix the ' +
      'cause, then retry the delivery from the admin API; add the code to the target\'s ' +
      'retry.retryOn if it marks a passing condition.',
    commonCauses: ['A vendor-specific code from a proxy, CDN or WAF', 'An application using a custom error code'],
    reference: rfcSection(9110, '15.5')
  },
  '5xx': {
    name: 'Unassigned 5xx (Server Error)',
    meaning: 'A server-error code nobody registered: the target or something in front of it ' +
      'failed. The response body kept on the attempt usually names the layer.',
    whenToRetry: 'Retried with backoff under the default policy, like every 5xx, until ' +
      'retry.maxAttempts or retry.maxAgeMs runs out; add the code to the target\'s ' +
      'retry.noRetryOn if it never clears by itself.',
    commonCauses: ['A vendor-specific code from a proxy, CDN or hosting platform', 'An application using a custom error code'],
    reference: rfcSection(9110, '15.6')
  }
}
