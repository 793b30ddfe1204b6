// Entry of dist/yaml.js: the yaml parser (docker-compose files of the Airflow integration), loaded with the first
// compose file it reads (see src/lazy/load.ts).
export { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, visit } from 'yaml';
