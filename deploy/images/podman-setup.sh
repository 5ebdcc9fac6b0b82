#!/usr/bin/env bash
# Rootful podman from Debian's packages, set up for machines like ours: the host's network
# namespace by default (a bridge network is never used), cgroupfs, runc, and an open-files limit
# the default could not raise. Safe to run again: it installs and writes only what is missing.
set -euo pipefail

needed=()
for tool in podman buildah runc debootstrap; do command -v "$tool" >/dev/null || needed+=("$tool"); done
if [[ ${#needed[@]} -gt 0 ]]; then
  echo "podman-setup: installing ${needed[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends podman buildah runc debootstrap >/dev/null
fi

conf=/etc/containers/containers.conf
if ! grep -qs '^# ibermuseos' "$conf"; then
  mkdir -p /etc/containers
  cat >"$conf" <<'CONF'
# ibermuseos: written by deploy/images/podman-setup.sh
[containers]
netns = "host"
cgroupns = "host"
default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
fi
