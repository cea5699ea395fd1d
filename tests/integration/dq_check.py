"""Independent checker for tests/integration/dq_faults.sh (run with /usr/bin/python3).

Usage: dq_check.py OUT CLEAN_OUT TRUTH_JSON

Every data-level fault the generator recorded in truth.json (data_faults: kind -> table -> count,
or kind -> table -> field -> count) must be found by `mhbench run dq` in dq_fields_national.csv
(summed over the run's years) with exactly the recorded count, when the same generator at data
fault rate 0 (CLEAN_OUT) produces none of that class in those fields. Where the clean data have
some too, the class count must be at least the recorded count (reported as a note). Every
ingest-visible fault (tables.<table>.faults) must be in dq_quarantine.csv with exactly its count.
"""
import csv
import json
import sys
from collections import Counter, defaultdict

out, clean_out, truth_path = sys.argv[1:4]
truth = json.load(open(truth_path))

# Fault kind -> (VODIM class, which fields of the table it can touch).
# default_code counts default and other together: the generator injects "not known" values and
# one of them (ConsMechanismMH 98) is "Other" in the NHS code list dq follows.
KINDS = {
    "missing_code": (("missing",), "code"),
    "invalid_code": (("invalid",), "code"),
    "default_code": (("default", "other"), "code"),
    "out_of_range_date": (("invalid",), "date"),
    "unpaired_score": (("invalid",), "code"),
    "attended_without_activity": (("missing",), "activity"),
}
# An attended contact without activity is judged in the SNOMED CT field of its activity table.
ACTIVITY_FIELD = {"IDS201CareContact": ("IDS202CareActivity", "CodeProcAndProcStatus"),
                  "MHS201CareContact": ("MHS202CareActivity", "Procedure")}



def field_counts(directory):
    counts = defaultdict(Counter)  # (table, field) -> class -> records, all years
    with open(directory + "/dq_fields_national.csv", newline="") as f:
        for r in csv.DictReader(f):
            for c in ("valid", "other", "default", "invalid", "missing"):
                counts[(r["table"], r["field"])][c] += int(r[c])
    return counts


found, clean = field_counts(out), field_counts(clean_out)
failures, notes, checked = [], [], 0


def fields_of(counts, table, kind_fields, field=None):
    if kind_fields == "activity":
        return [ACTIVITY_FIELD[table]] if ACTIVITY_FIELD.get(table) in counts else []
    keys = [k for k in counts if k[0] == table]
    if field is not None:
        return [k for k in keys if k[1] == field]
    is_date = lambda name: name.endswith("Date")
    return [k for k in keys if is_date(k[1]) == (kind_fields == "date")]


by_field = truth.get("data_faults_by_field")
for kind, by_table in (by_field if by_field is not None else truth.get("data_faults", {})).items():
    if kind not in KINDS:
        failures.append(f"fault kind {kind} has no data-quality class mapped in dq_check.py")
        continue
    classes, kind_fields = KINDS[kind]
    for table, value in by_table.items():
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for field, recorded in items:
            keys = fields_of(found, table, kind_fields, field)
            what = f"{kind} {table}{'.' + field if field else ''}"
            if not keys:
                failures.append(f"{what}: recorded {recorded}, but dq reports no such field")
                continue
            if kind_fields == "activity":
                field = None  # recorded on the contact's attendance code; judged on its activities
            n = sum(found[k][c] for k in keys for c in classes)
            n_clean = sum(clean[k][c] for k in keys for c in classes)
            cls = "+".join(classes)
            checked += 1
            if n_clean == 0:
                if n != recorded:
                    failures.append(f"{what}: recorded {recorded}, dq found {n} {cls}")
            elif n < recorded:
                failures.append(f"{what}: recorded {recorded}, dq found only {n} {cls}")
            else:
                notes.append(f"{what}: recorded {recorded}, dq found {n} {cls} ({n_clean} without faults: not exact)")

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
expected = Counter()
for table, t in truth["tables"].items():
    for fault, n in t.get("faults", {}).items():
        if fault not in REASON:
            failures.append(f"ingest fault {fault} has no quarantine reason mapped in dq_check.py")
            continue
        expected[(table, REASON[fault])] += n
for key in set(expected) | set(quarantined):
    if expected[key] != quarantined[key]:
        failures.append(f"quarantine {key[0]} {key[1]}: truth {expected[key]}, dq_quarantine {quarantined[key]}")
    checked += 1
for table, a in accounting.items():
    if a["read"] != a["stored"] + a["quarantined"] + a["superseded"]:
        failures.append(f"accounting of {table} does not add up: {a}")

for n in notes:
    print("NOTE:", n)
for f in failures:
    print("FAIL:", f)
if checked == 0:
    print("FAIL: nothing was checked (no faults recorded?)")
    sys.exit(1)
print(f"{checked} checks, {len(failures)} failures")
sys.exit(1 if failures else 0)
