#!/bin/sh
# Rebuilds server/web/static/vendor/chart.min.js: Chart.js with only the controllers the
# console's reports use (bar and line), which is smaller than the full UMD build and keeps
# the pages' JavaScript within its budget. Needs npm; run from anywhere.
# Built with chart.js 4.6.2 and esbuild 0.25.12.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/entry.js" "$work/"
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund chart.js@4.6.2 esbuild@0.25.12
npx esbuild entry.js --bundle --minify --format=iife --target=es2020 --legal-comments=none \
  --banner:js="/*! Chart.js 4.6.2 (bar and line only), MIT, see chart.LICENSE */" \
  --outfile="$here/../../../server/web/static/vendor/chart.min.js"
# chart.LICENSE (Chart.js and the bundled @kurkle/color licences) is kept by hand.
