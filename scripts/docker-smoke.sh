#!/usr/bin/env bash
# Performs the Dockerfile's steps outside Docker (no Docker engine runs on CI machines):
# the build stage's install, build and prune in one folder, the runtime stage's files in
# another, then starts the server as the image's CMD does and runs the HEALTHCHECK command.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pid=""
cleanup () {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "docker-smoke: build stage in $work/build"
mkdir -p "$work/build"
cp "$root/package.json" "$root/package-lock.json" "$work/build/"
(cd "$work/build" && npm ci --no-audit --no-fund --loglevel=error)
cp -r "$root/tsconfig.json" "$root/tsconfig.build.json" "$root/src" "$work/build/"
(cd "$work/build" && npm run build --silent && npm prune --omit=dev --loglevel=error)

echo "docker-smoke: runtime stage in $work/app"
mkdir -p "$work/app" "$work/data"
cp -r "$work/build/node_modules" "$work/build/dist" "$work/app/"
cp -r "$root/package.json" "$root/drizzle" "$root/config" "$root/console" "$work/app/"
if [ -d "$work/app/node_modules/typescript" ]; then echo "docker-smoke: dev dependencies were not pruned" >&2; exit 1; fi

port=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
admin_port=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
export NODE_ENV=production SIDEHOOK_DB="$work/data/sidehook.db" PORT="$port" ADMIN_PORT="$admin_port"
(cd "$work/app" && exec node dist/src/main.js > "$work/server.log" 2>&1) &
pid=$!

healthy=""
for _ in $(seq 1 60); do
  if (cd "$work/app" && node dist/src/healthcheck.js); then healthy=yes; break; fi
  sleep 0.5
done
if [ -z "$healthy" ]; then
  echo "docker-smoke: /healthz never answered; server log:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
[ -f "$work/data/sidehook.db" ] || { echo "docker-smoke: database not created at SIDEHOOK_DB" >&2; exit 1; }
node -e "fetch('http://127.0.0.1:$admin_port/console/app.js').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))" \
  || { echo "docker-smoke: the web console is not served at /console/ (console/ missing from the runtime copy?)" >&2; exit 1; }

kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=""
if [ "$code" -ne 0 ]; then
  echo "docker-smoke: server exited with $code on SIGTERM; log:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
echo "docker-smoke: ok (healthy on port $port, database created, clean exit on SIGTERM)"
