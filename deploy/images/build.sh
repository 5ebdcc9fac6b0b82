#!/usr/bin/env bash
# Builds the four services' images: with Docker when an engine answers, else with rootful podman
# (installed from Debian's packages if missing). Builds use the host's network, never a bridge.
#
# usage: deploy/images/build.sh [SERVICE...]      (default: all four)
# Environment: IMAGE_TAG (default: local), IMAGE_REPOSITORY (default: ibermuseos), CONTAINER_ENGINE
# (docker or podman, to choose), BASE_IMAGE (skip the Debian-built base and use this one).
# Prints nothing but progress; the images are <IMAGE_REPOSITORY>/<service>:<IMAGE_TAG>.
set -euo pipefail

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$repo_root"
services=("$@")
[[ ${#services[@]} -gt 0 ]] || services=(applications courses notifications reporting)
tag=${IMAGE_TAG:-local}
repository=${IMAGE_REPOSITORY:-ibermuseos}

engine=${CONTAINER_ENGINE:-}
if [[ -z $engine ]]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then engine=docker; else engine=podman; fi
fi
if [[ $engine == podman ]]; then
  bash deploy/images/podman-setup.sh
fi

build_args=()
if [[ -n ${BASE_IMAGE:-} ]]; then
  build_args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
elif [[ $engine == podman ]]; then
  build_args+=(--build-arg "BASE_IMAGE=$(bash deploy/images/base-image.sh podman)")
fi
# An intercepting proxy's CA (if the host has one) reaches pip and uv as a build secret, never a layer.
ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
[[ -s $ca ]] && build_args+=(--secret "id=ca,src=$ca")
[[ $engine == podman ]] && build_args+=(--format docker --layers)
[[ $engine == docker ]] && export DOCKER_BUILDKIT=1

for service in "${services[@]}"; do
  echo "images: $repository/$service:$tag ($engine)"
  "$engine" build --network=host --quiet -f deploy/images/service.Dockerfile \
    --build-arg "SERVICE=$service" "${build_args[@]}" -t "$repository/$service:$tag" . >/dev/null
done
