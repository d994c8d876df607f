// The container HEALTHCHECK: exits 0 when /healthz on the ingest port answers 200.
// Kept as a file so the Dockerfile and scripts/docker-smoke.sh run the very same check.
const port = process.env.PORT ?? '8080'
const controller = AbortSignal.timeout(2500)
fetch(`http://127.0.0.1:${port}/healthz`, { signal: controller }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1)
)
