// Meshwork dashboard: plain JS against the gateway's HTTP/JSON API and its server-sent events.
// Streams are read with fetch() rather than EventSource, because EventSource cannot send the
// Authorization header and the API key must never travel in a URL.
'use strict';

const KEY_STORAGE = 'meshwork.apiKey';
const TERMINAL_RUN = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'REJECTED']);
const TERMINAL_STEP = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'REJECTED', 'SKIPPED',
  'COMPENSATED']);

const state = {
  key: sessionStorage.getItem(KEY_STORAGE),
  jaegerUrl: 'http://127.0.0.1:16686',
  instances: new Map(), // instanceId -> AgentInstance
  runs: new Map(), // runId -> Run (as listed, then updated by events)
  selected: null, // { run, steps: Map(key -> step), watch }
  breakers: new Map(), // skill -> { time, runId }
  watches: [],
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${state.key}`, Accept: 'application/json' };
  if (options.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { ...options, headers });
  const text = await res.text();
  const body = text ? JSON.parse(text) : {};
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

/** Parses one SSE block into {id, event, data}, or null for comments and retry hints. */
function parseEvent(block) {
  let id = null;
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { id, event, data: data.join('\n') } : null;
}

/**
 * Follows an event stream, reconnecting with Last-Event-ID after a network failure, until the
 * server sends `end`, answers 4xx, or stop() is called. Returns { stop }.
 */
function watch(path, { lastEventId = null, onEvent, onError = () => {} }) {
  const controller = new AbortController();
  let stopped = false;
  let lastId = lastEventId;

  async function once() {
    const headers = { Authorization: `Bearer ${state.key}`, Accept: 'text/event-stream' };
    if (lastId) headers['Last-Event-ID'] = lastId;
    const res = await fetch(path, { headers, signal: controller.signal });
    if (!res.ok) {
      const text = await res.text();
      throw new ApiError(res.status, text ? JSON.parse(text) : null);
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false;
      buffer += value.replace(/\r\n/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (!event) continue;
        if (event.event === 'end') return true;
        if (event.event === 'error') throw new ApiError(502, JSON.parse(event.data));
        if (event.id) lastId = event.id;
        onEvent(event);
      }
    }
  }

  (async () => {
    while (!stopped) {
      try {
        if (await once()) return;
      } catch (e) {
        if (stopped || e.name === 'AbortError') return;
        onError(e);
        if (e instanceof ApiError && e.status >= 400 && e.status < 500) return;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();

  const handle = { stop() { stopped = true; controller.abort(); } };
  state.watches.push(handle);
  return handle;
}

// ---------------------------------------------------------------- rendering helpers

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node[k] = v;
  }
  for (const child of children) {
    if (child == null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** RUN_STATE_WORKING -> WORKING. */
function shortEnum(value, prefix) {
  return value ? value.replace(prefix, '') : '';
}

function stateBadge(value) {
  return el('span', { class: `state ${value}` }, value || '—');
}

function duration(start, end) {
  if (!start) return '';
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)} m ${Math.round((ms % 60000) / 1000)} s`;
}

function time(ts) {
  return ts ? new Date(ts).toLocaleTimeString() : '';
}

function traceLink(traceId) {
  if (!traceId) return '';
  return el('a', {
    href: `${state.jaegerUrl}/trace/${encodeURIComponent(traceId)}`,
    target: '_blank',
    rel: 'noopener noreferrer',
  }, 'trace');
}

function setStatus(text, live) {
  $('status').textContent = text;
  $('status').classList.toggle('live', !!live);
}

// ---------------------------------------------------------------- agents

async function loadAgents() {
  const res = await api('/v1/instances?page_size=1000');
  state.instances.clear();
  for (const instance of res.instances || []) state.instances.set(instance.instanceId, instance);
  renderAgents();
  let revision = null;
  for (const i of state.instances.values()) {
    if (!revision || Number(i.revision) > Number(revision)) revision = i.revision;
  }
  watch('/v1/instances:watch', {
    lastEventId: revision,
    onEvent(event) {
      const change = JSON.parse(event.data);
      if (change.type === 'WATCH_EVENT_TYPE_REMOVED') {
        state.instances.delete(change.instance.instanceId);
      } else if (change.instance) {
        state.instances.set(change.instance.instanceId, change.instance);
      }
      renderAgents();
    },
    onError: (e) => setStatus(`agents: ${e.message}`),
  });
}

function renderAgents() {
  const rows = [...state.instances.values()].sort((a, b) =>
    (a.card?.name || '').localeCompare(b.card?.name || '') ||
    a.instanceId.localeCompare(b.instanceId));
  $('agents-count').textContent = `${rows.length} instance${rows.length === 1 ? '' : 's'}`;
  $('agents').replaceChildren(...rows.map((i) => {
    const load = i.load || {};
    const utilization = Number(load.utilization || 0);
    return el('tr', { dataset: { instance: i.instanceId } },
      el('td', {}, i.card?.name || ''),
      el('td', {}, el('code', {}, i.instanceId)),
      el('td', {}, i.endpoint ? `${i.endpoint.host}:${i.endpoint.port}` : ''),
      el('td', {}, ...(i.card?.skills || []).map((s) => el('span', { class: 'chip' }, s.id))),
      el('td', {}, stateBadge(shortEnum(i.health, 'HEALTH_STATE_') || 'SERVING')),
      el('td', {},
        el('meter', { min: 0, max: 1, value: utilization, title: `utilization ${utilization}` }),
        ` ${load.inFlight || 0} in flight`));
  }));
}

// ---------------------------------------------------------------- runs

async function loadRuns() {
  const res = await api('/v1/runs?page_size=50');
  for (const run of res.runs || []) state.runs.set(run.runId, run);
  renderRuns();
  // The firehose from the listing's position: nothing that happened after the list was read is
  // missed. watch() resumes after a dropped connection with Last-Event-ID, the firehose position.
  // When the orchestrator no longer holds what followed (OUT_OF_RANGE: a restart, or too long
  // away), re-read the list and tail afresh.
  const firehose = watch('/v1/run-events', {
    lastEventId: res.position && res.position !== '0' ? res.position : null,
    onEvent(event) {
      const { event: e } = JSON.parse(event.data);
      onRunEvent(e);
    },
    onError(e) {
      if (e.body?.code === 'OUT_OF_RANGE') {
        firehose.stop(); // retrying the same position would fail the same way
        loadRuns().catch((err) => setStatus(`runs: ${err.message}`));
        return;
      }
      setStatus(`runs: ${e.message}`);
    },
  });
}

async function onRunEvent(e) {
  let run = state.runs.get(e.runId);
  if (!run) {
    try {
      run = (await api(`/v1/runs/${encodeURIComponent(e.runId)}`)).run;
    } catch (err) {
      return;
    }
    state.runs.set(run.runId, run);
  }
  run.state = e.runState || run.state;
  if (TERMINAL_RUN.has(shortEnum(run.state, 'RUN_STATE_')) && !run.endTime) run.endTime = e.time;
  noteBreaker(e, run);
  renderRuns();
}

function renderRuns() {
  const runs = [...state.runs.values()]
    .sort((a, b) => (b.createTime || '').localeCompare(a.createTime || '') ||
      b.runId.localeCompare(a.runId))
    .slice(0, 100);
  $('runs').replaceChildren(...runs.map((run) => {
    const row = el('tr', { class: 'clickable', dataset: { run: run.runId } },
      el('td', {}, el('code', {}, run.runId)),
      el('td', {}, run.workflow?.name || ''),
      el('td', { class: 'run-state' }, stateBadge(shortEnum(run.state, 'RUN_STATE_'))),
      el('td', {}, time(run.createTime)),
      el('td', {}, duration(run.createTime, run.endTime)),
      el('td', {}, traceLink(run.traceId)));
    if (state.selected?.run.runId === run.runId) row.classList.add('selected');
    row.addEventListener('click', (ev) => {
      if (ev.target.tagName !== 'A') selectRun(run.runId);
    });
    return row;
  }));
}

// ---------------------------------------------------------------- one run, live

async function selectRun(runId) {
  if (state.selected?.watch) state.selected.watch.stop();
  const { run } = await api(`/v1/runs/${encodeURIComponent(runId)}`);
  const steps = new Map();
  for (const s of run.steps || []) steps.set(stepKey(s.stepId, s.itemIndex), { ...s });
  state.selected = { run, steps, watch: null };
  $('run-panel').hidden = false;
  renderRun();
  renderRuns();
  // GetRun reported the state up to last_sequence: replay nothing older, tail the rest.
  state.selected.watch = watch(`/v1/runs/${encodeURIComponent(runId)}/events`, {
    lastEventId: run.lastSequence || '0',
    onEvent(event) {
      const { event: e } = JSON.parse(event.data);
      if (state.selected?.run.runId === runId) applyEvent(e);
    },
    onError: (e) => { $('run-error').textContent = e.message; },
  });
}

function stepKey(stepId, itemIndex) {
  return `${stepId}#${itemIndex ?? -1}`;
}

function applyEvent(e) {
  const { run, steps } = state.selected;
  run.state = e.runState || run.state;
  if (e.stepId) {
    const key = stepKey(e.stepId, e.itemIndex);
    const step = steps.get(key) || { stepId: e.stepId, itemIndex: e.itemIndex ?? -1 };
    step.state = e.stepState || step.state;
    if (e.attempt) step.attempt = e.attempt;
    if (e.agentInstance) step.agentInstance = e.agentInstance;
    if (e.type === 'RUN_EVENT_TYPE_STEP_STARTED' && !step.startTime) step.startTime = e.time;
    if (TERMINAL_STEP.has(shortEnum(step.state, 'STEP_STATE_'))) step.endTime = e.time;
    if (e.error) step.error = e.error;
    steps.set(key, step);
  }
  if (TERMINAL_RUN.has(shortEnum(run.state, 'RUN_STATE_'))) run.endTime = run.endTime || e.time;
  noteBreaker(e, run);
  const listed = state.runs.get(run.runId);
  if (listed) {
    listed.state = run.state;
    listed.endTime = run.endTime;
    renderRuns();
  }
  renderRun();
}

function renderRun() {
  const { run, steps } = state.selected;
  $('run-id').textContent = run.runId;
  const runState = shortEnum(run.state, 'RUN_STATE_');
  $('run-state').className = `state ${runState}`;
  $('run-state').textContent = runState;
  const trace = $('run-trace');
  trace.hidden = !run.traceId;
  trace.href = run.traceId ? `${state.jaegerUrl}/trace/${encodeURIComponent(run.traceId)}` : '';
  $('run-error').textContent = run.error ? `${run.error.reason}: ${run.error.message}` : '';
  $('steps').replaceChildren(...[...steps.values()].map((s) => {
    const name = s.itemIndex >= 0 ? `${s.stepId}[${s.itemIndex}]` : s.stepId;
    const stepState = shortEnum(s.state, 'STEP_STATE_');
    return el('tr', { dataset: { step: name, state: stepState } },
      el('td', {}, el('code', {}, name)),
      el('td', {}, stateBadge(stepState)),
      el('td', {}, s.attempt || ''),
      el('td', {}, s.agentInstance ? el('code', {}, s.agentInstance) : ''),
      el('td', {}, duration(s.startTime, s.endTime)),
      el('td', { class: 'error' }, s.error ? `${s.error.reason || s.error.code}: ${s.error.message}` : ''));
  }));
}

// ---------------------------------------------------------------- breakers

function noteBreaker(e, run) {
  if (e.error?.reason !== 'CIRCUIT_OPEN') return;
  const step = (run.workflow?.steps || []).find((s) => s.id === e.stepId);
  const skill = step?.skill || e.stepId;
  state.breakers.set(skill, { time: e.time, runId: e.runId });
  renderBreakers();
}

function renderBreakers() {
  const items = [...state.breakers.entries()].map(([skill, seen]) =>
    el('li', {}, el('span', { class: 'state FAILED' }, 'OPEN'), ' ', el('code', {}, skill),
      ` — last seen ${time(seen.time)} in run `, el('code', {}, seen.runId)));
  $('breakers').replaceChildren(...(items.length ? items
    : [el('li', { class: 'muted' }, 'none open')]));
}

// ---------------------------------------------------------------- start a run

async function loadWorkflows() {
  const res = await api('/v1/workflows?page_size=1000');
  $('workflow').replaceChildren(...(res.workflows || []).map((w) =>
    el('option', { value: w.name }, `${w.name} (v${w.version || 1})`)));
}

async function startRun(ev) {
  ev.preventDefault();
  $('start-error').textContent = '';
  let input;
  try {
    input = JSON.parse($('input').value || '{}');
  } catch (e) {
    $('start-error').textContent = `input: ${e.message}`;
    return;
  }
  try {
    const { run } = await api('/v1/runs', {
      method: 'POST',
      body: JSON.stringify({ workflowName: $('workflow').value, input }),
    });
    state.runs.set(run.runId, run);
    renderRuns();
    selectRun(run.runId);
  } catch (e) {
    const fields = (e.body?.fieldViolations || []).map((v) => `${v.field}: ${v.description}`);
    $('start-error').textContent = fields.length ? fields.join('; ') : e.message;
  }
}

// ---------------------------------------------------------------- start-up

async function connect() {
  try {
    await loadRuns();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      sessionStorage.removeItem(KEY_STORAGE);
      state.key = null;
      showLogin(e.status === 401 ? 'That key is not valid.' : 'That key may not read runs.');
      return;
    }
    setStatus(e.message);
  }
  $('login').hidden = true;
  $('app').hidden = false;
  $('forget-key').hidden = false;
  setStatus('live', true);
  loadAgents().catch((e) => setStatus(`agents: ${e.message}`));
  loadWorkflows().catch(() => {});
  setInterval(() => {
    renderRuns();
    if (state.selected) renderRun();
  }, 1000);
}

function showLogin(message = '') {
  $('app').hidden = true;
  $('login').hidden = false;
  $('forget-key').hidden = true;
  $('login-error').textContent = message;
  setStatus('not connected');
}

async function main() {
  try {
    const config = await (await fetch('/dashboard-config.json')).json();
    if (config.jaegerUrl) state.jaegerUrl = config.jaegerUrl;
  } catch (e) {
    // Keep the default Jaeger address.
  }
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.key = $('key').value.trim();
    sessionStorage.setItem(KEY_STORAGE, state.key);
    $('key').value = '';
    connect();
  });
  $('forget-key').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    location.reload();
  });
  $('start-form').addEventListener('submit', startRun);
  if (state.key) connect();
  else showLogin();
}

main();
