#!/usr/bin/env bash
# mhbench run ips against an independent implementation of SPEC section 6 (Python, reading the
# generated CSVs, not the store): England's referrals by route, access by month, direct
# contacts and employment counts for two years of generated MHSDS data without injected faults.
# Arguments: the mhbench binary and a scratch directory.
set -euo pipefail
bin=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
py=/usr/bin/python3
[ -x "$py" ] || py=python3

mpirun --oversubscribe -np 2 "$bin" synth --out "$work/data" --scale 0.01 --seed 13 --years 2022-23:2023-24 \
  --faults 0 --data-faults 0 >/dev/null
mpirun --oversubscribe -np 2 "$bin" ingest --in "$work/data" --store "$work/store.h5" >/dev/null
mpirun --oversubscribe -np 2 "$bin" run ips --store "$work/store.h5" --year 2022-23:2023-24 --out "$work/out" >/dev/null

"$py" - "$work/data" "$work/out" <<'PY'
import csv, datetime as dt, sys
from collections import defaultdict
data, out = sys.argv[1], sys.argv[2]
rows = lambda t: csv.DictReader(open(f"{data}/{t}.csv", newline=""))
date = lambda s: dt.date.fromisoformat(s) if s else None

# Latest submission wins: order by reporting period end, then numeric id.
order = {r["UniqSubmissionID"]: (r["ReportingPeriodEndDate"], int(r["UniqSubmissionID"])) for r in rows("MHS000Header")}
prov_of_sub = {r["UniqSubmissionID"]: r["OrgIDProvider"] for r in rows("MHS000Header")}
def latest(table, key):
    best = {}
    for r in rows(table):
        k = (prov_of_sub[r["UniqSubmissionID"]],) + tuple(r[c] for c in key)
        if k not in best or order[r["UniqSubmissionID"]] > order[best[k]["UniqSubmissionID"]]:
            best[k] = r
    return best.values()

refs = {(r["OrgIDProv"], r["UniqServReqID"]): r for r in latest("MHS101Referral", ["UniqServReqID"])}
ips_teams = defaultdict(set)
for r in latest("MHS102ServiceTypeReferredTo", ["UniqServReqID", "UniqCareProfTeamID"]):
    if r["ServTeamTypeRefToMH"] == "D05":
        ips_teams[(prov_of_sub[r["UniqSubmissionID"]], r["UniqServReqID"])].add(r["UniqCareProfTeamID"])
coded = set()
for r in latest("MHS202CareActivity", ["UniqCareContID", "Procedure"]):
    code, _, qual = r["Procedure"].partition(":")
    if code in ("772822000", "1082621000000104") and not qual.endswith("=443390004"):
        coded.add((prov_of_sub[r["UniqSubmissionID"]], r["UniqCareContID"]))
contacts = defaultdict(list)
for r in latest("MHS201CareContact", ["UniqCareContID"]):
    p = prov_of_sub[r["UniqSubmissionID"]]
    contacts[(p, r["UniqServReqID"])].append(r)
emp = defaultdict(list)
for r in latest("MHS004EmpStatus", ["Person_ID", "EmployStatusRecDate"]):
    if r["EmployStatusRecDate"]:
        emp[(prov_of_sub[r["UniqSubmissionID"]], r["Person_ID"])].append((date(r["EmployStatusRecDate"]), r["EmployStatus"]))

def status(code):
    return "E" if code == "01" else "N" if code in ("02", "03", "04", "05", "06", "07", "08") else "U"
def at_referral(recs, rec, dis, until):
    end = dis or until
    within = [x for x in recs if x[0] >= rec and x[0] <= end]
    if within: return status(min(within, key=lambda x: x[0])[1])
    before = [x for x in recs if x[0] < rec]
    return status(max(before, key=lambda x: x[0])[1]) if before else "U"
def at_discharge(recs, dis):
    before = [x for x in recs if x[0] <= dis]
    return status(max(before, key=lambda x: x[0])[1]) if before else "U"

want = {}
for fy in (2022, 2023):
    first, last = dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31)
    c = defaultdict(int)
    for key, ref in refs.items():
        teams = ips_teams.get(key, set())
        cs = []
        for x in contacts.get(key, []):
            d = date(x["CareContDate"])
            direct = x["AttendOrDNACode"] in ("5", "6") and x["ConsMechanismMH"] in ("01", "02", "04", "11")
            team = bool(teams) and (x["UniqCareProfTeamID"] == "" or x["UniqCareProfTeamID"] in teams)
            cs.append((d, direct, team, (key[0], x["UniqCareContID"]) in coded))
        by_team, by_activity = bool(teams), any(direct and cod for _, direct, _, cod in cs)
        if not (by_team or by_activity): continue
        rec, dis = date(ref["ReferralRequestReceivedDate"]), date(ref["ServDischDate"])
        recs = emp.get((key[0], ref["Person_ID"]), [])
        if rec and rec <= last and (dis is None or dis >= first):
            c["ips_referrals"] += 1
            c[{(1, 0): "via_team_only", (0, 1): "via_activity_only", (1, 1): "via_both"}[(by_team, by_activity)]] += 1
        ar = at_referral(recs, rec, dis, last)
        if rec and first <= rec <= last:
            c["referrals_received"] += 1
            c["received_employed_at_referral"] += ar == "E"
            c["received_status_known"] += ar != "U"
        if dis and first <= dis <= last:
            ad = at_discharge(recs, dis)
            c["referrals_discharged"] += 1
            c["discharged_employed"] += ad == "E"
            c["discharged_status_known"] += ad != "U"
        counted = [d for d, direct, team, cod in cs if d and first <= d <= last and direct and (team or cod)]
        c["direct_contacts"] += len(counted)
        if counted:
            c["accessed"] += 1
            c[f"month {min(counted):%Y-%m}"] += 1
            c["caseload_job_retention"] += ar == "E"
            c["caseload_status_known"] += ar != "U"
    want[f"{fy}-{(fy + 1) % 100:02d}"] = c

got = {r["financial_year"]: r for r in csv.DictReader(open(f"{out}/ips_national.csv"))}
months = defaultdict(dict)
for r in csv.DictReader(open(f"{out}/ips_monthly_national.csv")):
    months[r["financial_year"]][r["month"]] = int(r["accessed"])
bad = 0
for fy, c in want.items():
    for k, v in c.items():
        if k.startswith("month "):
            g = months[fy].get(k[6:])
        else:
            g = int(got[fy][k])
        if g != v:
            print(f"FAIL {fy} {k}: mhbench {g}, independent {v}")
            bad += 1
    if sum(months[fy].values()) != c["accessed"]:
        print(f"FAIL {fy}: months do not add up to accessed"); bad += 1
    if c["via_team_only"] == 0 or c["via_activity_only"] == 0 or c["via_both"] == 0 or c["accessed"] == 0:
        print(f"FAIL {fy}: the generated data lacks a route or access: {dict(c)}"); bad += 1
sys.exit(1 if bad else 0)
PY
echo "OK: ips agrees with an independent implementation on England, both years"
