// @ts-check
/* global document */
/** Notifications: the unread count in the navigation, the list, mark read and mark all read. */
import { api } from './api.js';
import { h, replace, badge, formatTime } from './dom.js';

/** @typedef {import('./main.js').Ctx} Ctx */
/** @typedef {import('./types.js').Notification} Notification */

/** Updates the unread badge in the navigation. */
export async function refreshUnread() {
  const el = document.getElementById('unread');
  if (!el) return;
  try {
    const page = await api('/api/v1/notifications', { query: { unread: true, limit: 1 } });
    el.textContent = String(page.unread);
    el.hidden = page.unread === 0;
    el.setAttribute('aria-label', `${page.unread} unread`);
  } catch {
    el.hidden = true;
  }
}

/** @param {Ctx} ctx @returns {() => void} */
export function showNotifications(ctx) {
  const list = h('div', { 'aria-live': 'polite' });
  const unreadOnly = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: 'unread-only' }));
  const load = async () => {
    try {
      const page = await api('/api/v1/notifications', { query: { limit: 200, unread: unreadOnly.checked ? true : undefined } });
      render(page.items);
    } catch (error) {
      ctx.showError(error);
    }
  };
  /** @param {Notification[]} items */
  const render = (items) => {
    replace(list, items.length === 0 ? h('p', { class: 'muted' }, 'No notifications.') : items.map((n) => h('article', { class: `panel notification${n.read ? '' : ' unread'}`, 'data-notification-id': n.id },
      h('h3', {}, badge(n.level), ' ', n.title),
      h('p', {}, n.message),
      h('p', { class: 'meta' }, `${n.category} · ${formatTime(n.updatedAt)}${n.occurrences > 1 ? ` · ${n.occurrences} times` : ''}`),
      n.read ? null : h('button', { type: 'button', onclick: () => void markRead(n.id) }, 'Mark read'))));
  };
  /** @param {string} id */
  const markRead = async (id) => {
    try {
      await api(`/api/v1/notifications/${encodeURIComponent(id)}/read`, { method: 'POST' });
      await Promise.all([load(), refreshUnread()]);
    } catch (error) {
      ctx.showError(error);
    }
  };
  const markAll = async () => {
    try {
      await api('/api/v1/notifications/read-all', { method: 'POST' });
      await Promise.all([load(), refreshUnread()]);
    } catch (error) {
      ctx.showError(error);
    }
  };
  unreadOnly.addEventListener('change', () => void load());
  replace(ctx.main, h('h1', {}, 'Notifications'),
    h('div', { class: 'filters' }, h('label', { class: 'inline' }, unreadOnly, 'Unread only'), h('button', { type: 'button', onclick: () => void markAll() }, 'Mark all read')),
    list);
  const stop = ctx.onEvent((event) => { if (event.topic === 'notifications') void load(); });
  void load();
  return stop;
}
