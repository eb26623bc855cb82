#!/usr/bin/env bash
# Builds the sandbox's control plane into a cache directory keyed on the versions below and
# this module's go.sum. A second run with the same key does nothing. Test infrastructure only.
set -euo pipefail
cd "$(dirname "$0")"

K8S_VERSION=v1.37.2
KWOK_VERSION=v0.8.0
METRICS_SERVER_VERSION=v0.8.0

# Bump BUILD_REV when this script changes what it produces.
BUILD_REV=1
key=$( (echo "$K8S_VERSION $KWOK_VERSION $METRICS_SERVER_VERSION rev$BUILD_REV"; cat go.mod go.sum) | sha256sum | cut -c1-16)
cache_root=${VIGIL_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil/testbed}
out="$cache_root/$key"

link() { ln -sfn "$out" bin; }

if [[ -f "$out/.complete" ]]; then
  link
  echo "$out"
  exit 0
fi

mkdir -p "$out.tmp"
start=$(date +%s)
LD="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37 \
 -X k8s.io/component-base/version.gitTreeState=clean \
 -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"

echo "testbed: building kubernetes $K8S_VERSION binaries into $out" >&2
CGO_ENABLED=0 go build -trimpath -ldflags "$LD" -o "$out.tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
echo "testbed: building etcd" >&2
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3
echo "testbed: building kwok $KWOK_VERSION" >&2
CGO_ENABLED=0 GOBIN="$out.tmp" go install -trimpath \
  -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
echo "testbed: building metrics-server $METRICS_SERVER_VERSION" >&2
CGO_ENABLED=0 GOBIN="$out.tmp" go install -trimpath -ldflags "-s -w" \
  "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION"

echo "testbed: copying kwok CRDs" >&2
kwok_dir=$(cd / && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
mkdir -p "$out.tmp/kwok-crds"
cp "$kwok_dir"/kustomize/crd/bases/*.yaml "$out.tmp/kwok-crds/"
chmod -R u+w "$out.tmp/kwok-crds"

end=$(date +%s)
{
  echo "kubernetes=$K8S_VERSION kwok=$KWOK_VERSION metrics-server=$METRICS_SERVER_VERSION"
  echo "build_seconds=$((end - start))"
} > "$out.tmp/VERSIONS"
rm -rf "$out"
mv "$out.tmp" "$out"
touch "$out/.complete"
link
echo "$out"
