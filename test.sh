#!/usr/bin/env bash
# Runs Zsad's whole test suite against the real peers it is proven with.
# On a fresh Debian machine, as root, it installs the peers first; it never skips a missing one.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages of the peers the interop tests run (dcmtk, dicom3tools, Orthanc, pydicom, nibabel and sklearn
# under /usr/bin/python3, dcm2niix, and the real brain MRI of mricron-data), and iproute2 for the private network.
# OHIF's viewer tests add Orthanc's DICOMweb plugin and Debian's Chromium (driven by playwright-core from viewer/).
PEER_PACKAGES=(dcmtk dicom3tools orthanc orthanc-dicomweb python3-pydicom python3-nibabel python3-numpy python3-sklearn
  dcm2niix mricron-data iproute2 util-linux chromium rabbitmq-server python3-torch python3-onnx libopenblas0-pthread)
REQUIRED_PROGRAMS=(dcmdump dcmconv dcmcrle dump2dcm img2dcm storescu storescp echoscu dciodvfy dcm2niix Orthanc unshare ip
  node npm chromium rabbitmq-server rabbitmqctl epmd)

missing_packages=()
for p in "${PEER_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_packages+=("$p")
done
if ((${#missing_packages[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing peers: ${missing_packages[*]}"
    apt-get update -qq
    # Services installed here (Orthanc) must not start on every interface: tests start their own, privately.
    policy_added=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
    if ((policy_added)); then rm -f /usr/sbin/policy-rc.d; fi
  else
    echo "missing peer packages: ${missing_packages[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
fi
for prog in "${REQUIRED_PROGRAMS[@]}"; do
  command -v "$prog" >/dev/null || { echo "required peer program '$prog' is missing" >&2; exit 1; }
done
/usr/bin/python3 -c "import pydicom, nibabel, numpy, sklearn, torch, onnx" || { echo "pydicom/nibabel/numpy/sklearn/torch/onnx missing under /usr/bin/python3" >&2; exit 1; }

[[ -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ]] || { echo "Orthanc DICOMweb plugin missing (apt-get install orthanc-dicomweb)" >&2; exit 1; }

# Restore and build with the network (npm too: the viewer tests need OHIF's dist and playwright-core); then run every test inside a private network namespace, where peers such
# as Orthanc (which cannot bind to loopback only) and every test server are reachable only on 127.0.0.1.
if ! (cd viewer && npm ci --no-audit --no-fund) || ! dotnet build Zsad.sln --nologo -v q; then
  echo "0 passed, 1 failed"
  exit 1
fi
log=$(mktemp)
set +e
# Inside the namespace: RabbitMQ on loopback for the bus tests (they read ZSAD_RABBITMQ), then every test.
unshare --net -- bash -c '
  ip link set lo up
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  rabbitmq-server -detached
  for _ in $(seq 1 90); do (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break; sleep 1; done
  rabbitmqctl await_startup --timeout 60 >/dev/null || echo "rabbitmq-server did not start: the RabbitMQ tests will fail" >&2
  export ZSAD_RABBITMQ=amqp://guest:guest@127.0.0.1:5672/
  dotnet test Zsad.sln --no-build --nologo; rc=$?
  rabbitmqctl shutdown --timeout 60 >/dev/null 2>&1 || rabbitmqctl stop >/dev/null 2>&1
  epmd -kill >/dev/null 2>&1
  exit $rc' 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary per test assembly; add them up into the one line CI reads.
summaries=$(grep -E '^(Passed|Failed)! +- ' "$log" || true)
passed=$(grep -oE 'Passed: +[0-9]+' <<<"$summaries" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' <<<"$summaries" | awk '{s+=$2} END {print s+0}')
assemblies=$(grep -cE '^(Passed|Failed)! ' "$log" || true)
rm -f "$log"
if [[ $status -ne 0 && $failed -eq 0 ]]; then
  failed=1 # the build or the test host failed before any test could report
fi
echo "test assemblies: $assemblies"
echo "$passed passed, $failed failed"
exit "$status"
