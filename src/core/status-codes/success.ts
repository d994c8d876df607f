import { rfcSection } from './reference.js'
import type { StatusEntry } from './types.js'

const DONE = 'Not retried: any 2xx ends the delivery as succeeded.'

export const success: readonly StatusEntry[] = [
  {
    code: 200,
    name: 'OK',
    meaning: 'The target accepted the webhook and answered normally.',
    whenToRetry: `${DONE} If the target says it never saw the event, read the response body ` +
      'kept on the attempt: a catch-all route or a login page can also answer 200.',
    commonCauses: [
      'Normal success',
      'A catch-all route, SPA fallback or login page answering 200 for a wrong target url'
    ],
    reference: rfcSection(9110, '15.3.1')
  },
  {
    code: 201,
    name: 'Created',
    meaning: 'The target accepted the webhook and created a resource for it.',
    whenToRetry: DONE,
    commonCauses: ['Normal success for a target that stores each event as a new record'],
    reference: rfcSection(9110, '15.3.2')
  },
  {
    code: 202,
    name: 'Accepted',
    meaning: 'The target queued the webhook for later processing. Sidehook counts that as ' +
      'delivered; whether the target\'s own processing succeeds is only in its logs.',
    whenToRetry: `${DONE} A later failure inside the target is invisible to Sidehook; use ` +
      'a manual retry from the admin API if the target asks for the event again.',
    commonCauses: ['Normal success for a target that acknowledges first and works afterwards'],
    reference: rfcSection(9110, '15.3.3')
  },
  {
    code: 203,
    name: 'Non-Authoritative Information',
    meaning: 'Success, but a transforming proxy between Sidehook and the target changed the ' +
      'target\'s 200 answer.',
    whenToRetry: DONE,
    commonCauses: ['A transforming or content-rewriting proxy in front of the target'],
    reference: rfcSection(9110, '15.3.4')
  },
  {
    code: 204,
    name: 'No Content',
    meaning: 'The target accepted the webhook and sent no body. A common, correct answer ' +
      'from webhook handlers.',
    whenToRetry: DONE,
    commonCauses: ['Normal success for a handler with nothing to say'],
    reference: rfcSection(9110, '15.3.5')
  },
  {
    code: 205,
    name: 'Reset Content',
    meaning: 'Success, with a hint meant for browsers to reset the form that sent the request. ' +
      'Harmless for a webhook.',
    whenToRetry: DONE,
    commonCauses: ['A form-handling framework answering the webhook route'],
    reference: rfcSection(9110, '15.3.6')
  },
  {
    code: 206,
    name: 'Partial Content',
    meaning: 'The target answered part of a resource because the request carried a Range ' +
      'header. Counted as success, but odd for a webhook.',
    whenToRetry: `${DONE} If the target did not process the event, check whether a Range ` +
      'header from the sender reached a static file server or cache at the target url.',
    commonCauses: [
      'A Range header forwarded from the original request',
      'The target url points at a static file server rather than the application'
    ],
    reference: rfcSection(9110, '15.3.7')
  },
  {
    code: 207,
    name: 'Multi-Status',
    meaning: 'WebDAV answer whose body holds a separate status for each of several ' +
      'operations. Sidehook counts it as success even when some inner statuses are failures.',
    whenToRetry: `${DONE} Inner failures are only in the response body kept on the attempt.`,
    commonCauses: ['A WebDAV server or a batch API that reports per-item results'],
    reference: rfcSection(4918, '11.1')
  },
  {
    code: 208,
    name: 'Already Reported',
    meaning: 'WebDAV binding extension: used inside a 207 body so members already listed are ' +
      'not listed again. Rarely seen as a top-level answer; counted as success.',
    whenToRetry: DONE,
    commonCauses: ['A WebDAV server with bindings', 'An API that borrows it to mean "already processed"'],
    reference: rfcSection(5842, '7.1')
  },
  {
    code: 226,
    name: 'IM Used',
    meaning: 'The answer is the result of instance manipulations (delta encoding) the client ' +
      'asked for with A-IM. Counted as success; rare outside delta-encoding caches.',
    whenToRetry: DONE,
    commonCauses: ['An A-IM header forwarded from the sender to a delta-encoding-aware server'],
    reference: rfcSection(3229, '10.4.1')
  }
]
