#!/usr/bin/env bash
# Fuzzes the spec reader under AFL++ for a bounded time and turns every crash into a regression input.
#   tests/Svsm.Bindings.Fuzz/run-afl.sh [SECONDS]      (default 600)
# Installs what it needs when missing: AFL++ (Debian package afl++) and the SharpFuzz instrumenter (a local
# dotnet tool, .config/dotnet-tools.json). Findings go to .fuzz/ (ignored by git); crashes are copied to
# tests/Svsm.Bindings.Spec.Tests/Fuzz/Regressions/, which FuzzRegressionTests replays.
set -euo pipefail
seconds="${1:-600}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
work="$root/.fuzz"
out="$work/bin"
regressions="$root/tests/Svsm.Bindings.Spec.Tests/Fuzz/Regressions"

if ! command -v afl-fuzz >/dev/null; then
  echo "Installing AFL++ (afl++)..."
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq afl++ >/dev/null; else sudo apt-get update -qq && sudo apt-get install -y -qq afl++ >/dev/null; fi
fi
dotnet tool restore >/dev/null

rm -rf "$out"
dotnet publish tests/Svsm.Bindings.Fuzz -c Release -o "$out" -nologo -clp:ErrorsOnly
# Instrument the code under test: our reader and the Markdown library it drives.
for dll in Svsm.Bindings.Spec.dll Markdig.dll; do
  dotnet sharpfuzz "$out/$dll"
done

corpus="$work/corpus"
rm -rf "$corpus"
mkdir -p "$corpus"
n=0
for spec in specs/*.md docs/spec-format.md tests/Svsm.Bindings.Spec.Tests/TestSpecs/*.md tests/Svsm.Bindings.Tests/TestSpecs/*.md; do
  cp "$spec" "$corpus/spec-$n.md"; n=$((n + 1))
done
# Small inputs cover more per execution: each table of the seed on its own.
awk 'BEGIN{n=0} /^\|/{buf=buf $0 "\n"; next} {if (buf != "") {f=sprintf("'"$corpus"'/table-%02d.md", n++); printf "### Registers\n\n%s", buf > f; close(f); buf=""}}' specs/ocp.md
if [ -d "$regressions" ]; then cp "$regressions"/* "$corpus"/ 2>/dev/null || true; fi

findings="$work/findings"
rm -rf "$findings"
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_AUTORESUME=0
echo "Fuzzing for $seconds s..."
# Bounded twice over: afl-fuzz stops itself after -V seconds, timeout kills it if it does not, and its log is
# capped so that a fuzzer that prints without end cannot fill the disk.
timeout -s KILL "$((seconds + 120))" \
  afl-fuzz -i "$corpus" -o "$findings" -V "$seconds" -t 10000 -m none -x "$root/tests/Svsm.Bindings.Fuzz/spec.dict" \
  -- dotnet "$out/Svsm.Bindings.Fuzz.dll" 2>&1 | head -c 5000000 > "$work/afl.log" || true
tail -n 5 "$work/afl.log"

stats="$findings/default/fuzzer_stats"
if [ -f "$stats" ]; then
  grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg|stability) ' "$stats"
fi

mkdir -p "$regressions"
crashes=0
for crash in "$findings"/default/crashes/id:*; do
  [ -e "$crash" ] || continue
  name="crash-$(sha1sum "$crash" | cut -c1-12).md"
  cp "$crash" "$regressions/$name"
  crashes=$((crashes + 1))
done
echo "$crashes crash(es) copied to $regressions"
