/** Where the container's health probe reaches a listener bound to `host`: a wildcard bind on loopback. */
export function probeHost (host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}
