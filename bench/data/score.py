#!/usr/bin/env python3
"""Score `finishline data check --json` output against gen_accounts.py's OUT.truth.csv.

Usage: score.py REPORT.json TRUTH.csv

A row counts as flagged "bad" when it has an issue of severity `error`; as flagged "near_dup"
when it has a `duplicate-key` issue. Review issues the map asks for (blank renewal dates,
`blankMeans: needs-review`) are by design and not scored. Prints precision/recall per class
and exits 1 when either is below 1.0.
"""
import csv
import json
import sys


def main():
    report_path, truth_path = sys.argv[1], sys.argv[2]
    with open(report_path, encoding="utf-8") as f:
        data = json.load(f)
    issues = data["issues"]
    flagged_bad, flagged_dup = set(), set()
    for i in issues:
        if i["row"] < 2:
            continue
        data_row = i["row"] - 1  # spreadsheet row (header = 1) -> 1-based data row
        if i["severity"] == "error":
            flagged_bad.add(data_row)
        if i["rule"] == "duplicate-key":
            flagged_dup.add(data_row)
    truth_bad, truth_dup = set(), set()
    with open(truth_path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            (truth_dup if r["kind"] == "near_dup" else truth_bad).add(int(r["row"]))
    ok = True
    out = {}
    for name, flagged, truth in (("bad", flagged_bad, truth_bad), ("near_dup", flagged_dup, truth_dup)):
        tp = len(flagged & truth)
        precision = tp / len(flagged) if flagged else 1.0
        recall = tp / len(truth) if truth else 1.0
        out[name] = {"planted": len(truth), "flagged": len(flagged), "true_positives": tp,
                     "precision": round(precision, 6), "recall": round(recall, 6),
                     "missed_examples": sorted(truth - flagged)[:5],
                     "false_alarm_examples": sorted(flagged - truth)[:5]}
        ok &= precision == 1.0 and recall == 1.0
    print(json.dumps(out, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
