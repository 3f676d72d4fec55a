#!/usr/bin/env bash
# Runs every BenchmarkDotNet benchmark and rewrites the README's table of figures from their output: each row is a
# benchmark's mean against its baseline measured in the same run (bench/Svsm.Bindings.Benchmarks/FiguresTable.cs),
# so no figure in the README is typed by hand.
#   scripts/bench.sh            all benchmarks; the README's table is rewritten
#   scripts/bench.sh FILTER     only those matching FILTER ('*Generator*'); the table is printed, the README left alone
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
filter="${1:-*}"

# The vTPM benchmarks run a real software TPM (Debian: swtpm, swtpm-tools), as the tests do.
if ! command -v swtpm >/dev/null; then
  echo "Installing swtpm swtpm-tools for the vTPM benchmarks..."
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null && $sudo_cmd apt-get install -y -qq swtpm swtpm-tools >/dev/null
fi

out="$root/artifacts/bench"
rm -rf "$out"
mkdir -p "$out"
table="$out/figures.md"
status=0
SVSM_BENCH_TABLE="$table" dotnet run -c Release --project bench/Svsm.Bindings.Benchmarks -- \
  --filter "$filter" --artifacts "$out/BenchmarkDotNet" || status=$?
if [ ! -s "$table" ]; then
  echo "The benchmarks wrote no figures (exit $status); the README is left as it was."
  exit 1
fi

cores=$(nproc)
stamp="Measured by \`scripts/bench.sh\` on $(date -u +%Y-%m-%d) at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- runtime generator specs bench || echo ' with local changes'), $cores cores, $(dotnet --version) SDK."
cat "$table"
echo "$stamp"
if [ "$filter" != "*" ]; then
  exit "$status"
fi

# Replace what stands between the README's markers with the new table.
begin='<!-- figures: written by scripts/bench.sh; do not edit by hand -->'
end='<!-- /figures -->'
grep -qF "$begin" README.md && grep -qF "$end" README.md || { echo "README.md lacks the figures markers"; exit 1; }
awk -v begin="$begin" -v end="$end" -v table="$table" -v stamp="$stamp" '
  $0 == begin { print; while ((getline line < table) > 0) print line; print ""; print stamp; skipping = 1; next }
  $0 == end { skipping = 0 }
  !skipping { print }
' README.md > "$out/README.md"
mv "$out/README.md" README.md
echo "README.md: figures rewritten."
exit "$status"
