// @ts-check
/* global document, location, window */
/**
 * Boot and routing: who is signed in, the laboratory and sign-in banners, the live connection,
 * the inventory, and which view the URL's #fragment shows.
 */
import { api, ApiError, setCsrfToken } from './api.js';
import { h, replace } from './dom.js';
import { LiveConnection } from './live.js';
import { EstateState } from './state.js';
import { showInventory } from './view-inventory.js';
import { showVmList } from './view-vms.js';
import { showVm } from './view-vm.js';
import { showNewVm } from './view-new-vm.js';
import { showJobList, showJob } from './view-jobs.js';
import { showNotifications, refreshUnread } from './view-notifications.js';

/**
 * What every view gets.
 * @typedef {{
 *   state: EstateState, live: LiveConnection, me: import('./types.js').Me, canWrite: boolean,
 *   main: HTMLElement, onEvent: (listener: (event: import('./types.js').LiveEvent) => void) => () => void,
 *   toast: (message: string | Node, kind?: 'info' | 'error') => void, showError: (error: unknown) => void,
 *   jobStarted: (job: import('./types.js').Job) => void,
 * }} Ctx
 */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const state = new EstateState();
/** @type {Set<(event: import('./types.js').LiveEvent) => void>} */
const eventListeners = new Set();
/** @type {(() => void) | undefined} */
let disposeView;

function toast(/** @type {string | Node} */ message, kind = 'info') {
  const box = /** @type {HTMLElement} */ (document.getElementById('toasts'));
  const el = h('div', { class: `toast ${kind}` }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 12_000 : 6_000);
}

function showError(/** @type {unknown} */ error) {
  if (error instanceof ApiError && error.status === 401) toast(h('span', {}, 'Your session has ended: ', h('a', { href: '/auth/login?returnTo=/' }, 'sign in again')), 'error');
  else if (error instanceof ApiError) toast(h('span', {}, h('strong', {}, error.title), error.detail ? ` — ${error.detail}` : ''), 'error');
  else toast(error instanceof Error ? error.message : String(error), 'error');
}

/** @param {string} text @param {string} kind */
function banner(text, kind) {
  document.getElementById('banners')?.append(h('div', { class: `banner ${kind}`, role: 'note' }, text));
}

async function boot() {
  /** @type {import('./types.js').Me} */
  let me;
  try {
    me = await api('/auth/me');
  } catch (error) {
    replace(main, h('div', { class: 'problem' }, `Cannot reach the orchestrator: ${error instanceof Error ? error.message : String(error)}`));
    return;
  }
  renderUser(me);
  if (!me.authenticated) {
    if (me.notice) banner(me.notice, 'warning');
    replace(main, h('div', { class: 'panel' },
      h('h1', {}, 'Sign in'),
      h('p', {}, 'The orchestrator manages Hyper-V hosts and their virtual machines. Sign in to see the estate.'),
      me.signInEnabled ? h('a', { class: 'button primary', href: '/auth/login?returnTo=/' }, 'Sign in') : h('p', { class: 'error-text' }, 'Sign-in is not available: ask an administrator.')));
    return;
  }
  setCsrfToken(me.csrfToken);
  const about = await api('/api/v1/about').catch(() => null);
  if (about?.laboratory) banner('Simulated laboratory: this orchestrator manages the embedded Hyper-V simulator, not real hosts. Nothing done here touches production.', 'laboratory');
  if (!me.signInEnabled || me.laboratoryAdmin) banner(me.notice ?? 'Sign-in is disabled: every caller is an administrator.', 'warning');

  const status = /** @type {HTMLElement} */ (document.getElementById('live-status'));
  const live = new LiveConnection({
    onEvent: (event) => {
      if (event.topic === 'inventory' || event.topic === 'hosts') state.apply(event);
      if (event.topic === 'notifications') void refreshUnread();
      for (const l of eventListeners) l(event);
    },
    onReload: () => void loadInventory(),
    onStatus: (s) => {
      status.className = `live-status ${s}`;
      status.textContent = s === 'live' ? 'Live' : s === 'connecting' ? 'Connecting…' : s === 'denied' ? 'Signed out — reload the page to sign in' : 'Offline — reconnecting';
    },
  });
  live.subscribe(['inventory', 'hosts', 'jobs', 'notifications']);
  live.connect();

  /** @type {Ctx} */
  const ctx = {
    state, live, me, main, toast, showError,
    canWrite: me.roles.includes('writer') || me.roles.includes('admin'),
    onEvent: (listener) => { eventListeners.add(listener); return () => { eventListeners.delete(listener); }; },
    jobStarted: (job) => toast(h('span', {}, `Job ${job.kind} ${job.state}: `, h('a', { href: `#/jobs/${job.id}` }, 'follow it'))),
  };
  await loadInventory();
  void refreshUnread();
  window.addEventListener('hashchange', () => route(ctx));
  route(ctx);
}

async function loadInventory() {
  try {
    state.load(await api('/api/v1/inventory'));
  } catch (error) {
    showError(error);
  }
}

/** @param {import('./types.js').Me} me */
function renderUser(me) {
  const box = /** @type {HTMLElement} */ (document.getElementById('user'));
  if (!me.authenticated) {
    replace(box, me.signInEnabled ? h('a', { class: 'button', href: '/auth/login?returnTo=/' }, 'Sign in') : '');
    return;
  }
  replace(box,
    h('span', { title: `roles: ${me.roles.join(', ')}` }, me.name ?? 'signed in', ' ', h('span', { class: 'badge' }, me.roles.join(', ') || 'no role')),
    me.signInEnabled ? h('button', { type: 'button', onclick: () => void signOut() }, 'Sign out') : null);
}

async function signOut() {
  try {
    const result = await api('/auth/logout', { method: 'POST' });
    location.href = typeof result?.redirectUrl === 'string' ? result.redirectUrl : '/';
  } catch (error) {
    showError(error);
  }
}

/** @param {Ctx} ctx */
function route(ctx) {
  disposeView?.();
  disposeView = undefined;
  const [section = 'inventory', id] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.getAttribute('data-nav') === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.replaceChildren();
  if (section === 'vms' && id) disposeView = showVm(ctx, id);
  else if (section === 'vms') disposeView = showVmList(ctx);
  else if (section === 'new-vm') disposeView = showNewVm(ctx);
  else if (section === 'jobs' && id) disposeView = showJob(ctx, id);
  else if (section === 'jobs') disposeView = showJobList(ctx);
  else if (section === 'notifications') disposeView = showNotifications(ctx);
  else disposeView = showInventory(ctx);
}

void boot();
