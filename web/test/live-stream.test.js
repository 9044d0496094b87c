import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runStream, packMetrics, unpackPoints, transferables, BATCH_MS } from '../src/live-stream.js';

class FakeEventSource {
  constructor(url) {
    this.url = url;
    this.readyState = 1;
    this.listeners = {};
    FakeEventSource.last = this;
  }
  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }
  emit(type, data) {
    for (const fn of this.listeners[type] || []) fn({ data: data === undefined ? undefined : JSON.stringify(data) });
  }
  close() {
    this.readyState = 2;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('metrics are handed over in batches, in order with topology and run events', async () => {
  const got = [];
  const s = runStream('/api/runs/x/events', (m) => got.push(m), FakeEventSource);
  const es = FakeEventSource.last;
  assert.equal(es.url, '/api/runs/x/events');
  es.emit('open');
  for (let i = 0; i < 500; i++) es.emit('metric', { step: i });
  assert.deepEqual(got.map((m) => m.type), ['open'], 'nothing before the batch time');
  await sleep(BATCH_MS + 50);
  assert.deepEqual(got.map((m) => m.type), ['open', 'metrics']);
  assert.equal(got[1].data.count, 500);
  assert.equal(got[1].data.step[499], 499);
  assert.equal(got[1].data.last.step, 499);
  // a topology event first hands over the metrics before it
  es.emit('metric', { step: 500 });
  es.emit('topology', { epoch: 501, hidden_units: 1 });
  es.emit('metric', { step: 501 });
  es.emit('run', { status: 'completed' });
  assert.deepEqual(got.slice(2).map((m) => m.type), ['metrics', 'topology', 'metrics', 'run']);
  assert.equal(got[2].data.count, 1);
  assert.equal(got[2].data.step[0], 500);
  assert.equal(got[5].data.status, 'completed');
  s.close();
  assert.equal(es.readyState, 2);
});

test('errors say whether the stream is closed for good', () => {
  const got = [];
  runStream('/e', (m) => got.push(m), FakeEventSource);
  const es = FakeEventSource.last;
  es.emit('metric', { step: 1 });
  es.emit('error');
  es.readyState = 2;
  es.emit('error');
  assert.deepEqual(got.map((m) => [m.type, m.closed]), [['metrics', undefined], ['error', false], ['error', true]]);
});

test('packed metrics become points per field, without what cannot be drawn', () => {
  const T = '2026-11-30T19:00:00.000Z';
  const packed = packMetrics([
    { timestamp: T, step: 3, epoch: 4, train_loss: 0.5, val_loss: 'NaN', hidden_units: 2 },
    { timestamp: T, step: 2, epoch: null, train_loss: 0.25, val_loss: 0.75, hidden_units: null },
  ], ['train_loss', 'val_loss', 'hidden_units']);
  assert.equal(packed.count, 2);
  assert.equal(packed.last.step, 3);
  assert.equal(transferables(packed).length, 6);
  const t = Date.parse(T);
  assert.deepEqual(unpackPoints(packed), {
    train_loss: [{ t, step: 3, epoch: 4, v: 0.5 }, { t, step: 2, epoch: null, v: 0.25 }],
    val_loss: [{ t, step: 2, epoch: null, v: 0.75 }],
    hidden_units: [{ t, step: 3, epoch: 4, v: 2 }],
  });
});
