import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHash, formatHash, runsQuery, filterRuns, isRunId } from '../src/state.js';

const ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const ID2 = 'f16853ef-5b53-4500-9c14-79034d949274';

test('empty hash is the runs view', () => {
  for (const h of ['', '#', '#/', '#/runs']) {
    assert.deepEqual(parseHash(h), { view: 'runs', status: null, dataset: null, q: null, cursor: null });
  }
});

test('runs filters and cursor round-trip', () => {
  const r = parseHash('#/runs?status=running&dataset=two_spirals&q=3fa&cursor=' + ID);
  assert.deepEqual(r, { view: 'runs', status: 'running', dataset: 'two_spirals', q: '3fa', cursor: ID });
  assert.equal(formatHash(r), '#/runs?status=running&dataset=two_spirals&q=3fa&cursor=' + ID);
  assert.equal(formatHash({ view: 'runs', status: '', dataset: null }), '#/runs');
});

test('run view with a zoom range', () => {
  const r = parseHash(`#/run/${ID}?from=2026-11-30T19:00:00.000Z&to=2026-11-30T19:01:00.000Z`);
  assert.deepEqual(r, { view: 'run', id: ID, from: '2026-11-30T19:00:00.000Z', to: '2026-11-30T19:01:00.000Z' });
  assert.equal(parseHash(formatHash(r)).from, r.from);
  assert.equal(formatHash({ view: 'run', id: ID }), `#/run/${ID}`);
});

test('compare keeps the runs in order, once each, and the field', () => {
  const r = parseHash(`#/compare?run=${ID}&run=${ID2}&run=${ID}&field=train_loss`);
  assert.deepEqual(r, { view: 'compare', runs: [ID, ID2], field: 'train_loss' });
  assert.equal(formatHash(r), `#/compare?run=${ID}&run=${ID2}&field=train_loss`);
  // comma lists (typed by hand) and the default field
  assert.deepEqual(parseHash(`#/compare?run=${ID},${ID2}`).runs, [ID, ID2]);
  assert.equal(parseHash('#/compare?field=bogus').field, 'val_accuracy');
  assert.equal(formatHash({ view: 'compare', runs: [ID], field: 'val_accuracy' }), `#/compare?run=${ID}`);
});

test('unknown paths', () => {
  assert.equal(parseHash('#/nope').view, 'notfound');
  assert.equal(parseHash('#/run').view, 'notfound');
});

test('runsQuery: filters and cursor; a search reads a large page', () => {
  assert.equal(runsQuery({ status: 'running', dataset: 'x' }), '/api/runs?limit=25&status=running&dataset=x');
  assert.equal(runsQuery({ dataset: 'x', cursor: ID }), `/api/runs?limit=25&dataset=x&cursor=${ID}`);
  assert.equal(runsQuery({ q: 'ab' }), '/api/runs?limit=1000');
});

test('filterRuns applies what the server did not', () => {
  const runs = [
    { run_id: ID, status: 'running', dataset_name: 'a' },
    { run_id: ID2, status: 'completed', dataset_name: 'a' },
    { run_id: 'f1000000-0000-4000-8000-000000000000', status: 'running', dataset_name: 'b' },
  ];
  assert.deepEqual(filterRuns(runs, { status: 'running', dataset: 'a' }).map((r) => r.run_id), [ID]);
  assert.deepEqual(filterRuns(runs, { q: 'F1' }).map((r) => r.run_id), [ID2, runs[2].run_id]);
  assert.equal(filterRuns(runs, {}).length, 3);
});

test('isRunId', () => {
  assert.ok(isRunId(ID));
  assert.ok(!isRunId('abc'));
  assert.ok(!isRunId(undefined));
});
