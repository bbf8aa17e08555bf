#!/usr/bin/env python3
"""The benchmark checks (accounts.tableschema.json) done with polars, for comparison.

Usage: polars_check.py FILE.csv  -> prints the number of invalid rows per rule.
required: Account Name, Contact Email, Status; email pattern; Status enum;
Renewal Date optional ISO date. Plus the near-duplicate check Finishline does (company names
lower-cased, punctuation and legal suffixes removed) so the work is comparable.
"""
import sys

import polars as pl

STATUSES = ["Active", "Trial", "Churned", "Suspended", "Pending"]
EMAIL = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
SUFFIX = r"\s+(inc|incorporated|llc|ltd|limited|corp|corporation|co|company|gmbh|sa|s a|plc)$"


def main():
    df = pl.read_csv(sys.argv[1], infer_schema_length=0).fill_null("")
    name, email, status, renewal = (pl.col(c) for c in ["Account Name", "Contact Email", "Status", "Renewal Date"])
    key = (name.str.to_lowercase().str.replace_all(r"[^\w\s]", " ").str.replace_all(r"\s+", " ")
           .str.strip_chars().str.replace(SUFFIX, "").str.replace(SUFFIX, ""))
    out = df.select(
        (name == "").sum().alias("missing_name"),
        (email == "").sum().alias("missing_email"),
        ((email != "") & ~email.str.contains(EMAIL)).sum().alias("bad_email"),
        (status == "").sum().alias("missing_status"),
        ((status != "") & ~status.is_in(STATUSES)).sum().alias("unknown_status"),
        ((renewal != "") & renewal.str.strptime(pl.Date, "%Y-%m-%d", strict=False).is_null()).sum().alias("bad_renewal_date"),
        ((name != "") & key.is_duplicated() & ~key.is_first_distinct()).sum().alias("near_dup"),
    )
    print(out)


if __name__ == "__main__":
    main()
