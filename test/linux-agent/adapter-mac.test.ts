/**
 * Issue 16 item 7c on Linux: the real Linux agent accepts the orchestrator's network.macAddress
 * and configures the adapter with that MAC; a MAC no adapter has fails the network step instead
 * of configuring another adapter.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { GUEST_ITEM } from '../../server/src/provisioning/index.ts';
import { ETH0_MAC, makeGuestRoot, startAgent, type GuestRoot } from './support/guest-root.ts';
import { playHost } from './support/host.ts';

const VERSION = '0.1.0';
const ipv4 = { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1' };
const roots: GuestRoot[] = [];
after(() => roots.forEach((root) => root.cleanup()));

function newRoot(): GuestRoot {
  const root = makeGuestRoot({ version: VERSION });
  roots.push(root);
  return root;
}

describe('Linux guest agent: the adapter named by network.macAddress', () => {
  test('its MAC → applied, netplan matches that adapter', async () => {
    const root = newRoot();
    const mac = ETH0_MAC.replace(/:/g, '').toUpperCase();
    const result = await playHost(root, startAgent(root), { version: VERSION, config: { hostname: 'web-01', network: { macAddress: mac, ipv4 } } });
    assert.equal(result.items.get(GUEST_ITEM.state), 'applied', result.stderr);
    const plans = readdirSync(root.file('etc/netplan')).map((f) => readFileSync(root.file(`etc/netplan/${f}`), 'utf8')).join('\n');
    assert.match(plans, new RegExp(`macaddress: "${ETH0_MAC}"`));
  });

  test('a MAC no adapter has → failed, "error applying:network"', async () => {
    const root = newRoot();
    const result = await playHost(root, startAgent(root), { version: VERSION, config: { hostname: 'web-01', network: { macAddress: '00155D0A0B0C', ipv4 } } });
    assert.equal(result.items.get(GUEST_ITEM.state), 'failed');
    assert.equal(result.items.get(GUEST_ITEM.error), 'error applying:network');
  });
});
