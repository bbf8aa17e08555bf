#!/usr/bin/env python3
"""Turn run.sh's measurements into the "Data engine" section of bench/RESULTS.md."""
import json
import os
import platform
import statistics
import sys
from collections import OrderedDict

results, score_path, rows, mb, out, have_qsv = sys.argv[1:7]
load_start = sys.argv[7] if len(sys.argv) > 7 else "?"
load_end = sys.argv[8] if len(sys.argv) > 8 else "?"


def secs(t):
    parts = [float(p) for p in t.split(":")]
    s = 0.0
    for p in parts:
        s = s * 60 + p
    return s


runs = OrderedDict()
loads = []
for line in open(results):
    name, wall, rss, user, sys_, load = line.rstrip("\n").split("\t")
    runs.setdefault(name, []).append((secs(wall), int(rss), float(user) + float(sys_)))
    loads.append(float(load))
med = {
    n: (
        statistics.median(w for w, _, _ in v),
        statistics.median(c for _, _, c in v),
        max(r for _, r, _ in v) / 1024,
        len(v),
    )
    for n, v in runs.items()
}
check_wall, check_cpu = med.get("finishline check", (float("nan"), float("nan"), 0, 0))[:2]
n_runs = max((k for *_, k in med.values()), default=0)
lines = ["<!-- data-engine:start -->", "## Data engine", "",
         f"`bench/data/run.sh {rows}`: {int(rows):,} rows ({mb} MB) from `gen_accounts.py --seed 7`, "
         f"{os.cpu_count()} cores, {platform.platform()}. `finishline data check` and "
         f"`qsv validate` (JSON Schema) ran alternately, {n_runs} times each; the other tools after them. "
         f"Wall and CPU (user + sys, all threads) are medians of the {n_runs} whole-process runs; memory is the "
         f"largest peak RSS. Ratio = tool / `finishline data check` (higher: check is faster). "
         f"Load average (1, 5, 15 min) {load_start} at the start, {load_end} at the end; "
         f"the 1-minute load before each run went from {min(loads, default=0):.1f} to {max(loads, default=0):.1f}.", "",
         "| tool | wall (s) | CPU (s) | peak RSS (MB) | wall ratio | CPU ratio |",
         "| --- | ---: | ---: | ---: | ---: | ---: |"]
for n, (w, c, r, _) in med.items():
    lines.append(f"| {n} | {w:.2f} | {c:.2f} | {r:.0f} | {w / check_wall:.1f}× | {c / check_cpu:.1f}× |")
if have_qsv != "yes":
    lines.append(f"| qsv validate (README figure, **not same run**) | 1.80 | – | 267 | {1.8 / check_wall:.1f}× | – |")
lines.append("")
try:
    sc = json.load(open(score_path))
    lines.append("Accuracy against `.truth.csv` (`bench/data/score.py`):")
    lines.append("")
    for k, v in sc.items():
        lines.append(f"- {k}: {v['planted']} planted, {v['flagged']} flagged, precision {v['precision']}, recall {v['recall']}")
except Exception as e:  # noqa: BLE001
    lines.append(f"(no score: {e})")
lines += ["", "<!-- data-engine:end -->", ""]
section = "\n".join(lines)
text = open(out).read() if os.path.exists(out) else "# Benchmark results\n\n"
if "<!-- data-engine:start -->" in text:
    a = text.index("<!-- data-engine:start -->")
    b = text.index("<!-- data-engine:end -->") + len("<!-- data-engine:end -->\n")
    text = text[:a] + section + text[b:]
else:
    text = text.rstrip("\n") + "\n\n" + section
open(out, "w").write(text)
