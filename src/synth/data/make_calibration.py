#!/usr/bin/env python3
"""Derives the generator's calibration tables from the published NHS Talking Therapies figures.

Usage: make_calibration.py REFERENCE_DIR  (the folder holding nhstt_key_measures_*.csv and
nhstt_activity_annual_*.csv). Writes iapt_calibration.csv and iapt_activity.csv beside this script.
Source: NHS England via the nhstt R package; Open Government Licence v3.0.
"""
import csv, os, sys

ref = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
# Published breakdown -> generator category (src/synth/iapt.cpp keeps the same keys).
CATS = {
    ("Total", "Total"): "total",
    ("NULL", "Depression"): "depression",
    ("Generalised anxiety disorder", None): "gad",
    ("Agoraphobia", None): "agoraphobia",
    ("Social phobias", None): "social",
    ("Specific (isolated) phobias", None): "specific",
    ("Panic disorder [episodic paroxysmal anxiety]", None): "panic",
    ("Mixed anxiety and depressive disorder", None): "mixed",
    ("Obsessive-compulsive disorder", None): "ocd",
    ("Post-traumatic stress disorder", None): "ptsd",
    ("Hypochondriacal disorders", None): "health",
    ("Other anxiety or stress related disorder", None): "other_anxiety",
    ("Body dysmorphic disorder", None): "bdd",
    ("Chronic fatigue syndrome", None): "mus",
    ("Irritable bowel syndrome", None): "mus",
    ("MUS not otherwise specified", None): "mus",
    ("Other", "Other Mental Health problems"): "other_mh",
    ("NULL", "Other recorded problems"): "other_recorded",
    ("Not stated/Not known/Invalid", None): "not_stated",
}
FIELDS = ["referrals_received", "finished_course_treatment", "not_at_caseness", "recovery",
          "reliable_recovery", "reliable_improvement", "reliable_deterioration"]
providers = set()
with open(os.path.join(here, "iapt_providers.csv")) as f:
    rows = [l for l in f if not l.startswith("#")]
    for r in csv.DictReader(rows):
        providers.add(r["org_code"])

out = {}
with open(os.path.join(ref, "nhstt_key_measures_2022-23_2023-24.csv")) as f:
    for r in csv.DictReader(f):
        if r["org_type"] not in ("England", "Provider"):
            continue
        org = "ENG" if r["org_type"] == "England" else r["org_code"]
        if org != "ENG" and org not in providers:
            continue
        cat = CATS.get((r["breakdown"], r["breakdown_group"])) or CATS.get((r["breakdown"], None))
        if not cat:
            continue
        key = (r["financial_year"], org, cat)
        vals = []
        for fld in FIELDS:
            v = r[fld]
            vals.append(None if v in ("", "*", "NULL") else int(float(v)))
        if key in out:  # merged categories (MUS) and repeated provider rows: add what is published
            old = out[key]
            out[key] = [None if a is None and b is None else (a or 0) + (b or 0) for a, b in zip(old, vals)] \
                if cat == "mus" else old
        else:
            out[key] = vals
with open(os.path.join(here, "iapt_calibration.csv"), "w", newline="") as f:
    f.write("# Derived by make_calibration.py from NHS England's published NHS Talking Therapies annual key\n"
            "# measures (via the nhstt R package). Open Government Licence v3.0. Provider counts rounded to 5;\n"
            "# empty = suppressed or not published. Provider rows carry counts only.\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["year", "org", "category"] + FIELDS)
    for (y, org, cat), vals in sorted(out.items(), key=lambda kv: (kv[0][0], kv[0][1] != "ENG", kv[0][1], kv[0][2])):
        if org != "ENG":
            vals = vals[:2] + [None] * 5
            if vals[0] is None and vals[1] is None:
                continue
        w.writerow([y, org, cat] + ["" if v is None else v for v in vals])

with open(os.path.join(ref, "nhstt_activity_annual_2022-23_2023-24.csv")) as f, \
        open(os.path.join(here, "iapt_activity.csv"), "w", newline="") as g:
    g.write("# England rows of NHS England's published NHS Talking Therapies monthly activity statistics summed to\n"
            "# financial years (via the nhstt R package). Open Government Licence v3.0.\n")
    rd = csv.reader(f)
    w = csv.writer(g, lineterminator="\n")
    head = next(rd)
    w.writerow(head)
    for r in rd:
        if r[1] == "England":
            w.writerow(r)
