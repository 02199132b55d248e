/**
 * @file Public surface of src/core/parse: line formats, format detection, level/time
 * normalisation and multi-line record assembly. Helpers stay unexported.
 */
export { INPUT_FORMATS, type InputFormat } from './formats.js';
export { detectFormat } from './detect.js';
export { createRecordParser, type RecordParser, type RecordParserOptions } from './record-parser.js';
export { normalizeLevel, syslogSeverityToLevel } from './level.js';
export { normalizeTime } from './time.js';
