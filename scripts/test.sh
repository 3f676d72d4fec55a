#!/usr/bin/env bash
# Builds the solution, runs every test project, and ends with one line "N passed, N failed" (after a line "N skipped")
# summed over all test assemblies (from their xunit XML reports). Exit status 0 only when nothing failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

# The layout tests compile the real kernel headers with gcc (Debian: gcc, linux-libc-dev); the vTPM tests start
# a real software TPM, swtpm, on sockets of their own (Debian: swtpm, swtpm-tools), and drive the vTPM through the
# SVSM with tpm2-tools over the mssim TCTI (Debian: tpm2-tools, libtss2-tcti-mssim0).
missing=""
if ! command -v gcc >/dev/null || [ ! -f /usr/include/linux/sev-guest.h ]; then missing="gcc libc6-dev linux-libc-dev"; fi
if ! command -v swtpm >/dev/null; then missing="$missing swtpm swtpm-tools"; fi
if ! command -v tpm2_createprimary >/dev/null || ! ls /usr/lib/*/libtss2-tcti-mssim.so.0 >/dev/null 2>&1; then missing="$missing tpm2-tools libtss2-tcti-mssim0"; fi
if [ -n "$missing" ]; then
  echo "Installing $missing for the C layout and vTPM tests..."
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null && $sudo_cmd apt-get install -y -qq $missing >/dev/null
fi

if ! dotnet build Bindings.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "The build failed; no test ran."
  echo "0 passed, 1 failed"
  exit 1
fi

# Each test assembly runs as its own process, all at once as `dotnet test` runs them, but with a report named for
# it: reports named by their start time alone can collide when two assemblies start together, and one is lost.
projects=$(dotnet sln Bindings.sln list | grep 'tests/.*Tests\.csproj$' | xargs -n1 basename | sed 's/\.csproj$//')
status=0
pids=()
for name in $projects; do
  dotnet "tests/$name/bin/Release/net10.0/$name.dll" --results-directory "$results" --report-xunit-xml \
    --report-xunit-xml-filename "$name.xunit.xml" --no-ansi --no-progress > "$results/$name.log" 2>&1 &
  pids+=($!)
done
i=0
for name in $projects; do
  # A passing assembly shows its summary; a failing one all it wrote, failures and all.
  if wait "${pids[$i]}"; then
    grep -vE '^\s*$' "$results/$name.log" | tail -n 6
  else
    status=1
    cat "$results/$name.log"
  fi
  i=$((i + 1))
done

sum() { # sum an attribute of every <assembly> element in the reports
  cat "$results"/*.xml 2>/dev/null | grep -o "<assembly [^>]*" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}'
}
passed=$(sum passed)
failed=$(( $(sum failed) + $(sum errors) ))
skipped=$(sum skipped)
assemblies=$(cat "$results"/*.xml 2>/dev/null | grep -o "<assembly " | wc -l)
expected=$(echo "$projects" | wc -w)
if [ "$assemblies" -lt "$expected" ]; then
  echo "Only $assemblies of $expected test assemblies reported results (one crashed or did not run)."
  failed=$(( failed + expected - assemblies ))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
