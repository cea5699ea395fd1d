"""Independent checker for tests/integration/dq_faults.sh (run with /usr/bin/python3).

Usage: dq_check.py OUT TRUTH_JSON

Every data-level fault the generator recorded in truth.json (data_faults_by_field: kind -> table
-> field -> count), plus the values of the same class the clean data hold on their own
(natural_by_field, same shape), must be found by `mhbench run dq` in dq_fields_national.csv
(summed over the run's years): found == injected + natural, exactly, for every field either
names. Every ingest-visible fault (tables.<table>.faults) must be in dq_quarantine.csv with
exactly its count, and the row accounting of every table must add up.
"""
import csv
import json
import sys
from collections import Counter, defaultdict

out, truth_path = sys.argv[1:3]
truth = json.load(open(truth_path))

# Fault kind -> the VODIM classes it lands in.
# default_code counts default and other together: "not known" and "other" codes (EthnicCategory
# S, ConsMechanismMH 98, team type Z01) are both written by the generator.
KINDS = {
    "missing_code": ("missing",),
    "invalid_code": ("invalid",),
    "default_code": ("default", "other"),
    "out_of_range_date": ("invalid",),
    "unpaired_score": ("invalid",),
    "attended_without_activity": ("missing",),
}
# An attended contact without activity is judged in the SNOMED CT field of its activity table.
ACTIVITY_FIELD = {"IDS201CareContact": ("IDS202CareActivity", "CodeProcAndProcStatus"),
                  "MHS201CareContact": ("MHS202CareActivity", "Procedure")}

found = defaultdict(Counter)  # (table, field) -> class -> records, all years
with open(out + "/dq_fields_national.csv", newline="") as f:
    for r in csv.DictReader(f):
        for c in ("valid", "other", "default", "invalid", "missing"):
            found[(r["table"], r["field"])][c] += int(r[c])

failures, checked = [], 0
injected = truth["data_faults_by_field"]
natural = truth["natural_by_field"]
expected = Counter()  # (kind, table, field) -> injected + natural
for source in (injected, natural):
    for kind, by_table in source.items():
        for table, by_field in by_table.items():
            for field, n in by_field.items():
                expected[(kind, table, field)] += n
for (kind, table, field), n in sorted(expected.items()):
    if kind not in KINDS:
        failures.append(f"fault kind {kind} has no data-quality class mapped in dq_check.py")
        continue
    key = ACTIVITY_FIELD.get(table) if kind == "attended_without_activity" else (table, field)
    what = f"{kind} {table}.{field}"
    if key not in found:
        failures.append(f"{what}: expected {n}, but dq reports no such field")
        continue
    got = sum(found[key][c] for c in KINDS[kind])
    checked += 1
    inj = injected.get(kind, {}).get(table, {}).get(field, 0)
    print(f"{what}: injected {inj} + natural {n - inj} = {n}; dq found {got} {'+'.join(KINDS[kind])}")
    if got != n:
        failures.append(f"{what}: expected {n} (injected {inj}), dq found {got}")

# Ingest-visible faults -> quarantine reasons.
REASON = {"orphan": "orphan", "duplicate": "duplicate", "bad_date": "unparseable", "missing_key": "missing_key"}
quarantined = Counter()
accounting = defaultdict(dict)
with open(out + "/dq_quarantine.csv", newline="") as f:
    for r in csv.DictReader(f):
        if r["kind"] == "quarantine_reason":
            quarantined[(r["table"], r["name"])] += int(r["rows"])
        else:
            accounting[r["table"]][r["name"]] = int(r["rows"])
expected_q = Counter()
for table, t in truth["tables"].items():
    for fault, n in t.get("faults", {}).items():
        if fault not in REASON:
            failures.append(f"ingest fault {fault} has no quarantine reason mapped in dq_check.py")
            continue
        expected_q[(table, REASON[fault])] += n
for key in set(expected_q) | set(quarantined):
    if expected_q[key] != quarantined[key]:
        failures.append(f"quarantine {key[0]} {key[1]}: truth {expected_q[key]}, dq_quarantine {quarantined[key]}")
    checked += 1
for table, a in accounting.items():
    if a["read"] != a["stored"] + a["quarantined"] + a["superseded"]:
        failures.append(f"accounting of {table} does not add up: {a}")

for f in failures:
    print("FAIL:", f)
if checked == 0:
    print("FAIL: nothing was checked (no faults recorded?)")
    sys.exit(1)
print(f"{checked} checks, {len(failures)} failures")
sys.exit(1 if failures else 0)
