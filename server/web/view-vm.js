// @ts-check
/* global document */
/** One VM: its facts, disks, NICs and addresses, kept live; power actions and delete for writers. */
import { api } from './api.js';
import { h, replace, badge, formatBytes, formatTime, formatDuration } from './dom.js';
import { POWER_ACTIONS, actionsFor } from './power.js';

/** @typedef {import('./main.js').Ctx} Ctx */
/** @typedef {import('./types.js').Vm} Vm */
/** @typedef {import('./types.js').Job} Job */

/** @param {Ctx} ctx @param {string} vmId @returns {() => void} */
export function showVm(ctx, vmId) {
  const root = h('div', { class: 'vm-detail', 'data-vm-id': vmId });
  const jobBox = h('div', { class: 'vm-job', 'aria-live': 'polite' });
  replace(ctx.main, root);
  /** @type {Job | undefined} */
  let lastJob;
  let busy = false;

  const render = () => {
    const vm = ctx.state.vms.get(vmId);
    if (!vm) {
      replace(root, h('p', { class: 'muted' }, ctx.state.loaded ? 'This VM is not in the inventory (it may have been deleted).' : 'Loading…'),
        h('p', {}, h('a', { href: '#/vms' }, 'All virtual machines')), jobBox);
      return;
    }
    replace(root,
      h('p', {}, h('a', { href: '#/vms' }, '← Virtual machines')),
      h('h1', {}, vm.name, ' ', h('span', { class: 'vm-state' }, badge(vm.state)), vm.stale ? badge('stale') : null),
      vm.stale ? h('div', { class: 'problem' }, `The host ${vm.host} is not answering: this is the VM as last seen ${formatTime(vm.lastSeen)}.`) : null,
      ctx.canWrite ? actionBar(vm) : null,
      jobBox,
      h('div', { class: 'grid' },
        h('section', { class: 'panel', 'aria-label': 'Summary' }, h('h2', {}, 'Summary'), facts(vm)),
        h('section', { class: 'panel', 'aria-label': 'Network' }, h('h2', {}, 'IP addresses'),
          vm.ipAddresses.length ? h('ul', {}, vm.ipAddresses.map((ip) => h('li', {}, ip))) : h('p', { class: 'muted' }, 'none reported'),
          h('h3', {}, 'Notes'), vm.notes ? h('p', { style: 'white-space:pre-wrap' }, vm.notes) : h('p', { class: 'muted' }, 'none'))),
      h('section', { class: 'panel', 'aria-label': 'Disks' }, h('h2', {}, 'Disks'), disksTable(vm)),
      h('section', { class: 'panel', 'aria-label': 'Network adapters' }, h('h2', {}, 'Network adapters'), nicsTable(vm)));
  };

  /** @param {Vm} vm */
  const actionBar = (vm) => {
    const allowed = new Set(actionsFor(vm.state));
    return h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' },
      Object.entries(POWER_ACTIONS).filter(([name]) => allowed.has(name)).map(([name, a]) =>
        h('button', { type: 'button', 'data-action': name, disabled: busy || vm.stale, onclick: () => void power(name) }, a.label)),
      h('button', { type: 'button', class: 'danger', 'data-action': 'delete', disabled: busy, onclick: () => confirmDelete(vm) }, 'Delete…'));
  };

  /** @param {string} action */
  const power = async (action) => {
    busy = true;
    render();
    try {
      const job = await api(`/api/v1/vms/${encodeURIComponent(vmId)}/${action}`, { method: 'POST' });
      track(job);
    } catch (error) {
      ctx.showError(error);
    } finally {
      busy = false;
      render();
    }
  };

  /** @param {Vm} vm */
  const confirmDelete = (vm) => {
    const deleteDisks = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', name: 'deleteDisks' }));
    const force = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', name: 'force', checked: vm.state !== 'Off' }));
    const dialog = /** @type {HTMLDialogElement} */ (h('dialog', { 'aria-labelledby': 'delete-title' },
      h('h2', { id: 'delete-title' }, `Delete ${vm.name}?`),
      h('p', {}, 'The VM is removed from its host (and from its cluster). This cannot be undone.'),
      h('label', { class: 'inline' }, deleteDisks, 'Also delete its virtual disks and folder'),
      h('label', { class: 'inline' }, force, 'Turn it off first if it is running'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'danger primary', 'data-action': 'confirm-delete', onclick: async () => {
          dialog.close();
          try {
            const job = await api(`/api/v1/vms/${encodeURIComponent(vmId)}`, { method: 'DELETE', query: { deleteDisks: deleteDisks.checked, force: force.checked } });
            track(job);
          } catch (error) {
            ctx.showError(error);
          }
        } }, 'Delete'),
        h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'))));
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  };

  /** @param {Job} job */
  const track = (job) => {
    lastJob = job;
    ctx.jobStarted(job);
    renderJob();
  };
  const renderJob = () => {
    if (!lastJob) { jobBox.replaceChildren(); return; }
    replace(jobBox, h('p', { class: 'panel', 'data-job-id': lastJob.id }, 'Job ', h('a', { href: `#/jobs/${lastJob.id}` }, `${lastJob.kind}`), ' ',
      badge(lastJob.state), lastJob.currentStep ? ` step ${lastJob.currentStep}` : '', lastJob.error ? h('span', { class: 'error-text' }, ` ${lastJob.error.message}`) : null));
  };

  const stopState = ctx.state.listen((change) => {
    if (change.kind === 'reset' || (change.kind === 'vm' && change.vmId === vmId)) render();
  });
  const stopEvents = ctx.onEvent((event) => {
    if (event.topic === 'jobs' && lastJob && event.data?.id === lastJob.id) {
      lastJob = { ...lastJob, ...event.data };
      renderJob();
    }
  });
  render();
  return () => { stopState(); stopEvents(); };
}

/** @param {Vm} vm */
function facts(vm) {
  const m = vm.memory;
  const memory = m.dynamic ? `${formatBytes(m.assignedBytes)} assigned (dynamic ${formatBytes(m.minimumBytes)}–${formatBytes(m.maximumBytes)}, startup ${formatBytes(m.startupBytes)})` : formatBytes(m.startupBytes);
  /** @type {[string, string | Node][]} */
  const items = [
    ['Host', vm.host], ['Cluster', vm.cluster ? `${vm.cluster}${vm.clustered ? ' (clustered role)' : ' (not clustered)'}` : '—'],
    ['CPU', `${vm.cpuCount} virtual processors`], ['Memory', memory], ['Generation', `${vm.generation} (configuration ${vm.configurationVersion})`],
    ['OS', vm.osName ?? '—'], ['Uptime', formatDuration(vm.uptimeSeconds)], ['Created', formatTime(vm.creationTime)],
    ['Last seen', formatTime(vm.lastSeen)], ['VM id', vm.vmId],
  ];
  return h('dl', { class: 'facts' }, items.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** @param {Vm} vm */
function disksTable(vm) {
  if (vm.disks.length === 0) return h('p', { class: 'muted' }, 'no disks');
  return h('table', {}, h('thead', {}, h('tr', {}, ['Path', 'Type', 'Size', 'On disk', 'Controller'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, vm.disks.map((d) => h('tr', {}, h('td', {}, d.path, d.parentPath ? h('div', { class: 'muted' }, `parent ${d.parentPath}`) : null),
      h('td', {}, d.type), h('td', { class: 'num' }, formatBytes(d.sizeBytes)), h('td', { class: 'num' }, formatBytes(d.fileSizeBytes)),
      h('td', {}, `${d.controllerType} ${d.controllerNumber}:${d.controllerLocation}`)))));
}

/** @param {Vm} vm */
function nicsTable(vm) {
  if (vm.nics.length === 0) return h('p', { class: 'muted' }, 'no network adapters');
  return h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'Switch', 'VLAN', 'MAC', 'IP addresses'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, vm.nics.map((n) => h('tr', {}, h('td', {}, n.name), h('td', {}, n.switchName ?? 'not connected'), h('td', {}, n.vlanId ?? 'untagged'),
      h('td', {}, `${n.macAddress}${n.dynamicMac ? ' (dynamic)' : ''}`), h('td', {}, n.ipAddresses.join(', '))))));
}
