#!/usr/bin/env bash
# Prepares what the integration tests need on a Debian 12 machine:
#   - Docker Engine 26 (from Debian 13 with a low pin) using the containerd image store, so
#     BuildKit can export a build cache with the default `docker` driver;
#   - a second engine with the classic image store, which refuses cache export exactly like
#     GitHub's stock runners (DOCKER_HOST=unix:///run/docker-classic.sock);
#   - two local registries: 127.0.0.1:5000 without auth, 127.0.0.1:5001 with basic auth;
#   - Docker Compose v2 (Debian 13's docker-compose, same low pin as the engine);
#   - base images built locally, because no public registry is reachable here, among them a
#     pgvector/pgvector:pg17 stand-in (Debian 13's postgresql-17 + postgresql-17-pgvector on a
#     debootstrapped debian:trixie-slim; see scripts/testbed/pgvector/).
# Idempotent, and quick when everything is already up. Everything it starts runs in the
# background; pid files live in /run/deploy-check-testbed/.
#
# Environment:
#   DEPLOY_CHECK_TESTBED_FORCE=1     set up and start our engine even when `docker info` works
#   DEPLOY_CHECK_CLASSIC_ENGINE=0    do not start the classic-store engine
#                                    (=1 starts it even next to an engine we did not start)
#   DEPLOY_CHECK_TESTBED_REGISTRY=0  do not start the local registries
#   DEPLOY_CHECK_TESTBED_PYTHON=1    also build a python:3.12-slim stand-in on the main engine
#   DEPLOY_CHECK_TESTBED_POSTGRES=0  do not build debian:trixie-slim and pgvector/pgvector:pg17
set -euo pipefail

# Without root (and without passwordless sudo) only an engine the caller already has can be
# used; state, cache and registries then live in the caller's own directories.
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  exec sudo -n --preserve-env=DOCKER_HOST,DOCKER_CONTEXT,DOCKER_CONFIG,DEPLOY_CHECK_TESTBED_FORCE,DEPLOY_CHECK_CLASSIC_ENGINE,DEPLOY_CHECK_TESTBED_REGISTRY,DEPLOY_CHECK_TESTBED_PYTHON,DEPLOY_CHECK_TESTBED_POSTGRES \
    bash "$0" "$@"
fi
if [ "$(id -u)" = 0 ]; then
  IS_ROOT=1
  STATE_DIR=/run/deploy-check-testbed
  CACHE_DIR=/var/cache/deploy-check-testbed
  LOG_DIR=/var/log
  CONF_DIR=/etc/deploy-check-testbed
  REGISTRY_ROOT=/var/lib/deploy-check-registry
else
  IS_ROOT=0
  STATE_DIR=${XDG_RUNTIME_DIR:-/tmp}/deploy-check-testbed-$(id -u)
  CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/deploy-check-testbed
  LOG_DIR=$STATE_DIR
  CONF_DIR=$CACHE_DIR/conf
  REGISTRY_ROOT=$CACHE_DIR/registry
fi
MAIN_SOCK=/var/run/docker.sock
MAIN_PIDFILE=/var/run/docker.pid
CLASSIC_SOCK=/run/docker-classic.sock
CLASSIC_HOST=unix://$CLASSIC_SOCK
CLASSIC_DATA_ROOT=/var/lib/docker-classic
CLASSIC_EXEC_ROOT=/var/run/docker-classic
CLASSIC_PIDFILE=/var/run/docker-classic.pid
CLASSIC_CONFIG=/etc/docker/classic-daemon.json
# A bridge of its own so the second engine never touches docker0.
CLASSIC_BRIDGE=dc-classic0
CLASSIC_BRIDGE_CIDR=172.30.250.1/24
SAFE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
TESTBED_FILES=$(cd "$(dirname "$0")" && pwd)/testbed
REGISTRY_ADDR=127.0.0.1:5000
REGISTRY_AUTH_ADDR=127.0.0.1:5001
REGISTRY_USER=dcuser
# bcrypt of the test password "dcpass" (cost 5: the registry checks it on every request).
# shellcheck disable=SC2016
REGISTRY_HTPASSWD_LINE='dcuser:$2b$05$WeW0ocvHByK8PRrMtEM1duKmrQhoOog4Iew3jGdEpZOZPpr6gTFEO'

SCRIPT_START=$(date +%s%N)
# The engine that `docker` reaches with the caller's environment; replaced by our socket when
# we start our own engine.
MAIN_HOST=${DOCKER_HOST:-}

log() { printf 'testbed: %s\n' "$*"; }
warn() { printf 'testbed: WARNING: %s\n' "$*" >&2; }
die() { printf 'testbed: ERROR: %s\n' "$*" >&2; exit 1; }
now_ns() { date +%s%N; }
since() { awk -v d="$(($(now_ns) - $1))" 'BEGIN { printf "%.1fs", d / 1e9 }'; }


# dock HOST ARGS...: docker against HOST ("" = the main engine).
dock() {
  local host=$1; shift
  if [ -n "$host" ]; then DOCKER_HOST=$host docker "$@"; else docker "$@"; fi
}
engine_answers() { timeout 20 bash -c 'dock "$@" info >/dev/null 2>&1' _ "$1"; }
export -f dock

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# Packages

pkg_installed() { command -v dpkg-query >/dev/null 2>&1 && dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
}

# apt_install [APT OPTIONS...] -- PACKAGES...: installs those of PACKAGES that are missing.
apt_install() {
  local opts=() missing=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  local p
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$IS_ROOT" = 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    warn "missing packages ${missing[*]} (needs root and apt-get to install them)"
    return 1
  fi
  local t; t=$(now_ns)
  apt_update_once
  log "apt: installing ${missing[*]}${opts[*]:+ (${opts[*]})}"
  env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${opts[@]}" "${missing[@]}" >"$STATE_DIR/apt-install.log" 2>&1 \
    || { tail -n 30 "$STATE_DIR/apt-install.log" >&2; die "apt-get install failed"; }
  log "apt: installed ${missing[*]} in $(since "$t")"
}

# The URI of the machine's main Debian entry (not the security one).
debian_mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
          if ($i ~ /^Suites:/) { suites = $i }
        }
        if (uris != "" && suites ~ /bookworm/ && suites !~ /security/ && uris !~ /security/) {
          split(uris, u, /[ \t]+/); print u[1]; exit
        }
      }' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ && $0 ~ /bookworm/ {
                 for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
          /etc/apt/sources.list)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# /etc/apt/sources.list.d/trixie.sources: the machine's main bookworm entry with Suites: trixie.
write_trixie_sources() {
  local target=/etc/apt/sources.list.d/trixie.sources content
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    content=$(awk '
      BEGIN { RS = ""; FS = "\n" }
      {
        keep = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Suites:/ && $i ~ /bookworm/ && $i !~ /security/) keep = 1
          if ($i ~ /^URIs:/ && $i ~ /security/) keep = 0
        }
        if (!keep) next
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^#/) continue
          if ($i ~ /^Suites:/) print "Suites: trixie"; else print $i
        }
        exit
      }' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "${content:-}" ]; then
    content="Types: deb
URIs: $(debian_mirror)
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
  fi
  local pin='Package: *
Pin: release n=trixie
Pin-Priority: 100'
  local changed=0
  if [ "$(cat "$target" 2>/dev/null)" != "$content" ]; then
    printf '%s\n' "$content" >"$target"; changed=1
  fi
  if [ "$(cat /etc/apt/preferences.d/trixie-docker 2>/dev/null)" != "$pin" ]; then
    printf '%s\n' "$pin" >/etc/apt/preferences.d/trixie-docker; changed=1
  fi
  if [ "$changed" = 1 ]; then
    log "apt: trixie enabled with Pin-Priority 100 (only what is asked for with -t trixie)"
    APT_UPDATED=0
  fi
}

install_engine_packages() {
  local t; t=$(now_ns)
  local trixie=(docker.io containerd docker-buildx) p need=0
  # The machines here bring their own docker CLI (/usr/local/bin/docker); elsewhere install it.
  command -v docker >/dev/null 2>&1 || trixie+=(docker-cli)
  for p in "${trixie[@]}"; do pkg_installed "$p" || need=1; done
  if [ "$need" = 1 ]; then
    write_trixie_sources
    apt_install -t trixie -- "${trixie[@]}"
  fi
  apt_install -- busybox-static debootstrap docker-registry iproute2 curl
  log "packages: ready in $(since "$t")"
}

# The docker CLI first on PATH may be a different build from the one in docker.io (here
# /usr/local/bin/docker 28); make sure it finds the buildx plugin of the docker-buildx package.
ensure_buildx_plugin() {
  if ! docker buildx version >/dev/null 2>&1; then
    local plugin
    for plugin in /usr/libexec/docker/cli-plugins/docker-buildx /usr/lib/docker/cli-plugins/docker-buildx; do
      [ -x "$plugin" ] || continue
      mkdir -p /usr/local/lib/docker/cli-plugins
      ln -sfn "$plugin" /usr/local/lib/docker/cli-plugins/docker-buildx
      break
    done
  fi
  local v
  v=$(docker buildx version 2>/dev/null) || die "docker buildx is not available for $(command -v docker)"
  # "github.com/docker/buildx 0.13.1+ds1 ..." -> needs 0.13 or newer
  local ver; ver=$(awk '{ print $2 }' <<<"$v" | sed 's/^v//')
  local major minor
  IFS=. read -r major minor _ <<<"$ver"
  if [ "${major:-0}" -eq 0 ] && [ "${minor:-0}" -lt 13 ]; then
    die "docker buildx $ver is too old (needs 0.13 or newer)"
  fi
  log "buildx: $ver"
}

# Docker Compose v2 as the `docker compose` plugin (GitHub's runners have it): Debian 13's
# docker-compose package, with the same low pin as the engine. The docker CLI first on PATH may
# be another build than Debian's; make sure it finds the plugin.
ensure_compose() {
  if docker compose version >/dev/null 2>&1; then
    log "compose: $(docker compose version --short 2>/dev/null)"
    return 0
  fi
  if ! pkg_installed docker-compose || ! dpkg --compare-versions "$(dpkg-query -W -f='${Version}' docker-compose)" ge 2; then
    write_trixie_sources
    apt_install -t trixie -- docker-compose || return 1
    # apt_install skips a package that is installed at all; Debian 12 has Compose v1 (1.29).
    if ! dpkg --compare-versions "$(dpkg-query -W -f='${Version}' docker-compose)" ge 2; then
      apt_update_once
      env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t trixie docker-compose \
        >"$STATE_DIR/apt-install.log" 2>&1 || { tail -n 30 "$STATE_DIR/apt-install.log" >&2; return 1; }
    fi
  fi
  if ! docker compose version >/dev/null 2>&1; then
    local plugin
    for plugin in /usr/libexec/docker/cli-plugins/docker-compose /usr/lib/docker/cli-plugins/docker-compose; do
      [ -x "$plugin" ] || continue
      mkdir -p /usr/local/lib/docker/cli-plugins
      ln -sfn "$plugin" /usr/local/lib/docker/cli-plugins/docker-compose
      break
    done
  fi
  docker compose version >/dev/null 2>&1 || { warn "docker compose is not available for $(command -v docker)"; return 1; }
  log "compose: $(docker compose version --short 2>/dev/null)"
}

# ---------------------------------------------------------------------------------------------
# Engines

# wait_engine HOST LOGFILE NAME PID: waits (bounded) until the engine answers; gives up early
# when the daemon has exited.
wait_engine() {
  local host=$1 logfile=$2 name=$3 pid=$4
  for _ in $(seq 1 120); do
    if dock "$host" info >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      warn "$name exited; last lines of $logfile:"
      tail -n 30 "$logfile" >&2
      return 1
    fi
    sleep 0.5
  done
  warn "$name did not answer within 60 s; last lines of $logfile:"
  tail -n 30 "$logfile" >&2
  return 1
}

dockerd_bin() { command -v dockerd 2>/dev/null || echo /usr/sbin/dockerd; }

start_main_engine() {
  local t; t=$(now_ns)
  mkdir -p /etc/docker
  local cfg='{"features":{"containerd-snapshotter":true}}'
  local reconfigured=0
  if [ "$(cat /etc/docker/daemon.json 2>/dev/null)" != "$cfg" ]; then
    printf '%s\n' "$cfg" >/etc/docker/daemon.json
    reconfigured=1
  fi
  MAIN_HOST=unix://$MAIN_SOCK
  if pid_alive "$MAIN_PIDFILE" && [ "$reconfigured" = 0 ] && engine_answers "$MAIN_HOST"; then
    log "engine: already running (pid $(cat "$MAIN_PIDFILE"))"
    return 0
  fi
  if pid_alive "$MAIN_PIDFILE"; then
    log "engine: restarting dockerd (pid $(cat "$MAIN_PIDFILE")) to apply its configuration"
    stop_pidfile "$MAIN_PIDFILE"
  fi
  log "engine: starting dockerd (containerd image store), log in $LOG_DIR/dockerd.log"
  setsid nohup "$(dockerd_bin)" --config-file /etc/docker/daemon.json \
    --host "unix://$MAIN_SOCK" --pidfile "$MAIN_PIDFILE" \
    >>"$LOG_DIR/dockerd.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$STATE_DIR/dockerd.pid"
  wait_engine "$MAIN_HOST" "$LOG_DIR/dockerd.log" dockerd "$pid" || die "the main engine did not start"
  log "engine: up in $(since "$t")"
}

stop_pidfile() {
  local pidfile=$1 pid
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
}

start_classic_engine() {
  local t; t=$(now_ns)
  local cfg='{"features":{"containerd-snapshotter":false}}'
  mkdir -p /etc/docker
  [ "$(cat "$CLASSIC_CONFIG" 2>/dev/null)" = "$cfg" ] || printf '%s\n' "$cfg" >"$CLASSIC_CONFIG"
  if pid_alive "$CLASSIC_PIDFILE" && engine_answers "$CLASSIC_HOST"; then
    return 0
  fi
  if [ ! -x "$(dockerd_bin)" ]; then
    warn "classic engine: dockerd is missing (Debian package docker.io)"
    return 1
  fi
  pid_alive "$CLASSIC_PIDFILE" && stop_pidfile "$CLASSIC_PIDFILE"
  # Left by an earlier run that pointed this address at a classic-store engine it did not start.
  [ -L "$CLASSIC_SOCK" ] && rm -f "$CLASSIC_SOCK"
  if ! ip link show "$CLASSIC_BRIDGE" >/dev/null 2>&1; then
    ip link add name "$CLASSIC_BRIDGE" type bridge \
      || { warn "classic engine: cannot create the bridge $CLASSIC_BRIDGE"; return 1; }
  fi
  if ! ip -4 addr show dev "$CLASSIC_BRIDGE" | grep -q "${CLASSIC_BRIDGE_CIDR%/*}/"; then
    ip addr add "$CLASSIC_BRIDGE_CIDR" dev "$CLASSIC_BRIDGE" \
      || { warn "classic engine: cannot address the bridge $CLASSIC_BRIDGE"; return 1; }
  fi
  ip link set "$CLASSIC_BRIDGE" up || { warn "classic engine: cannot bring $CLASSIC_BRIDGE up"; return 1; }
  log "classic engine: starting a second dockerd (classic image store) on $CLASSIC_SOCK"
  # Its own data root, exec root (and so its own managed containerd), pid file, socket and
  # bridge. It leaves iptables to the main engine: published ports on 127.0.0.1 go through
  # docker-proxy, which needs no NAT rules.
  setsid nohup "$(dockerd_bin)" --config-file "$CLASSIC_CONFIG" \
    --data-root "$CLASSIC_DATA_ROOT" --exec-root "$CLASSIC_EXEC_ROOT" \
    --pidfile "$CLASSIC_PIDFILE" --host "$CLASSIC_HOST" \
    --bridge "$CLASSIC_BRIDGE" --iptables=false --ip-masq=false --ip6tables=false \
    >>"$LOG_DIR/dockerd-classic.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$STATE_DIR/dockerd-classic.pid"
  if ! wait_engine "$CLASSIC_HOST" "$LOG_DIR/dockerd-classic.log" "classic dockerd" "$pid"; then
    return 1
  fi
  local driver
  driver=$(dock "$CLASSIC_HOST" info --format '{{.Driver}}' 2>/dev/null || true)
  log "classic engine: up in $(since "$t") (storage driver: $driver)"
}

engine_summary() {
  dock "$1" version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null \
    | tr -d '\n'
  printf ', storage %s' "$(dock "$1" info --format '{{.Driver}}' 2>/dev/null)"
}

# ---------------------------------------------------------------------------------------------
# Registries

registry_status() { # ADDR -> HTTP status of /v2/ ("000" when nothing listens)
  curl -s -o /dev/null -m 3 -w '%{http_code}' "http://$1/v2/" || true
}

# start_registry BINARY NAME ADDR CONFIG EXPECTED_STATUS
start_registry() {
  local bin=$1 name=$2 addr=$3 config=$4 expected=$5
  if [ "$(registry_status "$addr")" = "$expected" ]; then return 0; fi
  local pidfile=$STATE_DIR/$name.pid
  pid_alive "$pidfile" && stop_pidfile "$pidfile"
  setsid nohup "$bin" serve "$config" \
    >>"$LOG_DIR/deploy-check-$name.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 50); do
    [ "$(registry_status "$addr")" = "$expected" ] && return 0
    sleep 0.2
  done
  warn "$name did not answer on $addr; last lines of $LOG_DIR/deploy-check-$name.log:"
  tail -n 20 "$LOG_DIR/deploy-check-$name.log" >&2
  return 1
}

start_registries() {
  if [ "$(registry_status $REGISTRY_ADDR)" = 200 ] && [ "$(registry_status $REGISTRY_AUTH_ADDR)" = 401 ]; then
    log "registries: http://$REGISTRY_ADDR (no auth), http://$REGISTRY_AUTH_ADDR (basic auth $REGISTRY_USER/dcpass)"
    return 0
  fi
  if ! command -v docker-registry >/dev/null 2>&1 && [ ! -x /usr/bin/docker-registry ]; then
    apt_install -- docker-registry || return 1
  fi
  local registry_bin; registry_bin=$(command -v docker-registry || echo /usr/bin/docker-registry)
  local t; t=$(now_ns)
  mkdir -p "$CONF_DIR" "$REGISTRY_ROOT/plain" "$REGISTRY_ROOT/auth"
  printf '%s\n' "$REGISTRY_HTPASSWD_LINE" >"$CONF_DIR/registry.htpasswd"
  cat >"$CONF_DIR/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_ROOT/plain
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YAML
  cat >"$CONF_DIR/registry-auth.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_ROOT/auth
  delete:
    enabled: true
http:
  addr: $REGISTRY_AUTH_ADDR
auth:
  htpasswd:
    realm: deploy-check-test
    path: $CONF_DIR/registry.htpasswd
YAML
  local ok=0
  start_registry "$registry_bin" registry "$REGISTRY_ADDR" "$CONF_DIR/registry.yml" 200 || ok=1
  start_registry "$registry_bin" registry-auth "$REGISTRY_AUTH_ADDR" "$CONF_DIR/registry-auth.yml" 401 || ok=1
  [ "$ok" = 0 ] || return 1
  log "registries: up in $(since "$t"): http://$REGISTRY_ADDR (no auth), http://$REGISTRY_AUTH_ADDR (basic auth $REGISTRY_USER/dcpass)"
}

# ---------------------------------------------------------------------------------------------
# Base images

image_present() { dock "$1" image inspect "$2" >/dev/null 2>&1; }

# rootfs_tarball NAME [DEBOOTSTRAP OPTIONS...]: prints the path of a cached rootfs tarball made
# by debootstrap --variant=minbase of ROOTFS_SUITE (default bookworm), making it first when
# missing. Logs go to stderr.
rootfs_tarball() {
  local name=$1; shift
  local suite=${ROOTFS_SUITE:-bookworm}
  local tarball=$CACHE_DIR/$name.tar
  if [ -s "$tarball" ]; then echo "$tarball"; return 0; fi
  if [ "$IS_ROOT" = 0 ]; then warn "debootstrap needs root; cannot make $name"; return 1; fi
  command -v debootstrap >/dev/null 2>&1 || apt_install -- debootstrap >&2 || return 1
  local t; t=$(now_ns)
  local mirror; mirror=$(debian_mirror)
  local dir; dir=$(mktemp -d "$CACHE_DIR/$name.XXXXXX")
  log "images: debootstrap $name from $mirror (cached as $tarball)" >&2
  if ! debootstrap --variant=minbase "$@" "$suite" "$dir" "$mirror" \
      >"$LOG_DIR/deploy-check-debootstrap-$name.log" 2>&1; then
    tail -n 20 "$LOG_DIR/deploy-check-debootstrap-$name.log" >&2
    rm -rf "$dir"
    warn "debootstrap $name failed"
    return 1
  fi
  # Left out of the public slim images as well: package lists and downloaded archives.
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin \
    "$dir"/var/cache/apt/archives/*.deb "$dir"/var/log/*.log
  write_apt_clean "$dir"
  tar --numeric-owner -C "$dir" \
    --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' --exclude='./run/*' \
    -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  rm -rf "$dir"
  log "images: debootstrap $name took $(since "$t") ($(du -h "$tarball" | cut -f1))" >&2
  echo "$tarball"
}

import_rootfs() { # HOST TARBALL REF CMD_JSON
  local host=$1 tarball=$2 ref=$3 cmd=$4
  dock "$host" import --change "ENV PATH=$SAFE_PATH" --change "CMD $cmd" \
    --change "LABEL $APT_CLEAN_LABEL=1" "$tarball" "$ref" >/dev/null
}

# The official Debian images carry an apt configuration that deletes downloaded packages and
# apt's binary caches after every install and update (/etc/apt/apt.conf.d/docker-clean), so a
# RUN apt-get install leaves no cache behind. The debootstrapped stand-ins carry the same.
APT_CLEAN_LABEL=dev.deploy-check.testbed.apt-clean
write_apt_clean() { # ROOTFS_DIR
  mkdir -p "$1/etc/apt/apt.conf.d"
  cat >"$1/etc/apt/apt.conf.d/docker-clean" <<'APTCLEAN'
// As in the official Debian images: no package archives or binary caches left in a layer.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APTCLEAN
}

# A rootfs tarball cached before the apt configuration was added gets it appended (tar -r).
ensure_apt_clean() { # TARBALL
  tar -tf "$1" ./etc/apt/apt.conf.d/docker-clean >/dev/null 2>&1 && return 0
  local dir; dir=$(mktemp -d)
  write_apt_clean "$dir"
  tar --numeric-owner --owner=0 --group=0 -C "$dir" -rf "$1" ./etc/apt/apt.conf.d/docker-clean
  rm -rf "$dir"
}

# An image this script imported before it carried the apt configuration (pulled images have it).
stale_import() { # HOST REF
  local comment label
  comment=$(dock "$1" image inspect -f '{{.Comment}}' "$2" 2>/dev/null) || return 1
  label=$(dock "$1" image inspect -f "{{index .Config.Labels \"$APT_CLEAN_LABEL\"}}" "$2" 2>/dev/null)
  [ "$comment" = "Imported from -" ] && [ "$label" != 1 ]
}

# On an engine that reaches Docker Hub (a GitHub runner), pulling is quicker than building.
try_pull() { # HOST REF
  timeout 120 bash -c 'dock "$@" pull -q >/dev/null 2>&1' _ "$1" "$2"
}

# A static busybox with the applets the fixtures use (Debian's busybox-static).
static_busybox() {
  local bin=/bin/busybox
  if [ -x "$bin" ] && ! ldd "$bin" >/dev/null 2>&1 \
      && "$bin" --list | grep -qx httpd && "$bin" --list | grep -qx nc; then
    echo "$bin"; return 0
  fi
  apt_install -- busybox-static >&2 || return 1
  echo "$bin"
}

busybox_tarball() {
  local tarball=$CACHE_DIR/busybox-rootfs.tar bin
  bin=$(static_busybox) || { warn "no static busybox (Debian package busybox-static)"; return 1; }
  if [ -s "$tarball" ] && [ "$tarball" -nt "$bin" ]; then echo "$tarball"; return 0; fi
  local dir; dir=$(mktemp -d)
  mkdir -p "$dir"/{bin,etc,tmp,root,home,www,proc,sys,dev,usr/bin,usr/sbin,sbin}
  chmod 1777 "$dir/tmp"
  chmod 700 "$dir/root"
  cp "$bin" "$dir/bin/busybox"
  local applet
  for applet in $("$bin" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
  done
  # For scripts with a `#!/usr/bin/env sh` line.
  ln -s ../../bin/busybox "$dir/usr/bin/env"
  cat >"$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
  cat >"$dir/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
www-data:x:33:
nogroup:x:65534:
GROUP
  tar --numeric-owner --owner=0 --group=0 -C "$dir" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  rm -rf "$dir"
  echo "$tarball"
}

MISSING_IMAGES=()

# build_base_images HOST KIND(main|classic)
build_base_images() {
  local host=$1 kind=$2 t tarball
  local label="$kind engine"

  if ! image_present "$host" debian:bookworm-slim || stale_import "$host" debian:bookworm-slim; then
    t=$(now_ns)
    if [ "$EXTERNAL_ENGINE" = 1 ] && ! image_present "$host" debian:bookworm-slim && try_pull "$host" debian:bookworm-slim; then
      log "images: pulled debian:bookworm-slim on the $label in $(since "$t")"
    elif tarball=$(rootfs_tarball bookworm-minbase) && ensure_apt_clean "$tarball"; then
      import_rootfs "$host" "$tarball" debian:bookworm-slim '["bash"]'
      log "images: debian:bookworm-slim imported on the $label in $(since "$t")"
    else
      MISSING_IMAGES+=("debian:bookworm-slim ($label)")
    fi
  fi

  if ! image_present "$host" deploy-check-test/busybox:latest; then
    t=$(now_ns)
    if tarball=$(busybox_tarball); then
      import_rootfs "$host" "$tarball" deploy-check-test/busybox:latest '["sh"]'
      log "images: deploy-check-test/busybox:latest imported on the $label in $(since "$t")"
    else
      MISSING_IMAGES+=("deploy-check-test/busybox:latest ($label)")
    fi
  fi
  if ! image_present "$host" busybox:latest && image_present "$host" deploy-check-test/busybox:latest; then
    dock "$host" tag deploy-check-test/busybox:latest busybox:latest
  fi

  if [ "$kind" = main ] && [ "${DEPLOY_CHECK_TESTBED_PYTHON:-}" = 1 ] \
      && { ! image_present "$host" python:3.12-slim || stale_import "$host" python:3.12-slim; }; then
    t=$(now_ns)
    if [ "$EXTERNAL_ENGINE" = 1 ] && ! image_present "$host" python:3.12-slim && try_pull "$host" python:3.12-slim; then
      log "images: pulled python:3.12-slim on the $label in $(since "$t")"
    elif tarball=$(rootfs_tarball bookworm-python-fastapi --include=python3-fastapi,python3-uvicorn) && ensure_apt_clean "$tarball"; then
      import_rootfs "$host" "$tarball" python:3.12-slim '["python3"]'
      log "images: python:3.12-slim stand-in imported on the $label in $(since "$t")"
    else
      MISSING_IMAGES+=("python:3.12-slim ($label)")
    fi
  fi
}

# debian:trixie-slim (debootstrap) and, on it, the pgvector/pgvector:pg17 stand-in that Compose
# examples and tests start as their database. Main engine only.
build_postgres_images() {
  local host=$1 t tarball
  [ "${DEPLOY_CHECK_TESTBED_POSTGRES:-1}" = 0 ] && return 0
  if ! image_present "$host" debian:trixie-slim; then
    t=$(now_ns)
    if [ "$EXTERNAL_ENGINE" = 1 ] && try_pull "$host" debian:trixie-slim; then
      log "images: pulled debian:trixie-slim in $(since "$t")"
    elif tarball=$(ROOTFS_SUITE=trixie rootfs_tarball trixie-minbase); then
      import_rootfs "$host" "$tarball" debian:trixie-slim '["bash"]'
      log "images: debian:trixie-slim imported in $(since "$t")"
    else
      MISSING_IMAGES+=("debian:trixie-slim")
      return 0
    fi
  fi
  if ! image_present "$host" pgvector/pgvector:pg17; then
    t=$(now_ns)
    if [ "$EXTERNAL_ENGINE" = 1 ] && try_pull "$host" pgvector/pgvector:pg17; then
      log "images: pulled pgvector/pgvector:pg17 in $(since "$t")"
    elif dock "$host" build -q -t pgvector/pgvector:pg17 "$TESTBED_FILES/pgvector" \
        >"$LOG_DIR/deploy-check-pgvector-build.log" 2>&1; then
      log "images: pgvector/pgvector:pg17 stand-in built from Debian 13 packages in $(since "$t")"
    else
      tail -n 20 "$LOG_DIR/deploy-check-pgvector-build.log" >&2
      MISSING_IMAGES+=("pgvector/pgvector:pg17")
    fi
  fi
  # The images Railway's SDK names for postgres(...) and redis(...) in .railway/railway.ts.
  build_standin "$host" ghcr.io/railwayapp-templates/postgres-ssl:18 railway-postgres
  build_standin "$host" railwayapp/redis:8.2 railway-redis
}

build_standin() { # HOST IMAGE DIR
  local host=$1 image=$2 dir=$3 t
  image_present "$host" "$image" && return 0
  t=$(now_ns)
  if [ "$EXTERNAL_ENGINE" = 1 ] && try_pull "$host" "$image"; then
    log "images: pulled $image in $(since "$t")"
  elif dock "$host" build -q -t "$image" "$TESTBED_FILES/$dir" >"$LOG_DIR/deploy-check-$dir-build.log" 2>&1; then
    log "images: $image stand-in built from Debian 13 packages in $(since "$t")"
  else
    tail -n 20 "$LOG_DIR/deploy-check-$dir-build.log" >&2
    MISSING_IMAGES+=("$image")
  fi
}

# ---------------------------------------------------------------------------------------------

uses_containerd_store() { # HOST
  dock "$1" info --format '{{json .DriverStatus}}' 2>/dev/null | grep -q 'io.containerd.snapshotter'
}

# The classic-store engine: ours, or (next to an engine we did not start) an existing one.
# Returns 0 when DOCKER_HOST=$CLASSIC_HOST answers.
setup_classic_engine() {
  local wanted=${DEPLOY_CHECK_CLASSIC_ENGINE:-}
  [ "$wanted" = 0 ] && return 1
  if [ "$EXTERNAL_ENGINE" = 0 ] || [ "$wanted" = 1 ]; then
    [ "$IS_ROOT" = 1 ] && start_classic_engine && return 0
    return 1
  fi
  engine_answers "$CLASSIC_HOST" && return 0
  # An engine we did not start that has the classic store itself (GitHub's runners) is what
  # the classic-store tests want: make it reachable under the classic engine's address.
  if [ "$IS_ROOT" = 1 ] && [ -z "$MAIN_HOST" ] && [ -S "$MAIN_SOCK" ] && [ ! -e "$CLASSIC_SOCK" ] \
      && ! uses_containerd_store ""; then
    ln -s "$MAIN_SOCK" "$CLASSIC_SOCK"
    log "classic engine: the existing engine uses the classic store; $CLASSIC_SOCK points to it"
    return 0
  fi
  return 1
}

main() {
  mkdir -p "$STATE_DIR" "$CACHE_DIR"
  EXTERNAL_ENGINE=0
  local ours=0
  if pid_alive "$MAIN_PIDFILE" && [ -s "$STATE_DIR/dockerd.pid" ] \
      && [ "$(cat "$STATE_DIR/dockerd.pid")" = "$(cat "$MAIN_PIDFILE")" ]; then
    ours=1
  fi

  if [ -z "${DEPLOY_CHECK_TESTBED_FORCE:-}" ] && [ "$ours" = 0 ] && engine_answers "$MAIN_HOST"; then
    log "engine: docker info answers; using that engine as it is (DEPLOY_CHECK_TESTBED_FORCE=1 sets up our own)"
    EXTERNAL_ENGINE=1
    docker buildx version >/dev/null 2>&1 || warn "docker buildx is not available"
  elif [ -z "${DEPLOY_CHECK_TESTBED_FORCE:-}" ] && [ "$ours" = 1 ] \
      && engine_answers "unix://$MAIN_SOCK"; then
    MAIN_HOST=unix://$MAIN_SOCK
    log "engine: running (pid $(cat "$MAIN_PIDFILE"))"
    ensure_buildx_plugin
  else
    [ "$IS_ROOT" = 1 ] || die "no Docker engine answers, and starting one needs root (or passwordless sudo)"
    install_engine_packages
    ensure_buildx_plugin
    start_main_engine
  fi

  local classic_ok=0
  if setup_classic_engine; then
    classic_ok=1
  elif [ "${DEPLOY_CHECK_CLASSIC_ENGINE:-}" != 0 ]; then
    log "classic engine: NOT available; tests of the classic image store will be skipped"
  fi

  if [ "${DEPLOY_CHECK_TESTBED_REGISTRY:-1}" != 0 ]; then
    start_registries || warn "local registries are not available"
  fi

  ensure_compose || warn "Compose is not available; the Compose tests will fail"
  build_base_images "$MAIN_HOST" main
  build_postgres_images "$MAIN_HOST"
  if [ "$classic_ok" = 1 ]; then
    build_base_images "$CLASSIC_HOST" classic
  fi

  log "main engine:    ${MAIN_HOST:-default context} ($(engine_summary "$MAIN_HOST"))"
  if [ "$classic_ok" = 1 ]; then
    log "classic engine: DOCKER_HOST=$CLASSIC_HOST ($(engine_summary "$CLASSIC_HOST"))"
  fi
  if [ ${#MISSING_IMAGES[@]} -gt 0 ]; then
    warn "base images missing: ${MISSING_IMAGES[*]}"
  fi
  log "ready in $(since "$SCRIPT_START")"
}

main "$@"
