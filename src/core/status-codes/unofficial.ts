import type { StatusEntry } from './types.js'

// nginx's 444 and 499 are log-only codes: the client side of the connection never receives
// them, so a Sidehook attempt shows a network error or timeout while the target's log shows
// the code. Saying so saves a search for a status that was never on the wire.
const NGINX_SOURCE = 'nginx source, src/http/ngx_http_request.h ' +
  '(https://github.com/nginx/nginx/blob/master/src/http/ngx_http_request.h)'
const NGINX_SSL_ERRORS = 'nginx documentation, ngx_http_ssl_module, Error processing ' +
  '(https://nginx.org/en/docs/http/ngx_http_ssl_module.html#errors)'
const ALB_TROUBLESHOOTING = 'AWS Elastic Load Balancing, Troubleshoot your Application Load ' +
  'Balancers (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html)'
const NO_DOCUMENT = 'Unregistered informal convention with no defining document; see ' +
  'https://en.wikipedia.org/wiki/List_of_HTTP_status_codes#Unofficial_codes'

const NOT_RETRIED = 'Not retried: a 4xx is a permanent failure under the default policy.'
const RETRIED = 'Retried with backoff under the default policy, like every 5xx.'

export const unofficial: readonly StatusEntry[] = [
  {
    code: 444,
    name: 'No Response',
    vendor: 'nginx',
    meaning: 'nginx closed the connection without answering, on purpose ("return 444"). ' +
      'Nothing reaches the client, so Sidehook normally records a network error (connection ' +
      'closed or reset) while the target\'s nginx log shows 444.',
    whenToRetry: `${NOT_RETRIED} The network error Sidehook usually sees instead is retried, ` +
      'and keeps failing until the nginx rule lets the request through.',
    commonCauses: [
      'A default server block that drops requests for unknown Host names',
      'A bot, user-agent or geo filter that answers "return 444"',
      'A rate limiter configured to drop rather than answer'
    ],
    reference: 'nginx documentation, ngx_http_rewrite_module, return ' +
      '(https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return)'
  },
  {
    code: 494,
    name: 'Request Header Too Large',
    vendor: 'nginx',
    meaning: 'nginx found the request headers bigger than large_client_header_buffers. It ' +
      'logs 494 and usually answers 400 "Request Header Or Cookie Too Large".',
    whenToRetry: `${NOT_RETRIED} Raise large_client_header_buffers or trim headers, then retry.`,
    commonCauses: [
      'Large signature or tracing headers from the sender plus the target\'s configured headers',
      'A long X-Forwarded-For chain'
    ],
    reference: NGINX_SOURCE
  },
  {
    code: 495,
    name: 'SSL Certificate Error',
    vendor: 'nginx',
    meaning: 'The target\'s nginx requires a client certificate (mutual TLS) and the one ' +
      'presented failed verification. nginx logs 495 and answers 400.',
    whenToRetry: `${NOT_RETRIED} Fix the client certificate or the CA nginx trusts, then retry.`,
    commonCauses: ['An expired or wrongly signed client certificate', 'ssl_client_certificate not listing the issuing CA'],
    reference: NGINX_SSL_ERRORS
  },
  {
    code: 496,
    name: 'SSL Certificate Required',
    vendor: 'nginx',
    meaning: 'The target\'s nginx requires a client certificate (ssl_verify_client) and none ' +
      'was presented. nginx logs 496 and answers 400.',
    whenToRetry: `${NOT_RETRIED} Exempt the webhook route from mutual TLS, then retry.`,
    commonCauses: ['Mutual TLS required on the route Sidehook forwards to'],
    reference: NGINX_SSL_ERRORS
  },
  {
    code: 497,
    name: 'HTTP Request Sent to HTTPS Port',
    vendor: 'nginx',
    meaning: 'A plain HTTP request arrived on a port where nginx expects TLS. nginx logs 497 ' +
      'and answers 400.',
    whenToRetry: `${NOT_RETRIED} Change the target url to https://, then retry.`,
    commonCauses: ['A target url of the form http://host:443/...', 'A load balancer forwarding plain HTTP to nginx\'s TLS port'],
    reference: NGINX_SSL_ERRORS
  },
  {
    code: 499,
    name: 'Client Closed Request',
    vendor: 'nginx',
    meaning: 'The client closed the connection before nginx answered. Against a Sidehook ' +
      'target the client is Sidehook: the attempt hit the target\'s timeoutMs, Sidehook ' +
      'recorded a timeout, and nginx logged 499. The application may still have processed it.',
    whenToRetry: `${NOT_RETRIED} The timeout Sidehook actually records is retried; raise the ` +
      'target\'s timeoutMs or make the target answer before doing slow work.',
    commonCauses: [
      'The target\'s handler takes longer than the target\'s timeoutMs',
      'An overloaded upstream behind nginx'
    ],
    reference: NGINX_SOURCE
  },
  {
    code: 460,
    name: 'Client Closed Connection',
    vendor: 'AWS Elastic Load Balancing',
    meaning: 'The Application Load Balancer logged that its client closed the connection ' +
      'before the target answered. That client is Sidehook, whose attempt timed out.',
    whenToRetry: `${NOT_RETRIED} The timeout Sidehook actually records is retried; raise the ` +
      'target\'s timeoutMs or make the target answer sooner.',
    commonCauses: ['The target\'s handler takes longer than the target\'s timeoutMs'],
    reference: `${ALB_TROUBLESHOOTING}, HTTP 460`
  },
  {
    code: 463,
    name: 'Too Many X-Forwarded-For Addresses',
    vendor: 'AWS Elastic Load Balancing',
    meaning: 'The Application Load Balancer received an X-Forwarded-For header with more than ' +
      '30 addresses. Sidehook appends the sender\'s address to the chain it received.',
    whenToRetry: `${NOT_RETRIED} Find the hop that keeps growing the chain (often a proxy loop), then retry.`,
    commonCauses: ['A forwarding loop between proxies', 'A sender or intermediary forwarding a very long chain'],
    reference: `${ALB_TROUBLESHOOTING}, HTTP 463`
  },
  {
    code: 509,
    name: 'Bandwidth Limit Exceeded',
    vendor: 'Apache / cPanel',
    meaning: 'The target\'s hosting account has used up its bandwidth allowance.',
    whenToRetry: `${RETRIED} It clears only when the hosting period resets or the plan is ` +
      'raised; add it to the target\'s retry.noRetryOn to fail fast.',
    commonCauses: ['A shared-hosting plan with a monthly bandwidth cap'],
    reference: `${NO_DOCUMENT}; used by cPanel and Apache bandwidth modules (mod_bw, mod_cband)`
  },
  {
    code: 561,
    name: 'Unauthorized (Identity Provider)',
    vendor: 'AWS Elastic Load Balancing',
    meaning: 'An Application Load Balancer rule authenticates users through an identity ' +
      'provider (OIDC or Cognito) and the provider returned an error. Webhooks cannot log in.',
    whenToRetry: `${RETRIED} It will not clear: exempt the webhook path from the authenticate ` +
      'rule, or add 561 to the target\'s retry.noRetryOn.',
    commonCauses: ['An authenticate-oidc or authenticate-cognito rule covering the webhook path', 'An identity provider outage or misconfiguration'],
    reference: `${ALB_TROUBLESHOOTING}, HTTP 561`
  },
  {
    code: 598,
    name: 'Network Read Timeout Error',
    vendor: 'Some HTTP proxies',
    meaning: 'A proxy in front of the target timed out reading the answer from behind it.',
    whenToRetry: RETRIED,
    commonCauses: ['A slow handler behind a proxy with a short read timeout'],
    reference: NO_DOCUMENT
  },
  {
    code: 599,
    name: 'Network Connect Timeout Error',
    vendor: 'Some HTTP proxies',
    meaning: 'A proxy in front of the target timed out connecting to the server behind it.',
    whenToRetry: RETRIED,
    commonCauses: ['The application behind the proxy is down or unreachable', 'A firewall dropping the proxy\'s connections'],
    reference: NO_DOCUMENT
  }
]
