#!/usr/bin/env bash
# Installs the Debian packages that the integration tests need, as root, with apt-get -y.
# Idempotent: packages already installed are skipped, and with nothing missing it does nothing at all
# (no apt-get update). Add a package to PACKAGES with a comment naming the test that needs it.
#
# Not here on purpose: Debian's "loki" package is "MCMC linkage analysis on general pedigrees" (a genetics
# program), not Grafana Loki. src/loki/loki.int.test.ts detects that and skips; it runs when a Grafana
# Loki binary is on PATH or in $VIGIL_LOKI_BIN.
set -euo pipefail

PACKAGES=(
  prometheus-alertmanager # src/alert/alertmanager.int.test.ts: a real Alertmanager (v2 API, webhook receiver)
  prometheus # src/metrics/prometheus.int.test.ts: a real Prometheus that Vigil's history client queries
)

missing=()
for p in "${PACKAGES[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "ci-apt: nothing to install" >&2
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "ci-apt: run as root to install: ${missing[*]}" >&2
  exit 1
fi
echo "ci-apt: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
