import { loadConfig } from './config/load-config.js'
import { probeHost } from './healthcheck-host.js'

// The container HEALTHCHECK: exits 0 when /healthz on the ingest listener answers 200.
// Kept as a file so the Dockerfile and scripts/docker-smoke.sh run the very same check.
// It reads the config as the server does ($SIDEHOOK_CONFIG or the default file, then the
// environment overrides such as PORT), so a port set only in the file is probed too.

async function check (): Promise<boolean> {
  const { server } = await loadConfig()
  if (server.port === 0) return false
  const res = await fetch(`http://${probeHost(server.host)}:${server.port}/healthz`, { signal: AbortSignal.timeout(2500) })
  return res.ok
}

check().then(
  (ok) => process.exit(ok ? 0 : 1),
  () => process.exit(1)
)
