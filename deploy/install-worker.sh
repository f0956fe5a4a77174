#!/usr/bin/env bash
# Installs a zisk worker on this machine (Debian, as root):
#   - the zisk-worker binary from a build tree into /usr/local/bin,
#   - a `zisk` system user, /var/lib/zisk-worker/inputs (the inputs folder),
#   - /etc/zisk/worker.toml (from deploy/config/worker.prod.toml) with inputs_folder set to it,
#   - the systemd unit (not started: edit the coordinator URL first, then
#     `systemctl enable --now zisk-worker`).
# Options: --build DIR (default build), --coordinator-url URL, --with-snark PATH (records the
# SNARK proving key folder for PLONK; this build refuses --plonk, so it is kept for later).
# --root DIR installs under DIR instead of / (staging, tests; no user is created then).
# An existing /etc/zisk/worker.toml is kept (a .new copy is written beside it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build="$here/../build"
url=""
snark=""
root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --coordinator-url) url=$2; shift 2 ;;
    --with-snark) snark=$2; shift 2 ;;
    --root) root=${2%/}; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install-worker: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$root" ] || [ "$(id -u)" = 0 ] || { echo "install-worker: run as root (or use --root DIR)" >&2; exit 1; }
bin="$build/bin/zisk-worker"
[ -x "$bin" ] || { echo "install-worker: $bin not found: build first (bash scripts/test.sh or cmake --build build)" >&2; exit 1; }
if [ -n "$snark" ] && [ ! -d "$snark" ]; then
  echo "install-worker: --with-snark '$snark' is not a folder" >&2; exit 1
fi

install -D -m 0755 "$bin" "$root/usr/local/bin/zisk-worker"
owner=()
if [ -z "$root" ]; then
  id zisk >/dev/null 2>&1 || useradd --system --home /var/lib/zisk-worker --shell /usr/sbin/nologin zisk
  owner=(-o zisk -g zisk)
fi
install -d "${owner[@]}" -m 0750 "$root/var/lib/zisk-worker" "$root/var/lib/zisk-worker/inputs"
install -d -m 0755 "$root/etc/zisk"

cfg=$(mktemp)
trap 'rm -f "$cfg"' EXIT
sed -e 's|^inputs_folder = .*|inputs_folder = "/var/lib/zisk-worker/inputs"|' "$here/config/worker.prod.toml" > "$cfg"
if [ -n "$url" ]; then sed -i "s|^url = .*|url = \"$url\"|" "$cfg"; fi
if [ -n "$snark" ]; then printf '\n# SNARK proving key (for --plonk, not supported by this build yet)\n# proving_key_snark = "%s"\n' "$snark" >> "$cfg"; fi
if [ -e "$root/etc/zisk/worker.toml" ]; then
  install -m 0644 "$cfg" "$root/etc/zisk/worker.toml.new"
  echo "install-worker: kept $root/etc/zisk/worker.toml; the new default is $root/etc/zisk/worker.toml.new"
else
  install -m 0644 "$cfg" "$root/etc/zisk/worker.toml"
fi
install -D -m 0644 "$here/systemd/zisk-worker.service" "$root/etc/systemd/system/zisk-worker.service"
if [ -z "$root" ] && command -v systemctl >/dev/null; then systemctl daemon-reload 2>/dev/null || true; fi
echo "install-worker: done. Check $root/etc/zisk/worker.toml, then: systemctl enable --now zisk-worker"
