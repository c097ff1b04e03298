#!/usr/bin/python3
"""Drives bench/run-pipeline.sh: RUNS fresh MR series, one at a time, into a running `zsad serve`; after each, reads
the per-stage durations from its /metrics (the growth of zsad_stage_duration_seconds_sum since the previous series)
and checks the SEG is in Orthanc. Prints a markdown table: median seconds per stage over the runs."""
import os
import statistics
import subprocess
import sys
import time
import urllib.request
import json

metrics_url, orthanc_url, port, work = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
runs, slices, size = int(os.environ.get("RUNS", "5")), int(os.environ.get("SLICES", "155")), int(os.environ.get("SIZE", "240"))
here = os.path.dirname(os.path.abspath(__file__))

# The way of one series, in order (docs/benchmarks.md explains each stage).
STAGES = [
    ("series_close", "last instance received -> series closed (includes the configured quiet time)"),
    ("volume_build", "series closed -> volume in the blob store, VolumeReady in the outbox"),
    ("volume_publish", "outbox -> published on the bus"),
    ("inference_wait", "volume built -> inference starts (publish + bus delivery)"),
    ("inference", "volume read, detector, map"),
    ("map_store", "map written to the blob store (.nii.gz), result marker"),
    ("report_wait", "map published -> reporter starts"),
    ("report_load", "map read (and written to the report), source instances read"),
    ("seg_build", "SEG + summary SR built and written"),
    ("seg_export", "SEG + SR stored in Orthanc (C-STORE)"),
]


def sums():
    text = urllib.request.urlopen(metrics_url, timeout=10).read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("zsad_stage_duration_seconds_sum{"):
            stage = line.split('"')[1]
            out[stage] = float(line.rsplit(" ", 1)[1])
    return out


def count(stage):
    text = urllib.request.urlopen(metrics_url, timeout=10).read().decode()
    key = 'zsad_stage_duration_seconds_count{stage="%s"} ' % stage
    return next((int(l[len(key):]) for l in text.splitlines() if l.startswith(key)), 0)


def orthanc_segs():
    series = json.load(urllib.request.urlopen(orthanc_url + "/series?expand", timeout=10))
    return sum(1 for s in series if s["MainDicomTags"].get("Modality") == "SEG")


per_stage = {s: [] for s, _ in STAGES}
outside = []
before = sums()
for run in range(1, runs + 1):
    series_dir = os.path.join(work, f"series-{run}")
    subprocess.run(["/usr/bin/python3", os.path.join(here, "make_mr_series.py"), series_dir, str(slices), str(size)], check=True)
    subprocess.run(["storescu", "-aec", "ZSAD", "+sd", "+r", "127.0.0.1", port, series_dir], check=True, env={**os.environ, "TCP_NODELAY": "1"})
    sent = time.monotonic()  # storescu has the last C-STORE-RSP: the last instance is durably received
    deadline = sent + 600
    while count("seg_export") < run:
        if time.monotonic() > deadline:
            sys.exit(f"series {run}: no SEG exported within 600 s")
        time.sleep(0.05)
    outside.append(time.monotonic() - sent)
    after = sums()
    for stage, _ in STAGES:
        per_stage[stage].append(after.get(stage, 0.0) - before.get(stage, 0.0))
    before = after

segs = orthanc_segs()
if segs != runs:
    sys.exit(f"Orthanc holds {segs} SEG series after {runs} series (expected exactly one each)")

print(f"| stage | median s ({runs} series of {slices} slices {size}x{size}) | min s | max s |")
print("|---|---|---|---|")
for stage, what in STAGES:
    v = per_stage[stage]
    print(f"| {stage}: {what} | {statistics.median(v):.3f} | {min(v):.3f} | {max(v):.3f} |")
print(f"| sum of the stages | {statistics.median([sum(per_stage[s][i] for s, _ in STAGES) for i in range(runs)]):.3f} | | |")
print(f"| seen from outside: storescu done -> SEG stored (polled every 50 ms) | {statistics.median(outside):.3f} | {min(outside):.3f} | {max(outside):.3f} |")
