#!/usr/bin/env python3
"""Turn run.sh's measurements into the "Data engine" section of bench/RESULTS.md."""
import json
import os
import platform
import statistics
import sys
from collections import OrderedDict

results, score_path, rows, mb, out, have_qsv = sys.argv[1:7]


def secs(t):
    parts = [float(p) for p in t.split(":")]
    s = 0.0
    for p in parts:
        s = s * 60 + p
    return s


runs = OrderedDict()
for line in open(results):
    name, wall, rss = line.rstrip("\n").split("\t")
    runs.setdefault(name, []).append((secs(wall), int(rss)))
med = {n: (statistics.median(w for w, _ in v), max(r for _, r in v) / 1024) for n, v in runs.items()}
check = med.get("finishline check", (float("nan"), 0))[0]
lines = ["<!-- data-engine:start -->", "## Data engine", "",
         f"`bench/data/run.sh {rows}`: {int(rows):,} rows ({mb} MB) from `gen_accounts.py --seed 7`, "
         f"{os.cpu_count()} cores, {platform.platform()}. Wall time is the median of 3 whole-process runs; "
         "memory is the largest peak RSS of the 3. Ratio = tool time / `finishline data check` time.", "",
         "| tool | wall (s) | peak RSS (MB) | ratio to finishline check |", "| --- | ---: | ---: | ---: |"]
for n, (w, r) in med.items():
    lines.append(f"| {n} | {w:.2f} | {r:.0f} | {w / check:.1f}× |")
if have_qsv != "yes":
    lines.append(f"| qsv validate (README figure, **not same run**) | 1.80 | 267 | {1.8 / check:.1f}× |")
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
