import { describe, expect, it } from 'vitest';
import { predictionColumns, type LogRecord, type Prediction } from '../types.js';
import { withStatusFloor } from './status-floor.js';

const record = (line: number, status?: number): LogRecord => ({ source: 't', line, time: null, level: null, message: `"GET /x HTTP/1.1" ${status ?? ''}`, ...(status !== undefined ? { status } : {}) });
const pred = (predictedLevel: Prediction['predictedLevel'], levelProbability: number | null = 0.8): Prediction => ({ predictedLevel, levelProbability, anomalyScore: 0.1, isAnomaly: false });

describe('withStatusFloor', () => {
  it('raises 5xx access records below ERROR to ERROR (no model probability), and leaves the rest', () => {
    const records = [record(1, 500), record(2, 503), record(3, 404), record(4, 200), record(5), record(6, 502)];
    const p = withStatusFloor(predictionColumns([pred('INFO'), pred('FATAL', 0.6), pred('INFO'), pred('INFO'), pred('DEBUG'), pred(null, null)]), records);
    expect(Array.from({ length: 6 }, (_, i) => p.predictedLevel(i))).toEqual(['ERROR', 'FATAL', 'INFO', 'INFO', 'DEBUG', null]);
    expect(Array.from({ length: 6 }, (_, i) => p.levelProbability(i))).toEqual([null, 0.6, 0.8, 0.8, 0.8, null]);
    expect(p.anomalyScore(0)).toBe(0.1);
  });

  it('returns the same columns when no record has a 5xx status', () => {
    const cols = predictionColumns([pred('INFO')]);
    expect(withStatusFloor(cols, [record(1, 200)])).toBe(cols);
  });
});
