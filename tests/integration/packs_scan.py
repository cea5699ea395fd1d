#!/usr/bin/env python3
"""Disclosure scan of generated packs and sub-national CSVs (used by packs_disclosure.sh).

Usage: packs_scan.py DATA_DIR RESULTS_DIR
  DATA_DIR     the CSV extracts the store was ingested from (synthetic)
  RESULTS_DIR  holds JOB/results.h5, JOB/*.csv and packs/packs/*.html

Checks, and exits 1 listing every failure:
  1. no person, referral, contact or spell identifier of the input (Person_ID, PathwayID,
     UniqServReqID, CareContactId, UniqCareContID, UniqHospProvSpellID) appears as a token in
     any pack page or any CSV of the results;
  2. in every sub-national table (results.h5 groups ending provider, icb or region, and the
     packs' funnel tables), each integer column whose unit names a count (not a target) holds only
     empty cells or values of at least 5 that are multiples of 5;
  3. every count a pack page marks as sub-national (<span class="count">) is at least 5 and a
     multiple of 5.
Only the Python standard library and the h5dump tool are used.
"""
import csv
import glob
import os
import re
import subprocess
import sys

ID_COLUMNS = {"Person_ID", "PathwayID", "UniqServReqID", "CareContactId", "UniqCareContID", "UniqHospProvSpellID"}
NOT_COUNTS = {"", "%", "percent", "per cent", "score points", "days", "years", "months", "weeks", "hours", "minutes",
              "£", "GBP", "pounds", "ratio", "rate", "index", "points",
              # counts of services, not of people or records (IPS teams by fidelity band)
              "teams", "organisations", "providers", "services"}
TOKEN = re.compile(r"[A-Za-z0-9]+")

data_dir, results_dir = sys.argv[1], sys.argv[2]
failures = []

ids = set()
for path in glob.glob(os.path.join(data_dir, "*.csv")):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        cols = [i for i, h in enumerate(header) if h in ID_COLUMNS]
        if not cols:
            continue
        for row in reader:
            for i in cols:
                if i < len(row) and row[i]:
                    ids.add(row[i])
if len(ids) < 1000:
    failures.append(f"only {len(ids)} identifiers read from {data_dir}: the scan would prove nothing")

outputs = sorted(glob.glob(os.path.join(results_dir, "*", "*.csv")) +
                 glob.glob(os.path.join(results_dir, "packs", "packs", "*.html")))
pages = [p for p in outputs if p.endswith(".html")]
if len(pages) < 10:
    failures.append(f"only {len(pages)} pack pages found")
for path in outputs:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    leaked = ids.intersection(TOKEN.findall(text))
    if leaked:
        failures.append(f"{path}: identifiers from the input: {sorted(leaked)[:5]}")
    if path.endswith(".html"):
        for value in re.findall(r'<span class="count">([^<]*)</span>', text):
            v = int(value.replace(",", ""))
            if v < 5 or v % 5:
                failures.append(f"{path}: sub-national count {value} is not disclosure controlled")


def count_columns(h5file):
    """{group: {column: unit}} of the integer columns of every table group in a results.h5."""
    dump = subprocess.run(["h5dump", "-A", h5file], check=True, capture_output=True, text=True).stdout
    tables, group, dataset, dtype, unit_block, stack = {}, None, None, None, False, []
    for line in dump.splitlines():
        s = line.strip()
        m = re.match(r'GROUP "(.*)" \{', s)
        if m:
            # h5dump nests groups by name, three spaces per level under the file's line.
            depth = (len(line) - len(line.lstrip())) // 3
            stack = stack[:depth - 1] + [m.group(1)]
            group = "/" + "/".join(x for x in stack if x != "/")
            continue
        m = re.match(r'DATASET "(.*)" \{', s)
        if m:
            dataset, dtype, unit_block = m.group(1), None, False
            continue
        m = re.match(r"DATATYPE\s+(\S+)", s)
        if m and dataset and dtype is None:
            dtype = m.group(1)
            continue
        if s.startswith('ATTRIBUTE "unit"'):
            unit_block = True
            continue
        m = re.match(r'\(0\): "(.*)"', s)
        if m and dataset and unit_block:
            unit_block = False
            if dtype and dtype.startswith("H5T_STD_I"):
                tables.setdefault(group, {})[dataset] = m.group(1)
    return tables


csv_checked = 0
for h5 in sorted(glob.glob(os.path.join(results_dir, "*", "results.h5"))):
    job_dir = os.path.dirname(h5)
    for group, cols in count_columns(h5).items():
        last = group.rsplit("/", 1)[-1]  # /tt/provider or /mhnrg/units_provider
        if not any(last == lv or last.endswith("_" + lv) for lv in ("provider", "icb", "region")):
            continue
        name = group.strip("/").replace("/", "_")
        path = os.path.join(job_dir, name + ".csv")
        if not os.path.exists(path):
            failures.append(f"{path}: missing CSV mirror of {group}")
            continue
        # Targets (IPS access targets) are published planning figures, not counts of records.
        counts = [c for c, unit in cols.items() if unit not in NOT_COUNTS and "target" not in c]
        with open(path, newline="", encoding="utf-8") as f:
            for n, row in enumerate(csv.DictReader(f), start=2):
                for c in counts:
                    v = row.get(c, "")
                    if v == "":
                        continue
                    if int(v) < 5 or int(v) % 5:
                        failures.append(f"{path}: row {n}, column {c}: count {v} is not disclosure controlled")
        csv_checked += 1
if csv_checked < 4:
    failures.append(f"only {csv_checked} sub-national CSVs checked")

for f in failures[:50]:
    print("FAIL:", f)
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print(f"OK: {len(ids)} identifiers, {len(outputs)} files ({len(pages)} pack pages), {csv_checked} sub-national tables: "
      "no identifier, every sub-national count disclosure controlled")
