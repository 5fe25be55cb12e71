// @ts-check
/** Jobs: the list (newest first, live) and one job with its steps and its log streaming in. */
import { api } from './api.js';
import { h, replace, badge, formatTime } from './dom.js';

/** @typedef {import('./main.js').Ctx} Ctx */
/** @typedef {import('./types.js').Job} Job */
/** @typedef {import('./types.js').JobLogLine} JobLogLine */

const ACTIVE = new Set(['queued', 'running']);

/** @param {Ctx} ctx @returns {() => void} */
export function showJobList(ctx) {
  const stateFilter = /** @type {HTMLSelectElement} */ (h('select', { id: 'job-state' }, h('option', { value: '' }, 'any state'),
    ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'].map((s) => h('option', { value: s }, s))));
  const body = h('tbody');
  /** @type {Job[]} */
  let jobs = [];
  const vmName = (/** @type {string | null} */ id) => (id ? ctx.state.vms.get(id)?.name ?? id.slice(0, 8) : '');
  const render = () => {
    const shown = jobs.filter((j) => !stateFilter.value || j.state === stateFilter.value);
    replace(body, shown.length === 0 ? h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No jobs.')) : shown.map((j) => h('tr', { 'data-job-id': j.id },
      h('td', {}, h('a', { href: `#/jobs/${j.id}` }, j.kind)), h('td', {}, badge(j.state)), h('td', {}, j.host ?? ''), h('td', {}, vmName(j.vmId)),
      h('td', {}, j.currentStep ?? ''), h('td', {}, formatTime(j.createdAt)), h('td', {}, j.requestedBy))));
  };
  const load = async () => {
    try {
      const page = await api('/api/v1/jobs', { query: { limit: 200, state: stateFilter.value || undefined } });
      jobs = page.items;
      render();
    } catch (error) {
      ctx.showError(error);
    }
  };
  stateFilter.addEventListener('change', () => void load());
  replace(ctx.main, h('h1', {}, 'Jobs'),
    h('div', { class: 'filters' }, h('label', {}, 'State', stateFilter)),
    h('table', { 'aria-label': 'Jobs' }, h('thead', {}, h('tr', {}, ['Kind', 'State', 'Host', 'VM', 'Step', 'Created', 'Requested by'].map((t) => h('th', { scope: 'col' }, t)))), body));
  const stop = ctx.onEvent((event) => {
    if (event.topic !== 'jobs') return;
    /** @type {Job} */
    const job = event.data;
    const index = jobs.findIndex((j) => j.id === job.id);
    if (index >= 0) jobs[index] = { ...jobs[index], ...job };
    else jobs.unshift(job);
    render();
  });
  void load();
  return stop;
}

/** @param {Ctx} ctx @param {string} jobId @returns {() => void} */
export function showJob(ctx, jobId) {
  const header = h('div');
  const stepsBody = h('tbody');
  const log = h('div', { class: 'log', role: 'log', 'aria-label': 'Job log' });
  /** @type {Job | undefined} */
  let job;
  let lastSeq = 0;
  /** Live log lines that arrive while the stored ones are still being read. @type {JobLogLine[] | undefined} */
  let pending = [];
  const topic = `jobs:${jobId}`;

  const renderHeader = () => {
    if (!job) return;
    const j = job;
    replace(header,
      h('p', {}, h('a', { href: '#/jobs' }, '← Jobs')),
      h('h1', {}, `Job ${j.kind} `, h('span', { class: 'job-state' }, badge(j.state))),
      h('dl', { class: 'facts panel' },
        h('dt', {}, 'Host'), h('dd', {}, j.host ?? '—'),
        h('dt', {}, 'VM'), h('dd', {}, j.vmId ? h('a', { href: `#/vms/${j.vmId}` }, ctx.state.vms.get(j.vmId)?.name ?? j.vmId) : '—'),
        h('dt', {}, 'Requested by'), h('dd', {}, j.requestedBy),
        h('dt', {}, 'Created'), h('dd', {}, formatTime(j.createdAt)),
        h('dt', {}, 'Finished'), h('dd', {}, formatTime(j.finishedAt)),
        j.result ? h('dt', {}, 'Result') : null, j.result ? h('dd', {}, h('code', {}, JSON.stringify(j.result))) : null,
        j.error ? h('dt', {}, 'Error') : null, j.error ? h('dd', { class: 'error-text' }, `${j.error.message} (${j.error.code})`) : null),
      ctx.canWrite && ACTIVE.has(j.state) ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'danger', disabled: j.cancelRequested, onclick: () => void cancel() },
        j.cancelRequested ? 'Cancelling…' : 'Cancel job')) : null);
  };
  const renderSteps = () => {
    replace(stepsBody, (job?.steps ?? []).map((s) => h('tr', {}, h('td', { class: 'num' }, s.index + 1), h('td', {}, s.name), h('td', {}, badge(s.state)),
      h('td', {}, formatTime(s.startedAt)), h('td', {}, formatTime(s.finishedAt)), h('td', { class: 'error-text' }, s.error?.message ?? ''))));
  };
  /** @param {JobLogLine[]} lines */
  const appendLog = (lines) => {
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    for (const line of lines) {
      if (line.seq <= lastSeq) continue;
      lastSeq = line.seq;
      log.append(h('div', { class: line.level }, `${new Date(line.time).toLocaleTimeString()} ${line.level.padEnd(5)} ${line.step ? `[${line.step}] ` : ''}${line.message}`));
    }
    if (atBottom) log.scrollTop = log.scrollHeight;
  };
  const cancel = async () => {
    try {
      job = { ...(/** @type {Job} */ (job)), ...(await api(`/api/v1/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' })) };
      renderHeader();
    } catch (error) {
      ctx.showError(error);
    }
  };
  const load = async () => {
    try {
      job = await api(`/api/v1/jobs/${encodeURIComponent(jobId)}`);
      renderHeader();
      renderSteps();
      // Log lines are paged by sequence: read until the server has nothing newer.
      for (let page = 0; page < 50; page += 1) {
        const events = await api(`/api/v1/jobs/${encodeURIComponent(jobId)}/events`, { query: { after: lastSeq, limit: 500 } });
        appendLog(events.items);
        if (events.items.length < 500) break;
      }
      const early = pending ?? [];
      pending = undefined;
      appendLog(early.sort((a, b) => a.seq - b.seq));
    } catch (error) {
      replace(header, h('p', {}, h('a', { href: '#/jobs' }, '← Jobs')), h('div', { class: 'problem' }, error instanceof Error ? error.message : String(error)));
    }
  };

  replace(ctx.main, header,
    h('section', { class: 'panel', 'aria-label': 'Steps' }, h('h2', {}, 'Steps'),
      h('table', {}, h('thead', {}, h('tr', {}, ['#', 'Step', 'State', 'Started', 'Finished', 'Error'].map((t) => h('th', { scope: 'col' }, t)))), stepsBody)),
    h('section', { class: 'panel', 'aria-label': 'Log' }, h('h2', {}, 'Log'), log));

  ctx.live.subscribe([topic]);
  const stop = ctx.onEvent((event) => {
    if (event.topic === topic && event.type === 'job.log') {
      if (pending) pending.push(event.data); else appendLog([event.data]);
      return;
    }
    if (!job) return;
    if (event.topic === 'jobs' && event.data?.id === jobId) {
      job = { ...job, ...event.data };
      renderHeader();
      // A finished job's steps are final: read them once more so nothing is missed.
      if (!ACTIVE.has(event.data.state)) void api(`/api/v1/jobs/${encodeURIComponent(jobId)}`).then((j) => { job = j; renderHeader(); renderSteps(); }, () => undefined);
    } else if (event.topic === topic && event.type === 'job.step') {
      const steps = (job.steps ?? []).filter((s) => s.index !== event.data.index);
      job.steps = [...steps, event.data].sort((a, b) => a.index - b.index);
      renderSteps();
    }
  });
  void load();
  return () => { stop(); ctx.live.unsubscribe([topic]); };
}
