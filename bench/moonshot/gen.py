#!/usr/bin/env python3
"""A customer's export for the demo's Harbor & Pine data map (crates/cli/demo/policyholders.map.json),
with about 5 % messy rows of every kind that map can flag, and a truth file saying what was
planted where (issue 14's moonshot benchmark; bench/moonshot/README.md).

    python3 bench/moonshot/gen.py 100000 /tmp/moonshot.csv --seed 14

writes /tmp/moonshot.csv and /tmp/moonshot.truth.json. Deterministic for a seed (no packages).

The map: Account Name (required, normalised as a company, the duplicate key), Contact Email
(required, pattern name@domain.tld), Country (required, normalised as a country), Plan (required,
one of Starter, Team, Enterprise). It has no date field, so no ambiguous dates are planted.

Each messy row carries exactly one planted problem, so every flag has one known cause. Rows are
numbered as the product numbers them: the header is row 1, the first record row 2.
"""
import argparse
import csv
import json
import os
import random
import sys

# Three word lists whose product gives more than 100,000 distinct company names. No word is a
# legal suffix the company key strips (co, company, inc, ...) nor "and", so every triple has
# its own key and a clean file has no duplicates at all.
FIRST = """Harbor Pine Blue North Silver Golden Red Green Iron Cedar Maple Oak Willow River Lake Stone
Summit Valley Coastal Prairie Granite Copper Amber Crystal Eagle Falcon Hawk Fox Bear Wolf Lion
Orchid Sunrise Sunset Polar Arctic Desert Canyon Meadow Harvest Beacon Anchor Compass Lantern
Bridge Tower Castle Crown""".split()
SECOND = """Ridge Field Brook Creek Point Bay Grove Park Hill Haven Gate Port Crest Hollow Vale
Shore Rock Wood Dale Mill Spring Forge Works Street Square Market Garden Hall Lane Terrace Heights
Landing Crossing Junction Station Harbour Island Glen Moor Fen Marsh Cliff Dune Peak Mesa Bluff
Trail Row""".split()
THIRD = """Insurance Logistics Dental Bakery Brewing Builders Consulting Design Electric Energy
Engineering Farms Foods Freight Furniture Health Hotels Imports Labs Legal Media Medical Metals
Motors Nursery Optics Outfitters Packaging Partners Pharmacy Plumbing Printing Realty Robotics
Roofing Security Software Solar Studios Supply Systems Textiles Tools Travel Ventures Vision
Wellness Wines""".split()
SUFFIXES = ["", "", "", "Inc.", "LLC", "Ltd", "GmbH", "Corp.", "S.A.", "Pty Ltd", "B.V."]

# Countries as customers write them: codes and names the country normaliser knows.
COUNTRIES = ["US", "US", "US", "United States", "USA", "GB", "United Kingdom", "UK", "DE",
             "Germany", "FR", "France", "CA", "Canada", "AU", "Australia", "NL", "Netherlands",
             "ES", "Spain", "IT", "BR", "Brazil", "Brasil", "MX", "JP", "IE", "SE", "CH", "NZ"]
PLANS = ["Starter"] * 5 + ["Team"] * 4 + ["Enterprise"] * 2
PROVIDERS = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com"]
LOCALS = ["ops", "admin", "billing", "it", "office", "accounts", "info", "hello", "renewals",
          "finance", "contact", "team"]

# The messy kinds, with their share of the messy rows (they sum to 1).
KINDS = [
    # Fails the pattern and the product suggests the fix ("ana@gmail" -> "ana@gmail.com").
    ("email_typo_suggested", 0.16),
    # A common typo that is still a valid address ("gmial.com", "hotmial.com", "yahoo.con"):
    # the map's pattern accepts it, so it is expected NOT to be flagged (the checker reports it).
    ("email_typo_valid", 0.03),
    # Not an address at all ("bob@", "bob at acme dot com"): nothing to suggest.
    ("email_hopeless", 0.12),
    ("missing_name", 0.07),
    ("missing_country", 0.07),
    ("unknown_plan", 0.24),
    ("unknown_country", 0.12),
    ("near_duplicate", 0.19),
]

# A few distinct unknown values, each repeated many times, with what the person means.
PLAN_TYPOS = [("Entreprise", "Enterprise"), ("team plan", "Team"), ("Startr", "Starter")]
COUNTRY_TYPOS = [("Untied States", "US"), ("Germny", "DE")]
# Typos of providers that fail the pattern: the product suggests "<local>@<provider>.com".
SUGGESTED_DOMAINS = [("gmail", "gmail.com"), ("hotmail", "hotmail.com"), ("yahoo", "yahoo.com"),
                     ("outlook.", "outlook.com")]
VALID_TYPOS = [("gmial.com", "gmail.com"), ("hotmial.com", "hotmail.com"), ("yahoo.con", "yahoo.com")]


def hopeless_email(rng, local, slug):
    return rng.choice([
        f"{local}@",
        f"{local} at {slug} dot com",
        f"{local}@@{slug}.example",
        "n/a",
        f"{local}.{slug}.example",
        "-",
    ])


def variant(name, rng):
    """The same company written differently: case, punctuation, spacing, legal suffix."""
    base = name
    for s in SUFFIXES:
        if s and base.endswith(" " + s):
            base = base[: -len(s) - 1]
            break
    choices = [
        lambda b: b.upper() + " inc",
        lambda b: b.lower() + ", Inc.",
        lambda b: "  " + b + "  LLC",
        lambda b: b.replace(" ", "  ") + " Ltd.",
        lambda b: b.upper(),
        lambda b: b + " Corp",
        lambda b: b + " GmbH",
    ]
    v = rng.choice(choices)(base)
    return v if v != name else base.upper() + " INC"


def generate(rows, seed, messy_share=0.05):
    rng = random.Random(seed)
    triples = [(a, b, c) for a in FIRST for b in SECOND for c in THIRD]
    if rows > len(triples):
        sys.exit(f"at most {len(triples)} rows")
    rng.shuffle(triples)
    n_messy = round(rows * messy_share)
    # How many of each kind (the largest remainders get the rest).
    counts = {k: int(n_messy * s) for k, s in KINDS}
    rest = n_messy - sum(counts.values())
    for k, _ in sorted(KINDS, key=lambda x: -(n_messy * x[1] % 1))[:rest]:
        counts[k] += 1
    # Messy rows are spread over the file; near-duplicates copy a clean row earlier in the file,
    # so their positions are drawn from the second half onwards.
    positions = list(range(rows))
    messy_at = rng.sample(positions[rows // 20:], n_messy)
    kinds = [k for k, _ in KINDS for _ in range(counts[k])]
    rng.shuffle(kinds)
    plan_of = dict(zip(messy_at, kinds))

    out, truth = [], []
    clean_rows = []  # indexes of clean rows so far (a near-duplicate copies one of them)
    for i in range(rows):
        a, b, c = triples[i]
        name = f"{a} {b} {c}"
        suffix = rng.choice(SUFFIXES)
        if suffix:
            name += " " + suffix
        slug = f"{a}{b}{c}".lower()
        local = rng.choice(LOCALS)
        if rng.random() < 0.15:
            email = f"{slug}.{local}@{rng.choice(PROVIDERS)}"
        else:
            email = f"{local}@{slug}.example"
        country = rng.choice(COUNTRIES)
        plan = rng.choice(PLANS)
        kind = plan_of.get(i)
        row_no = i + 2
        t = None
        if kind == "email_typo_suggested":
            typo, meant = rng.choice(SUGGESTED_DOMAINS)
            user = f"{slug}.{local}"
            email = f"{user}@{typo}"
            t = {"rule": "pattern", "field": "contact_email", "value": email,
                 "expect": "suggest", "fixed": f"{user}@{meant}"}
        elif kind == "email_typo_valid":
            typo, meant = rng.choice(VALID_TYPOS)
            user = f"{slug}.{local}"
            email = f"{user}@{typo}"
            # A valid address, so the pattern passes; the email normaliser flags it for review.
            t = {"rule": "email-typo", "field": "contact_email", "value": email,
                 "expect": "suggest", "fixed": f"{user}@{meant}"}
        elif kind == "email_hopeless":
            email = hopeless_email(rng, local, slug)
            t = {"rule": "pattern", "field": "contact_email", "value": email, "expect": "exclude"}
        elif kind == "missing_name":
            name = ""  # (a name of only spaces is not flagged as missing: see the README)
            t = {"rule": "required", "field": "account_name", "value": name, "expect": "exclude"}
        elif kind == "missing_country":
            country = ""
            t = {"rule": "required", "field": "country", "value": "", "expect": "exclude"}
        elif kind == "unknown_plan":
            typo, meant = rng.choice(PLAN_TYPOS)
            plan = typo
            t = {"rule": "enum", "field": "plan", "value": typo, "expect": "set", "fixed": meant}
        elif kind == "unknown_country":
            typo, meant = rng.choice(COUNTRY_TYPOS)
            country = typo
            t = {"rule": "country-unrecognised", "field": "country", "value": typo,
                 "expect": "set", "fixed": meant}
        elif kind == "near_duplicate":
            j = rng.choice(clean_rows)
            orig = out[j]
            name = variant(orig[0], rng)
            # The same customer exported twice: sometimes another contact or plan.
            email = orig[1] if rng.random() < 0.6 else f"{rng.choice(LOCALS)}@{orig[1].split('@')[1]}"
            country, plan = orig[2], orig[3] if rng.random() < 0.8 else rng.choice(PLANS)
            t = {"rule": "duplicate-key", "field": "account_name", "value": name,
                 "expect": "merge", "of_row": j + 2, "of_value": orig[0]}
        out.append([name, email, country, plan])
        if t is None:
            clean_rows.append(i)
        else:
            t = {"row": row_no, "kind": kind, **t, "name": name, "email": email}
            truth.append(t)
    return out, truth, counts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rows", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--messy", type=float, default=0.05, help="share of messy rows (0.05)")
    a = ap.parse_args(argv)
    data, truth, counts = generate(a.rows, a.seed, a.messy)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Account Name", "Contact Email", "Country", "Plan"])
        w.writerows(data)
    truth_path = os.path.splitext(a.out)[0] + ".truth.json"
    flagged_kinds = [k for k, _ in KINDS]
    summary = {
        "file": os.path.basename(a.out),
        "rows": a.rows,
        "seed": a.seed,
        "messy_rows": len(truth),
        "by_kind": counts,
        # What a careful person decides, and what the clean export then holds.
        "expect": {
            "flagged_rows": sum(counts[k] for k in flagged_kinds),
            "excluded_rows": counts["email_hopeless"] + counts["missing_name"] + counts["missing_country"],
            "merged_rows": counts["near_duplicate"],
            "exported_rows": a.rows - counts["email_hopeless"] - counts["missing_name"]
            - counts["missing_country"] - counts["near_duplicate"],
        },
        "distinct_unknown_values": {
            "plan": {t: m for t, m in PLAN_TYPOS},
            "country": {t: m for t, m in COUNTRY_TYPOS},
        },
        "no_date_field": "the map has no date field: no ambiguous dates are planted",
        "planted": truth,
    }
    with open(truth_path, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    print(f"{a.out}: {a.rows} rows, {len(truth)} messy ({', '.join(f'{k} {v}' for k, v in counts.items())})")
    print(f"{truth_path}: what was planted where")


if __name__ == "__main__":
    main()
