#!/usr/bin/env bash
# Starts a release built by scripts/build-release.sh the way the Docker image does
# (`node dist/main.js` from the --omit=dev tree, no ts-node, no sources), waits for /readyz,
# asks /graphql for the viewer with BOOTSTRAP_API_KEY and a browser's `/` for the web console (page
# and script, from the release's web/dist), then stops it with SIGTERM and expects exit 0.
# With DATABASE_URL unset it runs on the embedded PostgreSQL (a throwaway DATA_DIR), which also
# proves the production install has the platform's PostgreSQL binaries.
#
#   bash scripts/check-release.sh <release-dir>
set -euo pipefail

release="$(realpath "${1:?usage: scripts/check-release.sh <release-dir>}")"
[ -f "$release/dist/main.js" ] || { echo "check-release: $release/dist/main.js is missing" >&2; exit 1; }
[ ! -e "$release/src" ] || { echo "check-release: $release has sources (src/): not a release" >&2; exit 1; }

work="$(mktemp -d)"
chmod 755 "$work" # the embedded PostgreSQL runs as the postgres user when we are root
port="$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
key="dg_release_$(node -e "console.log(require('crypto').randomBytes(16).toString('hex'))")"
log="$work/server.log"

cd "$release"
env PORT="$port" HOST=127.0.0.1 DATA_DIR="$work/data" BOOTSTRAP_API_KEY="$key" LOG_LEVEL=info \
  node dist/main.js >"$log" 2>&1 &
pid=$!
cleanup() { kill -KILL "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

ready=no
for _ in $(seq 1 120); do
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  if node -e "fetch('http://127.0.0.1:$port/readyz').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"; then
    ready=yes
    break
  fi
  sleep 1
done
if [ "$ready" != yes ]; then
  echo "check-release: /readyz never answered 200; server output:" >&2
  cat "$log" >&2
  exit 1
fi

answer="$(node -e "
fetch('http://127.0.0.1:$port/graphql', {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer $key' },
  body: JSON.stringify({ query: '{ viewer { role } }' }),
}).then((r) => r.text()).then((t) => console.log(t), (e) => { console.error(e.message); process.exit(1); })")"
if [ "$answer" != '{"data":{"viewer":{"role":"ADMIN"}}}' ]; then
  echo "check-release: unexpected GraphQL answer: $answer" >&2
  cat "$log" >&2
  exit 1
fi

# The console: build-release.sh ships web/dist beside dist/, where the server looks for it.
if ! console="$(node -e "
const origin = 'http://127.0.0.1:$port';
fetch(origin + '/', { headers: { accept: 'text/html' } })
  .then(async (r) => {
    const html = await r.text();
    const script = /src=\"(\/assets\/[^\"]+\.js)\"/.exec(html);
    if (r.status !== 200 || !html.includes('<div id=\"root\"></div>') || !script) throw new Error('GET / answered ' + r.status + ': ' + html.slice(0, 200));
    const js = await fetch(origin + script[1]);
    if (js.status !== 200) throw new Error('GET ' + script[1] + ' answered ' + js.status);
  })
  .catch((e) => { console.log(e.message); process.exit(1); })")"; then
  echo "check-release: the web console is not served: $console" >&2
  cat "$log" >&2
  exit 1
fi

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
if [ "$status" -ne 0 ]; then
  echo "check-release: the server exited with $status after SIGTERM; output:" >&2
  cat "$log" >&2
  exit 1
fi
echo "check-release: node dist/main.js from $release answered /readyz, /graphql and the console at / and exited 0"
