#!/usr/bin/env bash
# Builds the services' base image from Debian's packages (debootstrap, then `podman import`), since no
# container registry may be reachable. Prints the image's name. An image built from the same inputs
# (suite, packages, mirror, this script) is reused, so only the first `make images` pays for it.
#
# usage: deploy/images/base-image.sh ENGINE        (ENGINE: podman or docker)
# Environment: DEBIAN_MIRROR (default: the first mirror apt uses here, else deb.debian.org)
set -euo pipefail

engine=${1:?usage: base-image.sh ENGINE}
suite=bookworm
packages=python3,python3-venv,ca-certificates

apt_mirror() {
  local uri
  uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  [[ -n $uri ]] || uri=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
  echo "${uri:-http://deb.debian.org/debian}"
}
mirror=${DEBIAN_MIRROR:-$(apt_mirror)}
inputs=$(printf '%s\n' "$suite" "$packages" "$mirror" | cat - "${BASH_SOURCE[0]}" | sha256sum | cut -c1-12)
image=localhost/ibermuseos/base:$suite-$inputs

if "$engine" image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "base-image: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
root=$(mktemp -d /var/tmp/ibermuseos-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "base-image: debootstrap $suite from $mirror (about a minute)" >&2
debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$root.log" 2>&1 ||
  { tail -20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
# What an image does not need: package caches and lists, documentation, man pages, translations.
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
  "$root"/usr/share/info/* "$root"/var/log/*
find "$root"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
tar -C "$root" -c . | "$engine" import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/sh"]' - "$image" >/dev/null
echo "$image"
