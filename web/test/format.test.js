import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  num, finite, fmtNumber, fmtPercent, fmtField, fmtDuration, durationBetween, runDuration, fmtTime, fmtAgo,
  fmtInt, shortId,
} from '../src/format.js';

test('num reads the API spellings of NaN and infinities', () => {
  assert.ok(Number.isNaN(num('NaN')));
  assert.equal(num('Infinity'), Infinity);
  assert.equal(num('-Infinity'), -Infinity);
  assert.equal(num(null), null);
  assert.equal(num(1.5), 1.5);
  assert.equal(finite('NaN'), null);
  assert.equal(finite(2), 2);
});

test('fmtNumber', () => {
  assert.equal(fmtNumber(null), '—');
  assert.equal(fmtNumber('NaN'), 'NaN');
  assert.equal(fmtNumber('-Infinity'), '−∞');
  assert.equal(fmtNumber(0), '0');
  assert.equal(fmtNumber(1488), '1,488');
  assert.equal(fmtNumber(0.012445733596767629), '0.01245');
  assert.equal(fmtNumber(0.00001234), '1.234e-5');
  assert.equal(fmtNumber(123456789.5), '1.235e+8');
});

test('percent and fields', () => {
  assert.equal(fmtPercent(0.8958333), '89.6 %');
  assert.equal(fmtPercent(null), '—');
  assert.equal(fmtField('val_accuracy', 1), '100.0 %');
  assert.equal(fmtField('val_loss', 0.5), '0.5');
  assert.equal(fmtInt(3.2), '3');
  assert.equal(fmtInt(1234567), '1,234,567');
  assert.equal(fmtInt(-1000), '-1,000');
  assert.equal(fmtInt(-0.2), '0');
  assert.equal(fmtInt(999), '999');
  assert.equal(fmtInt(null), '—');
});

test('durations', () => {
  assert.equal(fmtDuration(0.127), '127 ms');
  assert.equal(fmtDuration(7.5), '7.50 s');
  assert.equal(fmtDuration(42.25), '42.3 s');
  assert.equal(fmtDuration(125), '2 min 5 s');
  assert.equal(fmtDuration(3 * 3600 + 120), '3 h 2 min');
  assert.equal(fmtDuration(2 * 86400 + 3600), '2 d 1 h');
  assert.equal(fmtDuration(null), '—');
  assert.equal(fmtDuration(-1), '—');
  assert.equal(durationBetween('2026-11-30T19:00:00.000Z', '2026-11-30T19:00:01.500Z'), 1.5);
  assert.equal(durationBetween('bad', null), null);
});

test('a running run lasts until now; a complete one its stored duration', () => {
  const now = Date.parse('2026-11-30T19:00:10.000Z');
  assert.equal(runDuration({ status: 'running', start_time: '2026-11-30T19:00:00.000Z' }, now), 10);
  assert.equal(runDuration({ status: 'completed', duration_seconds: 3, start_time: '2026-11-30T19:00:00.000Z' }, now), 3);
  assert.equal(runDuration({ status: 'failed', start_time: '2026-11-30T19:00:00.000Z',
    end_time: '2026-11-30T19:00:04.000Z' }, now), 4);
});

test('times', () => {
  assert.equal(fmtTime('2026-11-30T19:10:32.511Z', true), '2026-11-30 19:10:32');
  assert.equal(fmtTime('nope'), '—');
  const now = Date.parse('2026-11-30T19:10:00.000Z');
  assert.equal(fmtAgo('2026-11-30T19:09:58.000Z', now), 'just now');
  assert.equal(fmtAgo('2026-11-30T19:09:30.000Z', now), '30 s ago');
  assert.equal(fmtAgo('2026-11-30T18:10:00.000Z', now), '1 h ago');
  assert.equal(shortId('f16853ef-5b53-4500-9c14-79034d949274'), 'f16853ef');
});
