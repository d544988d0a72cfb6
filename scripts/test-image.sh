#!/usr/bin/env bash
# Builds the Dockerfile's CPU image with podman, starts it with a 1-CPU quota (it must run one
# model worker), waits until it is ready, labels reports through it (gRPC with the image's own
# CLI, and HTTP/JSON), checks /metrics, stops it (SIGTERM: it must drain and exit 0) and checks
# the image's size. Part of scripts/test.sh (CI).
#
# Runs as root (or through sudo for the packages). No Docker daemon is needed: Debian's podman
# builds and runs the image, with runc (crun refuses hybrid cgroups) and no default ulimits
# (podman's exceed some hosts' hard limits). Where no image registry is reachable, the base
# images debian:12 and debian:12-slim are made with debootstrap from the Debian mirror apt
# already uses; images already present are kept.
#   scripts/test-image.sh [--keep]      # --keep: leave radlabel:cpu in podman's storage
set -euo pipefail
cd "$(dirname "$0")/.."
image=localhost/radlabel:cpu
# The image's stated size limit (README "Limits"): the server, the CLI, the default model and the
# libraries they load, on debian:12-slim.
max_image_bytes=$((700 * 1000 * 1000))
keep=0
[ "${1:-}" = "--keep" ] && keep=1

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
for p in podman runc debootstrap uidmap slirp4netns fuse-overlayfs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

work=$(mktemp -d)
container=""
cleanup() {
  [ -z "$container" ] || podman rm -f "$container" > /dev/null 2>&1 || true
  [ $keep -eq 1 ] || podman rmi -f "$image" > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
printf '[containers]\ndefault_ulimits = []\n' > "$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"
podman() { command podman --runtime runc "$@"; }

# Base images: debian:12 for the build stage, and a debian:12-slim trimmed as Docker Hub's is
# (no documentation, manual pages, locales or apt lists) for the runtime stage.
if ! podman image exists localhost/debian:12; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "test-image: making debian:12 with debootstrap from $mirror"
  debootstrap --variant=minbase bookworm "$work/root" "$mirror" > "$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; exit 1; }
  tar -C "$work/root" -c . | podman import -q - localhost/debian:12 > /dev/null
  rm -rf "$work/root"/usr/share/doc/* "$work/root"/usr/share/man/* "$work/root"/usr/share/info/* \
         "$work/root"/usr/share/locale/* "$work/root"/var/lib/apt/lists/* "$work/root"/var/cache/apt/*
  tar -C "$work/root" -c . | podman import -q - localhost/debian:12-slim > /dev/null
  rm -rf "$work/root"
fi

echo "test-image: building $image"
start=$(date +%s)
podman build --network=host --pull=never -t "$image" . > "$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log"; exit 1; }
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "test-image: built in $(( $(date +%s) - start )) s; size $((size / 1000000)) MB"

# Ephemeral ports: the server binds port 0 and prints what it got; host networking keeps every
# connection on loopback. One CPU's quota: the server must run one model worker.
podman run -d --network=host --cpus=1 --name "radlabel-test-$$" \
  -e FLAGS_listen=127.0.0.1:0 -e FLAGS_http_listen=127.0.0.1:0 -e FLAGS_metrics_listen=127.0.0.1:0 \
  "$image" > "$work/container"
container=$(cat "$work/container")
if ! timeout 120 grep -q -m1 'listening on' <(podman logs -f "$container" 2>&1); then
  podman logs "$container" 2>&1 | tail -20
  echo "test-image: the server did not start within 120 s" >&2
  exit 1
fi
log=$(podman logs "$container" 2>&1)
target=$(sed -n 's/.* listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' <<< "$log")
http=$(sed -n 's|.*HTTP API on http://\(127\.0\.0\.1:[0-9]*\)/v1/label.*|\1|p' <<< "$log")
metrics=$(sed -n 's|.*metrics on http://\(127\.0\.0\.1:[0-9]*\)/metrics.*|\1|p' <<< "$log")
[ -n "$target" ] && [ -n "$http" ] && [ -n "$metrics" ] ||
  { echo "$log"; echo "test-image: cannot read the server's addresses from its log" >&2; exit 1; }

grep -q 'model workers 1,' <<< "$log" ||
  { echo "$log"; echo "test-image: a 1-CPU quota did not give 1 model worker" >&2; exit 1; }
curl -fsS "http://$http/readyz" | grep -q SERVING

# gRPC, with the image's CLI: each report's expected decision for one label.
cat > "$work/reports.csv" <<'CSV'
id,text
normal,MRI head: the brain parenchyma is normal. No acute infarct. Ventricles are normal in size.
mass,There is a large enhancing mass in the left frontal lobe with surrounding vasogenic oedema and midline shift.
stroke,Acute infarct in the left MCA territory with restricted diffusion on DWI.
CSV
podman exec -i "$container" radlabel label - --output=- --target "$target" --progress=false \
  < "$work/reports.csv" > "$work/labels.csv"
python3 - "$work/labels.csv" <<'PY'
import csv, sys
rows = {row["id"]: row for row in csv.DictReader(open(sys.argv[1]))}
# Decisions in the CheXpert convention: 1 positive, 0 negative.
expected = {"normal": ("abnormal", "0"), "mass": ("mass", "1"), "stroke": ("acute_stroke", "1")}
for report, (label, decision) in expected.items():
    row = rows[report]
    assert row["status"] == "OK", row
    assert row[label] == decision, f"{report}: {label} is {row[label]}, expected {decision}"
print(f"test-image: gRPC labelled {len(rows)} reports as expected")
PY

# HTTP/JSON, from the host.
curl -fsS "http://$http/v1/label" -H 'Content-Type: application/json' \
  -d '{"reports": [{"id": "mass", "text": "There is a mass in the fourth ventricle."}]}' \
  > "$work/label.json"
python3 - "$work/label.json" <<'PY'
import json, sys
(result,) = json.load(open(sys.argv[1]))["results"]
decisions = {label["name"]: label["decision"] for label in result["labels"]}
assert result["status"]["code"] == 0 and decisions["abnormal"] == "positive", result
print("test-image: HTTP labelled 1 report as expected")
PY

curl -fsS "http://$metrics/metrics" > "$work/metrics"
grep -q '^radlabel_reports_total' "$work/metrics" && grep -q '^radlabel_build_info' "$work/metrics" ||
  { echo "test-image: /metrics lacks radlabel_reports_total or radlabel_build_info" >&2; exit 1; }

podman stop --time 60 "$container" > /dev/null
code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
[ "$code" -eq 0 ] || { podman logs "$container" 2>&1 | tail; echo "test-image: exit code $code" >&2; exit 1; }
podman logs "$container" 2>&1 | grep -q 'radlabel-server: stopped' ||
  { echo "test-image: the server did not drain and stop on SIGTERM" >&2; exit 1; }

if [ "$size" -gt "$max_image_bytes" ]; then
  echo "test-image: the image is $((size / 1000000)) MB, above the stated $((max_image_bytes / 1000000)) MB" >&2
  exit 1
fi
echo "test-image: passed (image $((size / 1000000)) MB)"
