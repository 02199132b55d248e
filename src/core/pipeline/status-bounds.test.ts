import { describe, expect, it } from 'vitest';
import { predictionColumns, type LogRecord, type Prediction } from '../types.js';
import { withStatusBounds } from './status-bounds.js';

const record = (line: number, status?: number): LogRecord => ({ source: 't', line, time: null, level: null, message: `"GET /x HTTP/1.1" ${status ?? ''}`, ...(status !== undefined ? { status } : {}) });
const pred = (predictedLevel: Prediction['predictedLevel'], levelProbability: number | null = 0.8): Prediction => ({ predictedLevel, levelProbability, anomalyScore: 0.1, isAnomaly: false });

describe('withStatusBounds', () => {
  it('raises 5xx below ERROR to ERROR, lowers 1xx-3xx above INFO to INFO (no model probability where moved), leaves 4xx and the rest', () => {
    const records = [record(1, 500), record(2, 503), record(3, 404), record(4, 200), record(5), record(6, 502), record(7, 200), record(8, 301), record(9, 200)];
    const preds = [pred('INFO'), pred('FATAL', 0.6), pred('ERROR'), pred('INFO'), pred('FATAL'), pred(null, null), pred('FATAL', 0.36), pred('WARN'), pred('DEBUG')];
    const p = withStatusBounds(predictionColumns(preds), records);
    expect(Array.from({ length: 9 }, (_, i) => p.predictedLevel(i))).toEqual(['ERROR', 'FATAL', 'ERROR', 'INFO', 'FATAL', null, 'INFO', 'INFO', 'DEBUG']);
    expect(Array.from({ length: 9 }, (_, i) => p.levelProbability(i))).toEqual([null, 0.6, 0.8, 0.8, 0.8, null, null, null, 0.8]);
    expect(p.anomalyScore(0)).toBe(0.1);
  });

  it('returns the same columns when no record has a status', () => {
    const cols = predictionColumns([pred('INFO')]);
    expect(withStatusBounds(cols, [record(1)])).toBe(cols);
  });
});
