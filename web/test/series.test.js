import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  seriesPoints, chooseXKey, alignXY, mergeLive, needsRefetch, rangeToTimes, unitMarkers,
  withMarkers, compareTable, countValues,
} from '../src/series.js';

const T0 = Date.parse('2026-11-30T19:00:00.000Z');
const iso = (ms) => new Date(ms).toISOString();
const pt = (step, v, epoch = step + 1, t = T0 + step * 10) => ({ t, step, epoch, v });

test('seriesPoints drops values a chart cannot draw', () => {
  const s = { points: [
    { timestamp: iso(T0), step: 0, epoch: 1, value: 0.5 },
    { timestamp: iso(T0 + 1), step: 1, epoch: 2, value: 'NaN' },
    { timestamp: iso(T0 + 2), step: 2, epoch: null, value: 'Infinity' },
    { timestamp: iso(T0 + 3), step: 3, value: 0.25 },
  ] };
  assert.deepEqual(seriesPoints(s), [{ t: T0, step: 0, epoch: 1, v: 0.5 }, { t: T0 + 3, step: 3, epoch: null, v: 0.25 }]);
  assert.deepEqual(seriesPoints(null), []);
});

test('x axis: epoch when every point has a strictly increasing one, else step', () => {
  assert.equal(chooseXKey([[pt(0, 1), pt(1, 1)], [pt(0, 1)]]), 'epoch');
  assert.equal(chooseXKey([[]]), 'epoch');
  assert.equal(chooseXKey([[pt(0, 1), pt(1, 1, 1)]]), 'step'); // two metrics in epoch 1
  assert.equal(chooseXKey([[pt(0, 1, null)]]), 'step');
});

test('alignXY takes the union of x with nulls where a series has no point', () => {
  const a = [pt(0, 1), pt(2, 3), pt(4, 5)];
  const b = [pt(1, 10), pt(2, 30)];
  assert.deepEqual(alignXY([a, b], 'step'), [[0, 1, 2, 4], [1, null, 3, 5], [null, 10, 30, null]]);
  assert.deepEqual(alignXY([a, b], 'epoch')[0], [1, 2, 3, 5]);
  assert.deepEqual(alignXY([[], []], 'step'), [[], [], []]);
});

test('mergeLive appends only what follows the last point held', () => {
  const held = [pt(0, 1), pt(1, 1), pt(2, 1)];
  // overlap with the first fetch, out of order, and a repeat
  const added = mergeLive(held, [pt(4, 4), pt(1, 9), pt(3, 3), pt(4, 4)]);
  assert.equal(added, 2);
  assert.deepEqual(held.map((p) => p.step), [0, 1, 2, 3, 4]);
  assert.equal(held[1].v, 1); // the held point is kept
  const empty = [];
  assert.equal(mergeLive(empty, [pt(7, 1)]), 1);
});

test('a series is fetched again once it holds more than a fetch returns', () => {
  assert.equal(needsRefetch(4000, 1000), false);
  assert.equal(needsRefetch(4001, 1000), true);
});

test('zoom selection to time range', () => {
  const pts = [pt(0, 1), pt(1, 1), pt(2, 1), pt(3, 1), pt(4, 1)];
  assert.deepEqual(rangeToTimes(pts, 'step', 0.5, 3.2), { from: iso(T0 + 10), to: iso(T0 + 31) });
  assert.deepEqual(rangeToTimes(pts, 'epoch', 1, 1), { from: iso(T0), to: iso(T0 + 1) });
  assert.equal(rangeToTimes(pts, 'step', 10, 20), null);
  // equal timestamps (a fast trainer) still give a non-empty range
  const same = [pt(0, 1, 1, T0), pt(1, 1, 2, T0)];
  assert.deepEqual(rangeToTimes(same, 'step', 0, 1), { from: iso(T0), to: iso(T0 + 1) });
});

test('hidden unit markers at the epochs of the topology snapshots', () => {
  const hidden = [pt(0, 0), pt(1, 0), pt(2, 1), pt(3, 1), pt(4, 2)];
  const topo = [
    { timestamp: iso(T0 + 20), epoch: 3, hidden_units: 1 },
    { timestamp: iso(T0 + 40), epoch: 5, hidden_units: 2 },
    { timestamp: iso(T0 + 50), epoch: null, hidden_units: null },
  ];
  assert.deepEqual(unitMarkers(topo, hidden, 'epoch'), { xs: [3, 5], ys: [1, 2] });
  assert.deepEqual(unitMarkers(topo, hidden, 'step'), { xs: [2, 4], ys: [1, 2] });
  assert.deepEqual(unitMarkers([], hidden, 'step'), { xs: [], ys: [] });
});

test('withMarkers adds a marker column, inserting missing x', () => {
  const table = [[1, 2, 4], [0, 1, 1]];
  assert.deepEqual(withMarkers(table, { xs: [2, 3], ys: [1, 2] }), [[1, 2, 3, 4], [0, 1, null, 1], [null, 1, 2, null]]);
});

test('compare answer as a table', () => {
  const t = compareTable({ epochs: [1, 2, 3], values: [[0.5, null, 'NaN'], [0.1, 0.2, 0.3]] });
  assert.deepEqual(t, [[1, 2, 3], [0.5, null, null], [0.1, 0.2, 0.3]]);
  assert.equal(countValues(t[1]), 1);
  assert.deepEqual(compareTable(null), [[]]);
});
