#!/usr/bin/env bash
# Runs every suite (typecheck, lint, unit, integration) even when one fails, then prints one line:
# "N passed, N failed" over all of them, and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
out=$(mktemp -d)
passed=0
failed=0

check() { # name, command...
  local name=$1; shift
  echo "=== $name" >&2
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name" >&2; fi
}

vitest_suite() { # project
  local project=$1
  echo "=== vitest $project" >&2
  vitest run --project "$project" --reporter=default --reporter=json --outputFile="$out/$project.json"
  local rc=$?
  if [[ -f "$out/$project.json" ]]; then
    read -r p f < <(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const failedSuites = r.testResults.filter((t) => t.status === "failed" && t.assertionResults.length === 0).length;
      console.log(r.numPassedTests, r.numFailedTests + failedSuites);' "$out/$project.json")
    passed=$((passed + p)); failed=$((failed + f))
    if [[ $rc -ne 0 && $f -eq 0 ]]; then failed=$((failed + 1)); fi
  else
    failed=$((failed + 1))
  fi
}

check typecheck npm run --silent typecheck
check eslint npx eslint .
check prettier npx prettier --check .
vitest_suite unit
vitest_suite int
rm -rf "$out"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
