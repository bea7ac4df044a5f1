#!/usr/bin/env bash
# Builds the avisim image with podman and runs it: logs in, creates a pool and a virtual
# service, reads the VS back, stops the container (SIGTERM), checks the state file on the volume
# holds the VS, starts a second container on the same volume and reads the VS back again.
#
# Needs no Docker engine and no container registry: when node:20-bookworm-slim is not present
# it builds a local stand-in (debootstrap from Debian's repos plus this machine's node and npm,
# then `podman import`). Installs what it needs from Debian when missing (run as root).
# Idempotent; removes the containers it started. Exits non-zero on the first failure.
#
#   bash scripts/docker-smoke.sh
#
# Env: AVISIM_IMAGE (tag to build, default localhost/avisim:smoke), SMOKE_PORT and
# SMOKE_HTTPS_PORT (host ports for the container's 8080 and 8443, default 18080 and 18443),
# SMOKE_BASE_CACHE (where the stand-in's rootfs is built, default /var/tmp/avisim-node-base),
# SMOKE_CA (CA bundle handed to npm in the build as the npm_ca secret, default the machine's
# /etc/ssl/certs/ca-certificates.crt when present).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE="${AVISIM_IMAGE:-localhost/avisim:smoke}"
PORT="${SMOKE_PORT:-18080}"
HTTPS_PORT="${SMOKE_HTTPS_PORT:-18443}"
BASE="node:20-bookworm-slim"
BASE_CACHE="${SMOKE_BASE_CACHE:-/var/tmp/avisim-node-base}"
CA="${SMOKE_CA:-/etc/ssl/certs/ca-certificates.crt}"
PASSWORD="smoke-$RANDOM$RANDOM"
started=$SECONDS

say() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nFAIL: %s\n' "$*" >&2; exit 1; }

work="$(mktemp -d /tmp/avisim-smoke.XXXXXX)"
containers=()
cleanup() {
  local rc=$?
  for c in "${containers[@]}"; do
    podman rm -f -t 2 "$c" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
  if [ "$rc" -eq 0 ]; then echo "docker-smoke: passed in $((SECONDS - started)) s"; else echo "docker-smoke: FAILED (exit $rc) after $((SECONDS - started)) s" >&2; fi
}
trap cleanup EXIT

# --- 1. tools ---------------------------------------------------------------------------
need=()
for pair in podman:podman runc:runc debootstrap:debootstrap newuidmap:uidmap slirp4netns:slirp4netns \
            fuse-overlayfs:fuse-overlayfs curl:curl; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || fail "missing ${need[*]} and not root: install them first"
  say "installing from Debian: ${need[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# A containers.conf for this run only: runc (crun is not packaged for this use here), cgroupfs
# (no systemd session), and explicit ulimits (the default nofile of the sandbox is too high for
# runc to set inside the container).
export CONTAINERS_CONF="$work/containers.conf"
cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
say "podman $(podman --version | awk '{print $3}'), CONTAINERS_CONF=$CONTAINERS_CONF"

# --- 2. the base image -------------------------------------------------------------------
if podman image exists "docker.io/library/$BASE"; then
  say "base image $BASE present: not rebuilding it"
else
  command -v node >/dev/null || fail "node is needed on this machine to make the $BASE stand-in"
  node_bin="$(readlink -f "$(command -v node)")"
  node_prefix="$(dirname "$(dirname "$node_bin")")"
  npm_dir="$node_prefix/lib/node_modules/npm"
  [ -f "$npm_dir/bin/npm-cli.js" ] || fail "npm not found at $npm_dir"
  say "building a stand-in for $BASE: debootstrap bookworm + node $(node --version) from $node_bin"
  rootfs="$BASE_CACHE/rootfs"
  if [ ! -x "$rootfs/bin/sh" ] || [ ! -f "$rootfs/.debootstrap-done" ]; then
    rm -rf "$rootfs"; mkdir -p "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian
    touch "$rootfs/.debootstrap-done"
  fi
  # Trim what a slim image does not carry.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
         "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
  install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  rm -rf "$rootfs/usr/local/lib/node_modules/npm"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # The real image has a `node` user and group with uid/gid 1000.
  if ! grep -q '^node:' "$rootfs/etc/passwd"; then
    chroot "$rootfs" groupadd --gid 1000 node
    chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  fi
  rm -f "$rootfs/.debootstrap-done.tmp"
  tar -C "$rootfs" --exclude=./.debootstrap-done -c . |
    podman import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV NODE_VERSION='"$(node --version | tr -d v)" \
      --change 'CMD ["node"]' \
      - "docker.io/library/$BASE" >/dev/null
  podman tag "docker.io/library/$BASE" "localhost/$BASE"
  podman image exists "docker.io/library/$BASE" || fail "import of $BASE failed"
fi

# --- 3. build ----------------------------------------------------------------------------
build_args=(--format docker --network host --pull=never -t "$IMAGE" -f "$here/Dockerfile")
if [ -s "$CA" ]; then
  build_args+=(--secret "id=npm_ca,src=$CA")
  say "building $IMAGE (npm trusts $CA through the npm_ca build secret)"
else
  say "building $IMAGE"
fi
build_started=$SECONDS
podman build "${build_args[@]}" "$here"
echo "build took $((SECONDS - build_started)) s; image size: $(podman image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}')"
[ "$(podman image inspect "$IMAGE" --format '{{.Config.User}}')" = node ] || fail "image does not run as the node user"

# --- 4. run ------------------------------------------------------------------------------
data="$work/data"
mkdir -p "$data"
chown 1000:1000 "$data"   # the image runs as node (uid 1000)
base="http://127.0.0.1:$PORT"
jar="$work/jar"

run_container() { # name
  local name="$1"
  podman rm -f -t 1 "$name" >/dev/null 2>&1 || true
  containers+=("$name")
  # Without systemd podman cannot schedule the HEALTHCHECK timer and logs "unable to get systemd
  # connection" errors: harmless, the check is run by hand below.
  podman run -d --name "$name" -p "127.0.0.1:$PORT:8080" -p "127.0.0.1:$HTTPS_PORT:8443" \
    -e AVISIM_PASSWORD="$PASSWORD" -e AVISIM_STATE_FILE=/data/state.json \
    -v "$data:/data" "$IMAGE" >/dev/null
  say "started $name; waiting for GET /api/initial-data"
  local i
  for i in $(seq 1 60); do
    if curl -fsS -o /dev/null "$base/api/initial-data" 2>/dev/null; then
      echo "up after ~$((i / 2)) s"
      return 0
    fi
    if [ "$(podman inspect "$name" --format '{{.State.Running}}')" != true ]; then
      podman logs "$name" >&2 || true
      fail "container $name exited"
    fi
    sleep 0.5
  done
  podman logs "$name" >&2 || true
  fail "$name did not answer within 30 s"
}

login() {
  rm -f "$jar"
  local code
  code="$(curl -sS -o "$work/login.json" -w '%{http_code}' -c "$jar" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" "$base/login")"
  [ "$code" = 200 ] || { cat "$work/login.json" >&2; fail "POST /login answered $code"; }
  csrf="$(awk '$6 == "csrftoken" {print $7}' "$jar")"
  [ -n "$csrf" ] || fail "no csrftoken cookie after login"
  echo "logged in as admin"
}

api() { # METHOD PATH [BODY] -> body in $work/out.json, status echoed
  local args=(-sS -o "$work/out.json" -w '%{http_code}' -b "$jar" -X "$1" -H "X-CSRFToken: $csrf" -H 'Referer: '"$base/")
  [ $# -ge 3 ] && args+=(-H 'content-type: application/json' -d "$3")
  curl "${args[@]}" "$base$2"
}

check_vs() { # reads the VS back by name and checks it
  local code
  code="$(api GET '/api/virtualservice?name=smoke-vs')"
  [ "$code" = 200 ] || { cat "$work/out.json" >&2; fail "GET virtualservice?name=smoke-vs answered $code"; }
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const vs = r.results && r.results[0];
    if (r.count !== 1 || !vs) { console.error("expected one VS, got", JSON.stringify(r).slice(0, 500)); process.exit(1); }
    if (vs.name !== "smoke-vs" || vs.uuid !== process.argv[2]) { console.error("wrong VS", vs.name, vs.uuid); process.exit(1); }
    if (!vs.services || vs.services[0].port !== 80) { console.error("services lost", JSON.stringify(vs.services)); process.exit(1); }
    if (!String(vs.pool_ref || "").includes(process.argv[3])) { console.error("pool_ref lost", vs.pool_ref); process.exit(1); }
    console.log("read back", vs.name, vs.uuid, "port", vs.services[0].port, "pool_ref", vs.pool_ref);
  ' "$work/out.json" "$vs_uuid" "$pool_uuid"
}

run_container avisim-smoke-1
health="$(podman healthcheck run avisim-smoke-1 2>&1 && echo healthy || echo "unhealthy")"
echo "HEALTHCHECK: $health"
case "$health" in *unhealthy*) fail "the image's HEALTHCHECK failed";; esac
curl -fsSk -o /dev/null "https://127.0.0.1:$HTTPS_PORT/api/initial-data" || fail "HTTPS port 8443 does not answer"
echo "HTTPS on 8443 answers"
login

code="$(api POST /api/pool '{"name":"smoke-pool","servers":[{"ip":{"addr":"10.0.0.1","type":"V4"},"port":8080}]}')"
[ "$code" = 201 ] || { cat "$work/out.json" >&2; fail "POST /api/pool answered $code"; }
pool_uuid="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).uuid' "$work/out.json")"
echo "created pool $pool_uuid"

code="$(api POST /api/virtualservice '{"name":"smoke-vs","services":[{"port":80}],"pool_ref":"/api/pool?name=smoke-pool"}')"
[ "$code" = 201 ] || { cat "$work/out.json" >&2; fail "POST /api/virtualservice answered $code"; }
vs_uuid="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).uuid' "$work/out.json")"
echo "created virtualservice $vs_uuid"
check_vs

say "podman stop (SIGTERM) avisim-smoke-1"
stop_started=$SECONDS
podman stop -t 10 avisim-smoke-1 >/dev/null
exit_code="$(podman inspect avisim-smoke-1 --format '{{.State.ExitCode}}')"
echo "stopped in $((SECONDS - stop_started)) s, exit code $exit_code"
[ "$exit_code" = 0 ] || { podman logs avisim-smoke-1 >&2 || true; fail "avisim did not exit cleanly on SIGTERM (exit $exit_code)"; }
[ -s "$data/state.json" ] || fail "no state file on the volume after stop"
node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (s.format !== "avisim-state") { console.error("not an avisim state file:", s.format); process.exit(1); }
  const vs = (s.objects || []).filter((o) => o.type === "virtualservice" && o.data && o.data.name === "smoke-vs");
  if (vs.length !== 1 || vs[0].data.uuid !== process.argv[2]) { console.error("state file lacks smoke-vs"); process.exit(1); }
  console.log("state file holds", s.objects.length, "objects, smoke-vs among them");
' "$data/state.json" "$vs_uuid"
podman rm avisim-smoke-1 >/dev/null

run_container avisim-smoke-2
login
check_vs
say "state restored from the volume; the test-control plane resets it to the scenario"
# a sandbox first: its own copy of the scenario, without smoke-vs
code="$(curl -sS -o "$work/out.json" -w '%{http_code}' -b "$jar" -H 'X-Mock-Sandbox: smoke' "$base/api/virtualservice?name=smoke-vs")"
[ "$code" = 200 ] && grep -q '"count":0' "$work/out.json" || { cat "$work/out.json" >&2; fail "a sandbox saw the main state ($code)"; }
code="$(api POST /_mock/reset)"
[ "$code" = 200 ] || { cat "$work/out.json" >&2; fail "POST /_mock/reset answered $code"; }
code="$(api GET '/api/virtualservice?name=smoke-vs')"
[ "$code" = 200 ] && grep -q '"count":0' "$work/out.json" || { cat "$work/out.json" >&2; fail "smoke-vs still there after /_mock/reset ($code)"; }
echo "sandbox and reset work"
say "stopping avisim-smoke-2"
podman stop -t 10 avisim-smoke-2 >/dev/null

# --- 5. as docs/docker.md runs it by hand, ports published elsewhere ---------------------
# The banner must print the URLs the host reaches (AVISIM_PUBLIC_PORTS), and each must answer.
say "podman run as documented, with the -p mappings in AVISIM_PUBLIC_PORTS"
podman rm -f -t 1 avisim-smoke-3 >/dev/null 2>&1 || true
containers+=(avisim-smoke-3)
podman run -d --name avisim-smoke-3 --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
  -p "127.0.0.1:$PORT:8080" -p "127.0.0.1:$HTTPS_PORT:8443" \
  -e AVISIM_PUBLIC_PORTS="127.0.0.1:$PORT:8080,127.0.0.1:$HTTPS_PORT:8443" "$IMAGE" >/dev/null
for i in $(seq 1 60); do podman logs avisim-smoke-3 2>/dev/null | grep -q 'NSX user:' && break; sleep 0.5; done
podman logs avisim-smoke-3 2>/dev/null | grep -E 'Avi API:|control:|NSX API:' | tee "$work/banner"
urls="$(grep -oE 'https?://[^ ]+' "$work/banner")"
[ "$(grep -c "127.0.0.1:$PORT/\|127.0.0.1:$HTTPS_PORT/" <<<"$urls")" -ge 4 ] || fail "the banner does not print the published ports"
for u in $urls; do
  code="$(curl -sk -o /dev/null -w '%{http_code}' "$u")"
  case "$code" in 200|401|403|404) echo "$u answers $code";; *) fail "$u from the banner answers $code";; esac
done
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: text/html' "$base/")" = 200 ] || fail "GET / has no landing page"
podman stop -t 10 avisim-smoke-3 >/dev/null
