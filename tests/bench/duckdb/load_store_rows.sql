-- Loads the rows of an mhbench store (written as CSV by export_store) and the reference data
-- into DuckDB native tables. Not timed by the benchmark. {EXPORT} and {REFERENCE} are replaced
-- by run_duckdb.mjs with the export directory and src/reference/2025-26.
CREATE OR REPLACE TABLE referral AS
  SELECT rid::BIGINT AS rid, provider::VARCHAR AS provider, (DATE '1970-01-01' + disch::INTEGER) AS disch
  FROM read_csv('{EXPORT}/referral.csv', header = true, all_varchar = true);
CREATE OR REPLACE TABLE contact AS
  SELECT cid::BIGINT AS cid, rid::BIGINT AS rid, app_type, attend
  FROM read_csv('{EXPORT}/contact.csv', header = true, all_varchar = true);
CREATE OR REPLACE TABLE activity AS
  SELECT cid::BIGINT AS cid, code FROM read_csv('{EXPORT}/activity.csv', header = true, all_varchar = true);
CREATE OR REPLACE TABLE complaint AS
  SELECT rid::BIGINT AS rid, code, codsig, (DATE '1970-01-01' + cdate::INTEGER) AS cdate
  FROM read_csv('{EXPORT}/complaint.csv', header = true, all_varchar = true);
-- Scores in hundredths of a point (exact, as the store holds them).
CREATE OR REPLACE TABLE score606 AS
  SELECT rid::BIGINT AS rid, tool, score::INTEGER AS score, (DATE '1970-01-01' + sdate::INTEGER) AS sdate
  FROM read_csv('{EXPORT}/score606.csv', header = true, all_varchar = true);
CREATE OR REPLACE TABLE score607 AS
  SELECT rid::BIGINT AS rid, tool, score::INTEGER AS score, (DATE '1970-01-01' + sdate::INTEGER) AS sdate
  FROM read_csv('{EXPORT}/score607.csv', header = true, all_varchar = true);
CREATE OR REPLACE TABLE org AS SELECT * FROM read_csv('{EXPORT}/org.csv', header = true, all_varchar = true);

-- Reference data: the same files mhbench embeds; row order is rule / reporting order.
CREATE OR REPLACE TABLE ref_settings AS
  SELECT * FROM read_csv('{REFERENCE}/reference.csv', comment = '#', header = true, all_varchar = true);
CREATE OR REPLACE TABLE ref_rules AS
  SELECT row_number() OVER () AS ord, * FROM read_csv('{REFERENCE}/complaints.csv', comment = '#', header = true, all_varchar = true, parallel = false);
CREATE OR REPLACE TABLE ref_descriptors AS
  SELECT row_number() OVER () - 1 AS idx, * FROM read_csv('{REFERENCE}/descriptors.csv', comment = '#', header = true, all_varchar = true, parallel = false);
CREATE OR REPLACE TABLE ref_measures AS
  SELECT row_number() OVER () - 1 AS idx, measure, snomed_ct,
         round(min::DECIMAL(10, 2) * 100)::INTEGER AS min, round(max::DECIMAL(10, 2) * 100)::INTEGER AS max,
         round(caseness::DECIMAL(10, 2) * 100)::INTEGER AS caseness,
         round(reliable_change::DECIMAL(10, 2) * 100)::INTEGER AS reliable_change
  FROM read_csv('{REFERENCE}/measures.csv', comment = '#', header = true, all_varchar = true, parallel = false);
CREATE OR REPLACE TABLE ref_bands AS
  SELECT row_number() OVER (PARTITION BY measure ORDER BY min::DECIMAL(10, 2)) - 1 AS idx, measure, band,
         round(min::DECIMAL(10, 2) * 100)::INTEGER AS min, round(max::DECIMAL(10, 2) * 100)::INTEGER AS max
  FROM read_csv('{REFERENCE}/severity_bands.csv', comment = '#', header = true, all_varchar = true, parallel = false);
CREATE OR REPLACE TABLE ref_activities AS
  SELECT snomed_ct, intensity FROM read_csv('{REFERENCE}/activities.csv', comment = '#', header = true, all_varchar = true);
CREATE OR REPLACE TABLE ref_appointments AS
  SELECT field, code, class FROM read_csv('{REFERENCE}/appointments.csv', comment = '#', header = true, all_varchar = true);
CHECKPOINT;
