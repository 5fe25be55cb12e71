// @ts-check
/* global location */
/** The "New VM" form: builds the POST /api/v1/vms request (see its example in /openapi.json). */
import { api } from './api.js';
import { h, replace } from './dom.js';

/** @typedef {import('./main.js').Ctx} Ctx */

/** @param {Ctx} ctx @returns {() => void} */
export function showNewVm(ctx) {
  if (!ctx.canWrite) {
    replace(ctx.main, h('h1', {}, 'New VM'), h('p', { class: 'problem' }, 'Creating VMs needs the writer role.'));
    return () => undefined;
  }
  /** @param {string} name @param {Record<string, string | number | boolean>} [props] */
  const input = (name, props = {}) => /** @type {HTMLInputElement} */ (h('input', { name, id: `new-${name}`, ...props }));
  const name = input('name', { required: true, maxlength: 100, autocomplete: 'off' });
  const target = /** @type {HTMLSelectElement} */ (h('select', { name: 'target', id: 'new-target', required: true }));
  const image = /** @type {HTMLSelectElement} */ (h('select', { name: 'image', id: 'new-image', required: true }));
  const imageMode = /** @type {HTMLSelectElement} */ (h('select', { name: 'imageMode' }, h('option', { value: 'full' }, 'full copy'), h('option', { value: 'differencing' }, 'differencing disk')));
  const cpu = input('cpuCount', { type: 'number', min: 1, max: 240, value: 2, required: true });
  const memory = input('memoryMiB', { type: 'number', min: 32, value: 2048, required: true });
  const vswitch = /** @type {HTMLSelectElement} */ (h('select', { name: 'switch', id: 'new-switch' }));
  const osFamily = /** @type {HTMLSelectElement} */ (h('select', { name: 'osFamily' }, h('option', { value: '' }, "the image's"), h('option', { value: 'linux' }, 'Linux'), h('option', { value: 'windows' }, 'Windows')));
  const hostname = input('hostname', { maxlength: 63, placeholder: 'defaults to the VM name' });
  const adminUser = input('adminUser', { maxlength: 64, autocomplete: 'off' });
  const adminPassword = input('adminPassword', { type: 'password', autocomplete: 'new-password' });
  const dhcp = input('dhcp', { type: 'checkbox', checked: true });
  const address = input('address', { placeholder: '10.0.0.25', disabled: true });
  const prefix = input('prefixLength', { type: 'number', min: 1, max: 32, value: 24, disabled: true });
  const gateway = input('gateway', { placeholder: '10.0.0.1', disabled: true });
  const dns = input('dns', { placeholder: '10.0.0.2, 10.0.0.3' });
  const sshUser = input('sshUser', { maxlength: 64, placeholder: 'ops', autocomplete: 'off' });
  const sshKey = /** @type {HTMLTextAreaElement} */ (h('textarea', { name: 'sshKey', rows: 2, placeholder: 'ssh-ed25519 AAAA… (Linux guests)' }));
  const notes = /** @type {HTMLTextAreaElement} */ (h('textarea', { name: 'notes', rows: 2, maxlength: 4000 }));
  const clustered = input('clustered', { type: 'checkbox' });
  const result = h('div', { 'aria-live': 'polite' });

  const targets = () => {
    const keep = target.value;
    replace(target,
      ctx.state.clusters.map((c) => h('option', { value: `cluster:${c.name}` }, `Cluster ${c.name} (placed on the node with most free memory)`)),
      [...ctx.state.hosts.values()].sort((a, b) => a.name.localeCompare(b.name)).map((host) => h('option', { value: `host:${host.name}`, disabled: !host.connected }, `Host ${host.name}${host.connected ? '' : ' (disconnected)'}`)));
    if (keep && [...target.options].some((o) => o.value === keep)) target.value = keep;
    targetChanged();
  };
  const parseTarget = () => {
    const [kind, value] = target.value.split(/:(.*)/s);
    return kind === 'cluster' ? { cluster: value } : { host: value };
  };
  const targetChanged = () => {
    const t = parseTarget();
    const { images, switches } = ctx.state.imagesOf(t);
    const keepImage = image.value;
    replace(image, images.map((i) => h('option', { value: i.name }, `${i.name} (${i.osFamily}, generation ${i.generation})`)));
    if (images.some((i) => i.name === keepImage)) image.value = keepImage;
    replace(vswitch, h('option', { value: '' }, 'no network adapter'), switches.map((s) => h('option', { value: s }, s)));
    if (switches.length > 0) vswitch.value = switches[0] ?? '';
    clustered.disabled = !t.cluster && !ctx.state.hosts.get(t.host ?? '')?.cluster;
  };
  target.addEventListener('change', targetChanged);
  dhcp.addEventListener('change', () => { for (const el of [address, prefix, gateway]) el.disabled = dhcp.checked; });

  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'stack', 'aria-label': 'New VM' },
    h('label', {}, 'Name', name), h('label', {}, 'Host or cluster', target), h('label', {}, 'Golden image', image), h('label', {}, 'Disk', imageMode),
    h('label', {}, 'Virtual processors', cpu), h('label', {}, 'Memory (MiB)', memory), h('label', {}, 'Virtual switch', vswitch), h('label', {}, 'OS family', osFamily),
    h('fieldset', {}, h('legend', {}, 'Guest configuration (delivered encrypted over KVP)'),
      h('label', {}, 'Hostname', hostname), h('label', {}, 'Administrator user', adminUser), h('label', {}, 'Administrator password', adminPassword),
      h('label', { class: 'inline' }, dhcp, 'IPv4 by DHCP'), h('label', {}, 'Static IPv4 address', address), h('label', {}, 'Prefix length', prefix),
      h('label', {}, 'Gateway', gateway), h('label', {}, 'DNS servers', dns), h('label', {}, 'SSH user (Linux)', sshUser), h('label', { class: 'wide' }, 'SSH public key', sshKey)),
    h('label', { class: 'wide' }, 'Notes', notes), h('label', { class: 'inline' }, clustered, 'Highly available (cluster role)'),
    h('div', { class: 'actions wide' }, h('button', { type: 'submit', class: 'primary' }, 'Create VM'), h('a', { class: 'button', href: '#/vms' }, 'Cancel')),
    h('div', { class: 'wide' }, result)));

  /** @returns {Record<string, unknown>} */
  const buildRequest = () => {
    /** @type {Record<string, unknown>} */
    const guest = {};
    if (hostname.value.trim()) guest.hostname = hostname.value.trim();
    if (adminUser.value.trim() || adminPassword.value) guest.localAdmin = { username: adminUser.value.trim(), password: adminPassword.value };
    /** @type {Record<string, unknown>} */
    const network = {};
    if (!dhcp.checked) network.ipv4 = { address: address.value.trim(), prefixLength: Number(prefix.value), gateway: gateway.value.trim() };
    const servers = dns.value.split(/[\s,]+/).filter(Boolean);
    if (servers.length > 0) network.dns = { servers };
    if (Object.keys(network).length > 0) guest.network = network;
    if (sshKey.value.trim()) guest.users = [{ name: sshUser.value.trim() || 'ops', sshAuthorizedKeys: sshKey.value.split('\n').map((k) => k.trim()).filter(Boolean), sudo: true }];
    return {
      name: name.value.trim(), ...parseTarget(), image: image.value, imageMode: imageMode.value,
      cpuCount: Number(cpu.value), memory: { startupMiB: Number(memory.value) },
      ...(vswitch.value ? { nics: [{ switchName: vswitch.value }] } : {}),
      ...(osFamily.value ? { osFamily: osFamily.value } : {}),
      ...(notes.value ? { notes: notes.value } : {}),
      ...(Object.keys(guest).length > 0 ? { guest } : {}),
      clustered: clustered.checked && !clustered.disabled,
    };
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    submit.disabled = true;
    result.replaceChildren();
    try {
      const job = await api('/api/v1/vms', { method: 'POST', body: buildRequest() });
      ctx.jobStarted(job);
      location.hash = `#/jobs/${job.id}`;
    } catch (error) {
      replace(result, problemBox(error));
    } finally {
      submit.disabled = false;
    }
  });

  replace(ctx.main, h('h1', {}, 'New VM'), h('div', { class: 'panel' }, form));
  const stop = ctx.state.listen((change) => { if (change.kind === 'reset') targets(); });
  targets();
  return stop;
}

/**
 * A refused request as the operator reads it: the problem's title, its detail, and each listed
 * error (strings, or {path, message} from schema validation) when they add something.
 * @param {unknown} error
 */
function problemBox(error) {
  const problem = /** @type {{ title?: string, detail?: string, message?: string, problem?: { errors?: unknown[] } }} */ (error);
  const title = problem.title ?? 'The request failed';
  const detail = String(problem.detail ?? problem.message ?? '').replace(`${title}: `, '');
  const items = (problem.problem?.errors ?? []).map((e) => (typeof e === 'string' ? e : e && typeof e === 'object' ? `${/** @type {any} */ (e).path ?? ''} ${/** @type {any} */ (e).message ?? ''}`.trim() : String(e)))
    .filter((text) => text && !detail.includes(text));
  return h('div', { class: 'problem', role: 'alert' }, h('strong', {}, title), detail ? ` — ${detail}` : '', items.length ? h('ul', {}, items.map((t) => h('li', {}, t))) : null);
}
