#!/usr/bin/env bash
# MHSDS realism over several years (issue 3): a 2021-22:2023-24 run at scale 0.02 on 2 ranks,
# whose realism report (last year, 2023-24) has every MHSDS figure within tolerance, includes
# the headline rows, and is byte-identical to a 1-rank run of the same seed. Every year starts
# with as much open care as the first (the carry-in is the same process as the period's own
# referrals): referrals open at the start of each year and attended contacts in each year are
# within 5% of the first year's.
# Arguments: the mhbench binary and a scratch directory.
set -euo pipefail
bin=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

mpirun --oversubscribe --bind-to none -np 2 "$bin" synth --out "$work/a" --scale 0.02 --seed 31 \
  --years 2021-22:2023-24 --report > "$work/report.txt" 2>&1 || true  # IAPT rows are checked elsewhere
"$bin" synth --out "$work/b" --scale 0.02 --seed 31 --years 2021-22:2023-24 >/dev/null
for f in "$work"/a/MHS*.csv "$work"/a/organisations.csv; do
  cmp -s "$f" "$work/b/$(basename "$f")" || { echo "FAIL: $(basename "$f") differs between 2 ranks and 1"; exit 1; }
done
for row in "MHSDS people in contact in the year" "MHSDS attended contacts a month" "MHSDS ICBs of the submitters" \
           "MHSDS inpatient bed days in the year" "MHSDS IPS referrals with a direct contact" \
           "MHSDS care clusters started in the year (after 2022-23)"; do
  grep -F "$row" "$work/report.txt" | grep -q ' OK$' || { echo "FAIL: no OK row '$row'"; grep -F "MHSDS" "$work/report.txt"; exit 1; }
done
if grep '^MHSDS' "$work/report.txt" | grep -q 'FAIL$'; then
  echo "FAIL: MHSDS figures out of tolerance:"; grep '^MHSDS' "$work/report.txt" | grep 'FAIL$'; exit 1
fi
python3 - "$work/b" <<'PY'
import csv, sys
d = sys.argv[1]
refs = {}  # latest submission of each referral: received, discharged
for r in csv.DictReader(open(f"{d}/MHS101Referral.csv")):
    k, s = r["UniqServReqID"], int(r["UniqSubmissionID"])
    if k not in refs or s > refs[k][0]:
        refs[k] = (s, r["ReferralRequestReceivedDate"], r["ServDischDate"])
years = [(f"{y}-04-01", f"{y + 1}-03-31") for y in (2021, 2022, 2023)]
open_at_start = [sum(1 for _, rc, dc in refs.values() if rc < st and (not dc or dc >= st)) for st, _ in years]
seen, attended = set(), [0, 0, 0]
for r in csv.DictReader(open(f"{d}/MHS201CareContact.csv")):
    if r["UniqCareContID"] in seen or r["AttendOrDNACode"] not in ("5", "6"):
        continue
    seen.add(r["UniqCareContID"])
    for i, (st, en) in enumerate(years):
        attended[i] += st <= r["CareContDate"] <= en
print(f"  referrals open at the start of each year {open_at_start}; attended contacts in each year {attended}")
bad = [f"{name} {v[i]} in year {i + 1} not within 5% of {v[0]}" for name, v in (("open referrals", open_at_start), ("attended contacts", attended))
       for i in (1, 2) if abs(v[i] - v[0]) > 0.05 * v[0]]
if bad:
    print("FAIL: " + "; ".join(bad))
    sys.exit(1)
PY
echo "OK: MHSDS realism over three years, same bytes at 1 and 2 ranks, open care at every year's start"
rm -rf "$work"
