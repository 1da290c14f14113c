-- Loads the latest committed run of a lake into the OMOP CDM 5.4 tables of OMOPCDM_duckdb_5.4_ddl.sql (BIGINT keys).
-- Before running, replace @cdmDatabaseSchema (the target schema, as in OHDSI SqlRender) and @lake (the lake's root:
-- a local path, or an az:// / abfss:// URL with DuckDB's azure extension). Run the DDL first; the official primary
-- key and constraint scripts may follow. Columns are matched BY NAME; the hive column `run` is dropped.
-- A table no run of the lake holds has no Parquet files: delete its statement (DuckDB fails on an empty glob).
-- For incremental lakes, see docs/lake-layout.md (newest committed run per key, minus deletions).
CREATE TEMP TABLE load_run AS
SELECT runId FROM read_json('@lake/_runs/*/manifest.json', columns = {runId: 'VARCHAR', committedAt: 'TIMESTAMPTZ'})
ORDER BY committedAt DESC LIMIT 1;
INSERT INTO @cdmDatabaseSchema.person BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/person/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.observation_period BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/observation_period/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.visit_occurrence BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/visit_occurrence/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.condition_occurrence BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/condition_occurrence/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.drug_exposure BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/drug_exposure/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.procedure_occurrence BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/procedure_occurrence/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.device_exposure BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/device_exposure/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.measurement BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/measurement/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.observation BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/observation/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.death BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/death/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.visit_detail BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/visit_detail/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.note BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/note/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.specimen BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/specimen/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.payer_plan_period BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/payer_plan_period/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.cost BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/cost/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.condition_era BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/condition_era/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.drug_era BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/drug_era/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.location BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/location/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.provider BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/provider/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.care_site BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/care_site/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
INSERT INTO @cdmDatabaseSchema.cdm_source BY NAME
SELECT * EXCLUDE (run) FROM read_parquet('@lake/omop/cdm_source/run=*/*.parquet', hive_partitioning = true)
WHERE run IN (SELECT runId FROM load_run);
