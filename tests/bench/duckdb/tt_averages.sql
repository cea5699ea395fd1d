-- The tt-averages computation (docs/tt-averages.md, SPEC section 3) in DuckDB SQL over the tables
-- of load_store_rows.sql, for one financial year [{Y0}, {Y1}]. Produces tt_cells: exact counts,
-- sums and sums of squares and the median of total contacts per (provider | ICB | region |
-- England) x (descriptor, band | descriptor | all), as mhbench's accumulators before statistics,
-- and tt_medians: the national medians of first scores used for the median split.
CREATE OR REPLACE TEMP TABLE tt_courses AS
WITH
settings AS (
  SELECT (SELECT value::INTEGER FROM ref_settings WHERE key = 'min_treatment_appointments') AS min_appts,
         (SELECT m.idx FROM ref_measures m JOIN ref_settings s ON s.key = 'depression_measure' AND s.value = m.measure) AS phq,
         (SELECT m.idx FROM ref_measures m JOIN ref_settings s ON s.key = 'backup_anxiety_measure' AND s.value = m.measure) AS gad,
         (SELECT idx FROM ref_descriptors WHERE fallback = '1') AS fallback),
descriptor AS (
  SELECT d.idx, d.scheme, sm.idx AS severity_measure, pm.idx AS pair_measure
  FROM ref_descriptors d LEFT JOIN ref_measures sm ON sm.measure = d.severity_measure
                         LEFT JOIN ref_measures pm ON pm.measure = d.pair_measure),
discharged AS (
  SELECT rid, provider FROM referral WHERE disch BETWEEN DATE '{Y0}' AND DATE '{Y1}'),
-- Step 3: each contact's kind from its appointment codes and activities.
activity_flags AS (
  SELECT a.cid, bool_or(i.intensity = 'low') AS low, bool_or(i.intensity = 'high') AS high,
         bool_or(i.intensity = 'employment') AS employment
  FROM activity a JOIN ref_activities i ON i.snomed_ct = a.code GROUP BY a.cid),
contact_kind AS (
  SELECT c.rid,
         CASE WHEN att.code IS NULL THEN NULL
              WHEN app.class = 'employment' THEN 'advice'
              WHEN app.class IS DISTINCT FROM 'treatment' THEN CASE WHEN f.employment THEN 'advice' END
              WHEN f.high THEN 'high' WHEN f.low THEN 'low' WHEN f.employment THEN 'employment_treatment'
              ELSE 'unclassified' END AS kind
  FROM contact c
  JOIN discharged USING (rid)
  LEFT JOIN ref_appointments att ON att.field = 'AttendOrDNACode' AND att.class = 'attended' AND att.code = c.attend
  LEFT JOIN ref_appointments app ON app.field = 'AppType' AND app.code = c.app_type
  LEFT JOIN activity_flags f USING (cid)),
contacts AS (
  SELECT rid,
         count(*) FILTER (WHERE kind IN ('low', 'high', 'unclassified', 'employment_treatment')) AS treatment,
         count(*) FILTER (WHERE kind = 'low') AS low, count(*) FILTER (WHERE kind = 'high') AS high,
         count(*) FILTER (WHERE kind = 'unclassified') AS unclassified,
         count(*) FILTER (WHERE kind IN ('advice', 'employment_treatment')) AS employment
  FROM contact_kind GROUP BY rid),
-- Step 1: classify each distinct complaint code once, then pick each referral's primary complaint.
code_norm AS (
  SELECT code, upper(regexp_replace(code, '[.\t\n\v\f\r ]', '', 'g')) AS n FROM (SELECT DISTINCT code FROM complaint)),
code_class AS (
  SELECT c.code, arg_min(r.descriptor_idx, r.ord) AS descriptor
  FROM code_norm c
  JOIN (SELECT r.*, d.idx AS descriptor_idx FROM ref_rules r JOIN ref_descriptors d ON d.descriptor = r.descriptor) r
    ON (CASE WHEN regexp_full_match(c.n, '[A-Z][0-9]{2}[A-Z0-9]{0,3}') THEN r.system = 'ICD10'
             WHEN regexp_full_match(c.n, '[1-9][0-9]{5,17}') THEN r.system = 'SNOMEDCT' ELSE false END)
   AND (CASE r.match WHEN 'prefix' THEN starts_with(c.n, r.code) ELSE c.n = r.code END)
  GROUP BY c.code),
primary_complaint AS (
  SELECT p.rid,
         arg_min(coalesce(k.descriptor, s.fallback),
                 (k.descriptor IS NULL,
                  CASE WHEN regexp_full_match(p.codsig, '[0-9]{1,6}') THEN p.codsig::INTEGER ELSE 2147483647 END,
                  CASE WHEN p.cdate IS NULL THEN 2147483647 ELSE -(p.cdate - DATE '1970-01-01') END,
                  coalesce(p.code, ''))) AS descriptor
  FROM complaint p JOIN discharged USING (rid) CROSS JOIN settings s LEFT JOIN code_class k ON k.code = p.code
  GROUP BY p.rid),
-- Scores: usable ones (dated, in range), first and last per measure (date, IDS606 before IDS607, value).
scores AS (
  SELECT s.rid, m.idx AS measure, s.score, s.sdate, 0 AS tbl
  FROM score606 s JOIN discharged USING (rid) JOIN ref_measures m ON m.snomed_ct = s.tool
  WHERE s.sdate IS NOT NULL AND s.score BETWEEN m.min AND m.max
  UNION ALL
  SELECT s.rid, m.idx, s.score, s.sdate, 1
  FROM score607 s JOIN discharged USING (rid) JOIN ref_measures m ON m.snomed_ct = s.tool
  WHERE s.sdate IS NOT NULL AND s.score BETWEEN m.min AND m.max),
first_last AS (
  -- The order (date, table, value) packed into one integer: days x 2 + table, then the value
  -- (hundredths, below 10^6), so arg_min / arg_max compare integers rather than structs.
  SELECT rid, measure, count(*) AS n, arg_min(score, key) AS first, arg_max(score, key) AS last
  FROM (SELECT *, ((sdate - DATE '1970-01-01')::BIGINT * 2 + tbl) * 1000000 + score AS key FROM scores)
  GROUP BY rid, measure),
course AS (
  SELECT r.rid, r.provider, d.idx AS descriptor, d.scheme,
         coalesce(c.treatment, 0) AS treatment, coalesce(c.low, 0) AS low, coalesce(c.high, 0) AS high,
         coalesce(c.unclassified, 0) AS unclassified, coalesce(c.employment, 0) AS employment,
         coalesce(c.treatment, 0) >= s.min_appts AS finished,
         coalesce(phq.n, 0) >= 2 AS phq_used, phq.first AS phq_first, phq.last AS phq_last,
         CASE WHEN coalesce(own.n, 0) >= 2 AND d.pair_measure <> s.phq THEN own.measure
              WHEN coalesce(gad.n, 0) >= 2 THEN gad.measure END AS anx,
         sev.first AS severity
  FROM discharged r CROSS JOIN settings s
  LEFT JOIN primary_complaint p USING (rid)
  JOIN descriptor d ON d.idx = coalesce(p.descriptor, s.fallback)
  LEFT JOIN contacts c USING (rid)
  LEFT JOIN first_last phq ON phq.rid = r.rid AND phq.measure = s.phq
  LEFT JOIN first_last own ON own.rid = r.rid AND own.measure = d.pair_measure
  LEFT JOIN first_last gad ON gad.rid = r.rid AND gad.measure = s.gad
  LEFT JOIN first_last sev ON sev.rid = r.rid AND sev.measure = d.severity_measure),
paired AS (
  SELECT c.*, a.first AS anx_first, a.last AS anx_last, am.caseness AS anx_case, am.reliable_change AS anx_rc,
         pm.caseness AS phq_case, pm.reliable_change AS phq_rc
  FROM course c CROSS JOIN settings s
  JOIN ref_measures pm ON pm.idx = s.phq
  LEFT JOIN first_last a ON a.rid = c.rid AND a.measure = c.anx
  LEFT JOIN ref_measures am ON am.idx = c.anx),
outcome AS (
  SELECT *,
         phq_used OR anx IS NOT NULL AS is_paired,
         (phq_used AND phq_first >= phq_case) OR (anx IS NOT NULL AND anx_first >= anx_case) AS at_case,
         (NOT phq_used OR phq_last < phq_case) AND (anx IS NULL OR anx_last < anx_case) AS all_below,
         (phq_used AND phq_first - phq_last >= phq_rc) OR (anx IS NOT NULL AND anx_first - anx_last >= anx_rc) AS fall,
         (phq_used AND phq_last - phq_first >= phq_rc) OR (anx IS NOT NULL AND anx_last - anx_first >= anx_rc) AS rise
  FROM paired),
flags AS (
  SELECT rid, provider, descriptor, scheme, severity, finished, treatment, low, high, unclassified, employment,
         coalesce(at_case, false) AS at_case,
         coalesce(is_paired AND NOT at_case, false) AS not_at_case,
         coalesce(at_case AND all_below, false) AS recovered,
         coalesce(fall AND NOT coalesce(rise, false), false) AS improved,
         coalesce(rise AND NOT coalesce(fall, false), false) AS deteriorated
  FROM outcome)
SELECT rid, provider, descriptor, scheme, severity, finished, treatment, low, high, unclassified, employment,
       at_case, not_at_case, recovered, improved, deteriorated FROM flags;
-- Step 2: exact national medians of first scores of finished courses, then bands.
CREATE OR REPLACE TEMP TABLE tt_medians AS
  SELECT descriptor, count(*) AS n, quantile_cont(severity, 0.5) AS median FROM tt_courses
  WHERE finished AND severity IS NOT NULL AND scheme = 'median_split' GROUP BY descriptor;
CREATE OR REPLACE TEMP TABLE tt_cells AS
WITH
three_bands AS (
  SELECT d.idx AS descriptor, list(b.min ORDER BY b.idx) AS mins, max(b.max) AS top
  FROM ref_descriptors d JOIN ref_bands b ON b.measure = d.severity_measure
  WHERE d.scheme = 'three_bands' GROUP BY d.idx),
banded AS (
  SELECT f.*, o.icb, o.region,
         CASE f.scheme
           WHEN 'one_band' THEN 0
           WHEN 'median_split' THEN CASE WHEN f.severity IS NULL OR m.median IS NULL THEN -1
                                         WHEN f.severity <= m.median THEN 0 ELSE 1 END
           ELSE CASE WHEN f.severity IS NULL OR t.mins IS NULL OR f.severity < t.mins[1] OR f.severity > t.top THEN -1
                     ELSE len(list_filter(t.mins, x -> x <= f.severity)) - 1 END
         END AS band,
         f.recovered AND f.improved AS reliably_recovered
  FROM tt_courses f LEFT JOIN tt_medians m USING (descriptor) LEFT JOIN three_bands t USING (descriptor)
  JOIN org o USING (provider))
SELECT CASE WHEN GROUPING(provider) = 0 THEN 'provider' WHEN GROUPING(icb) = 0 THEN 'icb'
            WHEN GROUPING(region) = 0 THEN 'region' ELSE 'national' END AS level,
       coalesce(provider, icb, region, 'ENG') AS org_code,
       descriptor, CASE WHEN GROUPING(band) = 1 THEN NULL ELSE band END AS band, GROUPING(descriptor) AS all_descriptors,
       GROUPING(band) AS all_bands,
       count(*) AS discharged, count(*) FILTER (WHERE finished) AS finished,
       count(*) FILTER (WHERE finished AND at_case) AS at_caseness,
       count(*) FILTER (WHERE finished AND not_at_case) AS not_at_caseness,
       count(*) FILTER (WHERE finished AND recovered) AS recovered,
       count(*) FILTER (WHERE finished AND improved) AS improved,
       count(*) FILTER (WHERE finished AND deteriorated) AS deteriorated,
       count(*) FILTER (WHERE finished AND reliably_recovered) AS n,
       sum(treatment) FILTER (WHERE finished AND reliably_recovered) AS sum_total,
       sum(treatment * treatment) FILTER (WHERE finished AND reliably_recovered) AS sumsq_total,
       sum(low) FILTER (WHERE finished AND reliably_recovered) AS sum_low,
       sum(low * low) FILTER (WHERE finished AND reliably_recovered) AS sumsq_low,
       sum(high) FILTER (WHERE finished AND reliably_recovered) AS sum_high,
       sum(high * high) FILTER (WHERE finished AND reliably_recovered) AS sumsq_high,
       sum(unclassified) FILTER (WHERE finished AND reliably_recovered) AS sum_unclassified,
       sum(employment) FILTER (WHERE finished AND reliably_recovered) AS sum_employment,
       quantile_cont(treatment, 0.5) FILTER (WHERE finished AND reliably_recovered) AS median_total
FROM banded
GROUP BY GROUPING SETS ((provider, descriptor, band), (provider, descriptor), (provider),
                        (icb, descriptor, band), (icb, descriptor), (icb),
                        (region, descriptor, band), (region, descriptor), (region),
                        (descriptor, band), (descriptor), ());
