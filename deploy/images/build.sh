#!/usr/bin/env bash
# Builds the four services' images: with Docker when an engine answers, else with rootful podman
# (installed from Debian's packages if missing). Builds use the host's network, never a bridge.
#
# usage: deploy/images/build.sh [SERVICE...]      (default: all four)
# Environment: IMAGE_TAG (default: local), IMAGE_REPOSITORY (default: ibermuseos), CONTAINER_ENGINE
# (docker or podman, to choose), BASE_IMAGE (skip the Debian-built base and use this one),
# IMAGE_CONTEXT (build from this copy of the repository instead of this checkout).
# Prints nothing but progress; the images are <IMAGE_REPOSITORY>/<service>:<IMAGE_TAG>.
set -euo pipefail

scripts=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
cd "${IMAGE_CONTEXT:-$scripts/../..}"
services=("$@")
[[ ${#services[@]} -gt 0 ]] || services=(applications courses notifications reporting)
tag=${IMAGE_TAG:-local}
repository=${IMAGE_REPOSITORY:-ibermuseos}

engine=${CONTAINER_ENGINE:-}
if [[ -z $engine ]]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then engine=docker; else engine=podman; fi
fi
if [[ $engine == podman ]]; then
  bash "$scripts/podman-setup.sh"
fi

build_args=()
if [[ -n ${BASE_IMAGE:-} ]]; then
  build_args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
elif [[ $engine == podman ]]; then
  build_args+=(--build-arg "BASE_IMAGE=$(bash "$scripts/base-image.sh" podman)")
fi
# An intercepting proxy's CA (if the host has one) reaches pip and uv as a build secret, never a layer.
ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
[[ -s $ca ]] && build_args+=(--secret "id=ca,src=$ca")
[[ $engine == podman ]] && build_args+=(--format docker --layers)
[[ $engine == docker ]] && export DOCKER_BUILDKIT=1

# What an image is made of: if an image of that name already carries the same digest of its inputs,
# it is kept as it is (an engine's layer cache alone still takes seconds per image to check).
inputs_of() {
  {
    printf '%s\n' "$1" "${build_args[@]}"
    find deploy/images/service.Dockerfile deploy/images/entrypoint.sh .dockerignore pyproject.toml uv.lock \
      shared "services/$1" services/*/pyproject.toml \
      -type f ! -path '*/tests/*' ! -path '*/__pycache__/*' ! -path '*/devtools/*' -print0 |
      sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-16
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for service in "${services[@]}"; do
  name=$repository/$service:$tag
  inputs=$(inputs_of "$service")
  if [[ $("$engine" image inspect --format '{{ index .Config.Labels "org.ibermuseos.inputs" }}' "$name" 2>/dev/null) == "$inputs" ]]; then
    echo "images: $name is up to date"
    continue
  fi
  echo "images: building $name ($engine)"
  if ! "$engine" build --network=host -f deploy/images/service.Dockerfile --label "org.ibermuseos.inputs=$inputs" \
    --build-arg "SERVICE=$service" "${build_args[@]}" -t "$name" . >"$log" 2>&1; then
    tail -40 "$log" >&2
    exit 1
  fi
done
