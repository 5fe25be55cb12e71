/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) against a real
 * orchestrator running the embedded simulated laboratory: banners, the inventory tree, live
 * updates over /ws without a reload, a power action clicked in the page, the New VM form's
 * problem display, and role-based hiding of write actions.
 * Screenshots are written only when WEB_SCREENSHOTS names a folder (for a human to look at).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../server/src/main.ts';
import { CHROMIUM, launchBrowser, type TestBrowser } from './browser.ts';

interface VmView { vmId: string; name: string; host: string; state: string }
interface InventoryView { clusters: { name: string; hosts: string[] }[]; standaloneHosts: string[]; vms: VmView[] }

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

describe('web UI in Chromium', { skip, timeout: 90_000 }, () => {
  let server: RunningServer;
  let browser: TestBrowser;
  let page: Page;
  let dir: string;
  const pageErrors: string[] = [];

  const apiGet = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const vmByName = async (name: string): Promise<VmView> => {
    const page = await apiGet<{ items: VmView[] }>(`/api/v1/vms?name=${encodeURIComponent(name)}`);
    const vm = page.items.find((v) => v.name === name);
    assert.ok(vm, `VM ${name} not found`);
    return vm;
  };
  const screenshot = async (name: string): Promise<void> => {
    if (process.env.WEB_SCREENSHOTS) await page.screenshot({ path: join(process.env.WEB_SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aetherv-web-'));
    server = await startServer({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'a.db')}`, LOG_LEVEL: 'warn' },
      { handleSignals: false, logger: pino({ level: 'silent' }) });
    // Ready = agents deployed; the jobs engine starts after the first inventory pass.
    const deadline = Date.now() + 45_000;
    for (;;) {
      const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { ready: boolean; checks: Record<string, { ready: boolean }> };
      if (ready.ready && ready.checks.jobs?.ready) break;
      assert.ok(Date.now() < deadline, `orchestrator not ready: ${JSON.stringify(ready)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Refused requests are logged by Chromium itself ("Failed to load resource"); the page shows those as problems.
    page.on('console', (message) => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text()); });
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the laboratory and sign-in-disabled banners and who is signed in', async () => {
    await page.goto(`${server.url}/`);
    await page.locator('.banner.laboratory').waitFor();
    assert.match(await page.locator('.banner.laboratory').innerText(), /Simulated laboratory/);
    assert.match(await page.locator('.banner.warning').innerText(), /sign-in is disabled/i);
    assert.match(await page.locator('#user').innerText(), /Laboratory administrator/);
    await page.locator('#live-status.live').waitFor();
  });

  it('shows cluster CLU01 with HV01 and HV02, HV03 standalone, and every VM under its host', async () => {
    const inventory = await apiGet<InventoryView>('/api/v1/inventory');
    assert.deepEqual(inventory.clusters.map((c) => [c.name, [...c.hosts].sort()]), [['CLU01', ['HV01', 'HV02']]]);
    assert.deepEqual(inventory.standaloneHosts, ['HV03']);
    const cluster = page.locator('section[data-cluster="CLU01"]');
    await cluster.waitFor();
    for (const host of ['HV01', 'HV02']) assert.equal(await cluster.locator(`[data-host="${host}"]`).count(), 1, `${host} in CLU01`);
    const standalone = page.locator('section[aria-label="Standalone hosts"]');
    assert.equal(await standalone.locator('[data-host="HV03"]').count(), 1);
    assert.equal(await cluster.locator('[data-host="HV03"]').count(), 0, 'a standalone host is not put in a cluster');
    assert.ok(inventory.vms.length >= 10);
    for (const vm of inventory.vms) {
      const names = await page.locator(`[data-host="${vm.host}"] li a`).allInnerTexts();
      assert.ok(names.includes(vm.name), `${vm.name} listed under ${vm.host}: ${names.join(', ')}`);
    }
    await screenshot('inventory');
    await page.click('[data-host="HV03"] button[data-action="refresh-host"]');
    await page.locator('.toast', { hasText: 'HV03 re-read' }).waitFor();
  });

  it('updates a VM row live when its state changes behind the page (no reload)', async () => {
    await page.goto(`${server.url}/#/vms`);
    await page.locator('table.vms tbody tr').first().waitFor();
    const inventory = await apiGet<InventoryView>('/api/v1/inventory');
    assert.equal(await page.locator('table.vms tbody tr').count(), inventory.vms.length);
    const running = inventory.vms.find((v) => v.state === 'Running' && v.host === 'HV03');
    assert.ok(running);
    await page.evaluate(() => { (globalThis as unknown as { marker: number }).marker = 42; });
    const res = await fetch(`${server.url}/api/v1/vms/${running.vmId}/pause`, { method: 'POST' });
    assert.equal(res.status, 202, `pause: ${res.status}`);
    await page.locator(`tr[data-vm-id="${running.vmId}"] .vm-state`, { hasText: 'Paused' }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 42, 'the page was not reloaded');
    // The filter by state finds it.
    await page.selectOption('#filter-state', 'Paused');
    assert.ok((await page.locator('table.vms tbody tr:not([hidden])').allInnerTexts()).some((t) => t.includes(running.name)));
    await screenshot('vms');
  });

  it('runs a power action clicked in the page: a job, then the VM in its new state', async () => {
    const saved = (await apiGet<InventoryView>('/api/v1/inventory')).vms.find((v) => v.state === 'Saved');
    assert.ok(saved, 'the laboratory has a Saved VM');
    await page.goto(`${server.url}/#/vms/${saved.vmId}`);
    await page.locator('h1 .vm-state', { hasText: 'Saved' }).waitFor();
    // Only the actions valid for Saved are offered.
    const offered = await page.locator('[data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    assert.deepEqual(offered.sort(), ['delete', 'start', 'stop']);
    await page.click('button[data-action="start"]');
    const jobBox = page.locator('.vm-job [data-job-id]');
    await jobBox.waitFor();
    const jobId = await jobBox.getAttribute('data-job-id');
    await page.locator('h1 .vm-state', { hasText: 'Running' }).waitFor({ timeout: 20_000 });
    await page.locator('.vm-job .badge', { hasText: 'succeeded' }).waitFor({ timeout: 20_000 });
    const job = await apiGet<{ kind: string; state: string; vmId: string }>(`/api/v1/jobs/${jobId}`);
    assert.deepEqual([job.kind, job.state, job.vmId], ['power', 'succeeded', saved.vmId]);
    assert.equal((await vmByName(saved.name)).state, 'Running');
    await screenshot('vm');
    // The job view shows its steps and log.
    await page.goto(`${server.url}/#/jobs/${jobId}`);
    await page.locator('.log', { hasText: 'succeeded' }).waitFor();
    assert.ok((await page.locator('section[aria-label="Steps"] tbody tr').count()) >= 2);
    await page.goto(`${server.url}/#/jobs`);
    await page.locator(`tr[data-job-id="${jobId}"]`).waitFor();
  });

  it('shows the problem title and detail when the API refuses a New VM request', async () => {
    await page.goto(`${server.url}/#/new-vm`);
    await page.fill('#new-name', 'ui-bad-address');
    await page.selectOption('#new-target', 'host:HV03');
    await page.uncheck('input[name="dhcp"]');
    await page.fill('input[name="address"]', '999.0.0.1');
    await page.fill('input[name="gateway"]', '10.0.0.1');
    await page.click('button[type="submit"]');
    const problem = page.locator('[role="alert"].problem');
    await problem.waitFor();
    const text = await problem.innerText();
    assert.match(text, /failed|invalid/i);
    assert.match(text, /ipv4|address/i);
    await screenshot('new-vm');
  });

  it('provisions a VM from the New VM form and follows its job live', async () => {
    await page.goto(`${server.url}/#/new-vm`);
    await page.fill('#new-name', 'ui-web-01');
    await page.selectOption('#new-target', 'host:HV03');
    await page.selectOption('#new-image', 'Debian-12');
    await page.selectOption('select[name="imageMode"]', 'differencing');
    await page.fill('input[name="cpuCount"]', '2');
    await page.fill('input[name="memoryMiB"]', '1024');
    await page.selectOption('#new-switch', 'External');
    await page.fill('input[name="hostname"]', 'ui-web-01');
    await page.uncheck('input[name="dhcp"]');
    await page.fill('input[name="address"]', '10.0.2.50');
    await page.fill('input[name="gateway"]', '10.0.2.1');
    await page.fill('input[name="dns"]', '10.0.2.2');
    await page.fill('input[name="sshUser"]', 'deploy');
    await page.fill('textarea[name="sshKey"]', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0cB2v9Cq3V5n1bE1rj0x0m0Zl5nqkQy3y6b2Jt7dL deploy@example');
    await page.click('button[type="submit"]');
    await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/);
    const jobId = page.url().split('/').pop()!;
    await page.locator('h1 .job-state', { hasText: 'succeeded' }).waitFor({ timeout: 45_000 });
    const job = await apiGet<{ kind: string; state: string; params: Record<string, unknown>; result: { vmId: string } }>(`/api/v1/jobs/${jobId}`);
    assert.equal(job.kind, 'provision');
    assert.equal(job.params.name, 'ui-web-01');
    const vm = await vmByName('ui-web-01');
    assert.equal(vm.vmId, job.result.vmId);
    assert.equal(vm.state, 'Running');
    // The log streamed in while the job ran, and the new VM reached the table without a reload.
    assert.ok((await page.locator('.log > div').count()) > 5);
    await screenshot('job');
    await page.goto(`${server.url}/#/vms`);
    await page.locator(`tr[data-vm-id="${vm.vmId}"]`).waitFor();
  });

  it('deletes a VM through the confirmation dialog (forced, with its disks)', async () => {
    const vm = await vmByName('ui-web-01');
    await page.goto(`${server.url}/#/vms/${vm.vmId}`);
    await page.click('button[data-action="delete"]');
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    assert.equal(await dialog.locator('input[name="force"]').isChecked(), true, 'a running VM is turned off first by default');
    await dialog.locator('input[name="deleteDisks"]').check();
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'DELETE'),
      dialog.locator('button[data-action="confirm-delete"]').click(),
    ]);
    assert.match(request.url(), /deleteDisks=true/);
    assert.match(request.url(), /force=true/);
    await page.locator('.vm-job .badge', { hasText: 'succeeded' }).waitFor({ timeout: 20_000 });
    await page.locator('main', { hasText: 'not in the inventory' }).waitFor();
    const left = await apiGet<{ items: VmView[] }>('/api/v1/vms?name=ui-web-01');
    assert.deepEqual(left.items, []);
  });

  it('cancels a running provisioning job from its page', async () => {
    const body = { name: 'ui-cancel-01', host: 'HV03', image: 'Debian-12', imageMode: 'differencing', cpuCount: 1, memory: { startupMiB: 512 }, nics: [{ switchName: 'External' }] };
    const res = await fetch(`${server.url}/api/v1/vms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    assert.equal(res.status, 202, text);
    const { id } = JSON.parse(text) as { id: string };
    await page.goto(`${server.url}/#/jobs/${id}`);
    await page.locator('button', { hasText: 'Cancel job' }).click();
    await page.locator('h1 .job-state', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    assert.equal((await apiGet<{ state: string }>(`/api/v1/jobs/${id}`)).state, 'cancelled');
    assert.equal(await page.locator('button', { hasText: 'Cancel job' }).count(), 0, 'no cancel button on a finished job');
  });

  it('hides write actions from a reader', async () => {
    const reader = await browser.context.newPage();
    await reader.route('**/auth/me', (route) => route.fulfill({ json: { authenticated: true, signInEnabled: true, laboratoryAdmin: false, name: 'Rita Reader', roles: ['reader'], csrfToken: 'x' } }));
    try {
      const vm = (await apiGet<InventoryView>('/api/v1/inventory')).vms[0]!;
      await reader.goto(`${server.url}/#/vms/${vm.vmId}`);
      await reader.locator('h1', { hasText: vm.name }).waitFor();
      assert.equal(await reader.locator('[data-action]').count(), 0);
      assert.match(await reader.locator('#user').innerText(), /Rita Reader/);
      assert.equal(await reader.locator('#user button', { hasText: 'Sign out' }).count(), 1);
      await reader.goto(`${server.url}/#/vms`);
      await reader.locator('table.vms tbody tr').first().waitFor();
      assert.equal(await reader.locator('a', { hasText: 'New VM' }).count(), 0);
    } finally {
      await reader.close();
    }
  });

  it('renders and filters an estate of 1,200 VMs quickly', async () => {
    const real = await apiGet<InventoryView & { vms: Record<string, unknown>[] }>('/api/v1/inventory');
    const template = real.vms[0]!;
    const vms = Array.from({ length: 1200 }, (_, i) => ({ ...template, vmId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `bulk-${String(i).padStart(4, '0')}`, host: ['HV01', 'HV02', 'HV03'][i % 3], state: i % 4 === 0 ? 'Off' : 'Running' }));
    const big = await browser.context.newPage();
    await big.route('**/api/v1/inventory', (route) => route.fulfill({ json: { ...real, vms } }));
    try {
      const started = Date.now();
      await big.goto(`${server.url}/#/vms`);
      await big.locator('table.vms tbody tr').nth(1199).waitFor({ state: 'attached' });
      const elapsed = Date.now() - started;
      assert.equal(await big.locator('table.vms tbody tr').count(), 1200);
      assert.ok(elapsed < 5_000, `1,200 rows in ${elapsed} ms`);
      await big.fill('#filter-name', 'bulk-11');
      await big.locator('[role="status"]', { hasText: '100 of 1200 VMs' }).waitFor();
      await big.selectOption('#filter-state', 'Off');
      await big.locator('[role="status"]', { hasText: '25 of 1200 VMs' }).waitFor();
    } finally {
      await big.close();
    }
  });

  it('shows a disconnected host with its last error, and its VMs as stale with when they were last seen', async () => {
    const real = await apiGet<InventoryView & { hosts: Record<string, unknown>[]; vms: Record<string, unknown>[] }>('/api/v1/inventory');
    const hosts = real.hosts.map((h) => (h.name === 'HV03' ? { ...h, connected: false, lastError: 'WinRM: connect ECONNREFUSED 127.0.3.1:5986' } : h));
    const vms = real.vms.map((v) => (v.host === 'HV03' ? { ...v, stale: true, lastSeen: '2026-11-25T23:00:00.000Z' } : v));
    const stale = vms.find((v) => v.host === 'HV03')!;
    const view = await browser.context.newPage();
    await view.route('**/api/v1/inventory', (route) => route.fulfill({ json: { ...real, hosts, vms } }));
    try {
      await view.goto(`${server.url}/#/inventory`);
      const card = view.locator('[data-host="HV03"]');
      await card.locator('.badge', { hasText: 'disconnected' }).waitFor();
      assert.match(await card.innerText(), /ECONNREFUSED/);
      assert.ok(await card.locator('.badge', { hasText: 'stale' }).count() >= 1);
      await view.goto(`${server.url}/#/vms/${String(stale.vmId)}`);
      await view.locator('.problem', { hasText: 'not answering' }).waitFor();
      const power = await view.locator('button[data-action]:not([data-action="delete"])').evaluateAll((els) => els.map((e) => (e as unknown as { disabled: boolean }).disabled));
      assert.ok(power.length > 0 && power.every(Boolean), `no power action on a stale VM: ${JSON.stringify(power)}`);
    } finally {
      await view.close();
    }
  });

  it('offers sign-in when signed out', async () => {
    const visitor = await browser.context.newPage();
    await visitor.route('**/auth/me', (route) => route.fulfill({ json: { authenticated: false, signInEnabled: true, laboratoryAdmin: false, roles: [] } }));
    try {
      await visitor.goto(`${server.url}/`);
      const link = visitor.locator('main a', { hasText: 'Sign in' });
      await link.waitFor();
      assert.equal(await link.getAttribute('href'), '/auth/login?returnTo=/');
    } finally {
      await visitor.close();
    }
  });

  it('raised no script errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
