#!/usr/bin/env bash
# Fetches the dashboard's third-party files from npm at the pinned versions below, copies them
# unedited with their licences into the dashboard's vendor/ folder and writes VENDOR.md (package,
# version, licence, tarball integrity and sha256 of every file). Run it to upgrade: change a
# version, run `make dashboard-vendor`, look at the page, commit. Nothing runs it at test or run time.
set -euo pipefail

D3=7.9.2
TOPOJSON_CLIENT=3.1.0
WORLD_ATLAS=2.0.2

here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/../src/ibermuseos_reporting/entrypoints/dashboard/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# npm pack checks each tarball against the registry's integrity hash.
(cd "$work" && npm pack --silent "d3@$D3" "topojson-client@$TOPOJSON_CLIENT" "world-atlas@$WORLD_ATLAS" >/dev/null)

rm -rf "$vendor"
mkdir -p "$vendor"
{
    echo "# Vendored files of the dashboard"
    echo
    echo "Copied unedited from the npm packages below by \`services/reporting/devtools/vendor-dashboard.sh\`"
    echo "(\`make dashboard-vendor\`), which also wrote this file; served by the service itself (no CDN)."
    echo "\`tests/unit/test_dashboard_assets.py\` checks every file against the sha256 written here."
    echo
    echo "| file | package | version | licence | sha256 |"
    echo "| --- | --- | --- | --- | --- |"
} >"$vendor/VENDOR.md"
tarballs=""

take() { # package version file-in-package name-in-vendor
    local package=$1 version=$2 source=$3 target=$4
    local unpacked="$work/$package"
    if [[ ! -d "$unpacked" ]]; then
        mkdir -p "$unpacked"
        tar -xzf "$work/$package-$version.tgz" -C "$unpacked"
        tarballs+="| \`$package-$version.tgz\` | $(cd "$unpacked" && node -p "require('./package/package.json').license") | $(node -e "process.stdout.write(require('crypto').createHash('sha512').update(require('fs').readFileSync('$work/$package-$version.tgz')).digest('base64'))" | sed 's/^/sha512-/') | $(sha256sum "$work/$package-$version.tgz" | cut -d' ' -f1) |"$'\n'
    fi
    cp "$unpacked/package/$source" "$vendor/$target"
    local licence
    licence=$(node -p "require('$unpacked/package/package.json').license")
    echo "| \`$target\` | $package | $version | $licence | \`$(sha256sum "$vendor/$target" | cut -d' ' -f1)\` |" >>"$vendor/VENDOR.md"
}

take d3 "$D3" dist/d3.min.js d3.min.js
take d3 "$D3" LICENSE d3.LICENSE
take topojson-client "$TOPOJSON_CLIENT" dist/topojson-client.min.js topojson-client.min.js
take topojson-client "$TOPOJSON_CLIENT" LICENSE topojson-client.LICENSE
take world-atlas "$WORLD_ATLAS" countries-50m.json countries-50m.json
take world-atlas "$WORLD_ATLAS" LICENSE world-atlas.LICENSE

{
    echo
    echo "The map's geometry is Natural Earth's 1:50m Admin 0 countries (public domain), as TopoJSON by"
    echo "world-atlas; features are keyed by ISO 3166-1 numeric code. The tarballs as fetched:"
    echo
    echo "| tarball | licence | npm integrity | sha256 |"
    echo "| --- | --- | --- | --- |"
    printf '%s' "$tarballs"
} >>"$vendor/VENDOR.md"
echo "vendored into $vendor"
