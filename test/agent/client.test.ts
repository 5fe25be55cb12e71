import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { AgentClient, transportTimeoutMs, type AgentClientOptions } from '../../server/src/agent/client.ts';
import { AppError } from '../../server/src/errors.ts';
import { createContractValidator } from '../../server/src/agent/validation.ts';
import { FakeHosts, ok, fail, log, delay, type FakeHandler } from './fake-transport.ts';

const fast = { retry: { minTimeoutMs: 1, maxTimeoutMs: 5 } };

function clientFor(handler: FakeHandler, options: Partial<AgentClientOptions> = {}) {
  const hosts = new FakeHosts(handler);
  const client = new AgentClient({ transports: hosts, validator: null, ...fast, ...options });
  return { hosts, client };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = await promise.then(() => assert.fail('expected a rejection'), (e: unknown) => e);
  assert.ok(error instanceof AppError, `expected AppError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

describe('agent client: request and NDJSON response', () => {
  it('sends one aetherv.agent/1 request with the agent command and streams logs before the result', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { hosts, client } = clientFor(async (run, emit) => {
      emit(log('copying', 'info'));
      emit(log('slow disk', 'warn'));
      await gate;
      return { lines: [ok(run, { name: 'hv01' })] };
    });
    const logs: string[] = [];
    const call = client.hostInfo('hv01', {}, { correlationId: 'corr-1', deadlineSeconds: 30, onLog: (l) => logs.push(`${l.level}:${l.message}`) });
    await delay(20);
    assert.deepEqual(logs, ['info:copying', 'warn:slow disk'], 'logs arrive while the call is still running');
    release();
    assert.deepEqual(await call, { name: 'hv01' });
    const run = hosts.runs[0]!;
    assert.equal(run.options.command, 'powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "C:\\Program Files\\Aether-V\\AetherV.Agent.ps1"');
    assert.equal(run.request.protocol, 'aetherv.agent/1');
    assert.equal(run.request.operation, 'host.info');
    assert.match(run.request.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(run.request.deadlineSeconds, 30);
    assert.equal(run.options.timeoutMs, transportTimeoutMs(30));
    assert.ok(run.options.timeoutMs! > 30_000, 'the transport waits longer than the agent deadline');
    assert.equal(run.options.correlationId, 'corr-1');
  });

  it('uses the configured install directory, quoted as one argument', async () => {
    const { hosts, client } = clientFor((run) => ({ lines: [ok(run)] }), { installDirectory: 'D:\\Agents\\Aether V\\' });
    await client.hostInfo('hv01');
    assert.equal(hosts.runs[0]!.options.command.endsWith('-File "D:\\Agents\\Aether V\\AetherV.Agent.ps1"'), true);
  });

  it('tolerates a byte-order mark and blank lines', async () => {
    const { client } = clientFor((run) => ({ lines: [`\uFEFF${log('x')}`, '', '  ', ok(run, { a: 1 })] }));
    assert.deepEqual(await client.hostInfo('hv01'), { a: 1 });
  });

  const malformed: [string, FakeHandler, RegExp][] = [
    ['no result line', () => ({ lines: [log('only a log')] }), /no result line/],
    ['bad JSON', (run) => ({ lines: ['WARNING: something', ok(run)] }), /not JSON/],
    ['a JSON value that is not an object', (run) => ({ lines: ['[1,2]', ok(run)] }), /not a JSON object/],
    ['an unknown line type', (run) => ({ lines: [JSON.stringify({ type: 'progress' }), ok(run)] }), /unknown type/],
    ['an id mismatch', () => ({ lines: [JSON.stringify({ type: 'result', id: '00000000-0000-4000-8000-000000000000', ok: true, result: {} })] }), /expected/],
    ['two result lines', (run) => ({ lines: [ok(run), ok(run)] }), /second result/],
    ['ok:true without a result object', (run) => ({ lines: [JSON.stringify({ type: 'result', id: run.request.id, ok: true })] }), /neither/],
    ['ok:false without an error code', (run) => ({ lines: [JSON.stringify({ type: 'result', id: run.request.id, ok: false, error: {} })] }), /neither/],
    ['a non-zero exit after a result', (run) => ({ lines: [ok(run)], exitCode: 1 }), /exited with code 1/],
    ['a non-zero exit and nothing on stdout', () => ({ exitCode: 1, stderr: 'The term AetherV.Agent.ps1 is not recognized' }), /no result line.*exit code 1/],
  ];
  for (const [name, handler, message] of malformed) {
    it(`reports ${name} as AGENT_TRANSPORT`, async () => {
      const { hosts, client } = clientFor(handler, { retry: { retries: 0 } });
      const error = await rejectsWith(client.hostInfo('hv01'), 'AGENT_TRANSPORT');
      assert.match(error.message, message);
      assert.equal(error.details.host, 'hv01');
      assert.equal(hosts.runs.length, 1);
    });
  }

  it('keeps stderr for diagnosis, truncated in the middle', async () => {
    const stderr = `FIRST-ERROR ${'x'.repeat(20_000)} LAST-WORDS`;
    const { client } = clientFor(() => ({ exitCode: 1, stderr }), { retry: { retries: 0 } });
    const error = await rejectsWith(client.hostInfo('hv01'), 'AGENT_TRANSPORT');
    const kept = String(error.details.stderr);
    assert.ok(kept.length < 4200, `kept ${kept.length} characters`);
    assert.match(kept, /^FIRST-ERROR/);
    assert.match(kept, /LAST-WORDS$/);
    assert.match(kept, /characters omitted/);
  });

  it('turns an agent error into AGENT_OPERATION_FAILED carrying the agent code, without retrying it', async () => {
    const { hosts, client } = clientFor((run) => ({ lines: [fail(run, 'VM_NOT_FOUND')] }));
    const error = await rejectsWith(client.vmDelete('hv01', { vmId: '6f1c1a4e-8a1b-4a51-9d54-0a1d2c3b4e5f' }), 'AGENT_OPERATION_FAILED');
    assert.equal(error.details.agentCode, 'VM_NOT_FOUND');
    assert.equal(error.retryable, false);
    assert.equal(hosts.runs.length, 1);
  });

  it('accepts id null on an error result (the agent could not read the request)', async () => {
    const { client } = clientFor(() => ({ lines: [JSON.stringify({ type: 'result', id: null, ok: false, error: { code: 'INVALID_REQUEST', message: 'bad', retryable: false } })] }));
    const error = await rejectsWith(client.hostInfo('hv01'), 'AGENT_OPERATION_FAILED');
    assert.equal(error.details.agentCode, 'INVALID_REQUEST');
  });
});

describe('agent client: deadlines and retries', () => {
  it('maps a transport timeout to AGENT_DEADLINE and does not retry it', async () => {
    const { hosts, client } = clientFor(() => {
      throw new AppError('REMOTE_TIMEOUT', 'too slow');
    });
    await rejectsWith(client.hostInfo('hv01', {}, { deadlineSeconds: 5 }), 'AGENT_DEADLINE');
    assert.equal(hosts.runs.length, 1);
    assert.equal(hosts.runs[0]!.options.timeoutMs, transportTimeoutMs(5));
  });

  it('retries retryable agent errors with a new request id each time, then succeeds', async () => {
    const { hosts, client } = clientFor((run) => ({ lines: [hosts.runs.length < 3 ? fail(run, 'HOST_BUSY', true) : ok(run, { done: true })] }));
    assert.deepEqual(await client.hostInfo('hv01'), { done: true });
    assert.equal(hosts.runs.length, 3);
    assert.equal(new Set(hosts.runs.map((r) => r.request.id)).size, 3);
  });

  it('retries retryable transport failures but gives up after the configured retries', async () => {
    const { hosts, client } = clientFor(() => {
      throw new AppError('REMOTE_CONNECTION_DROPPED', 'dropped');
    }, { retry: { retries: 2 } });
    await rejectsWith(client.hostInfo('hv01'), 'REMOTE_CONNECTION_DROPPED');
    assert.equal(hosts.runs.length, 3);
  });

  it('does not retry non-retryable transport failures (authentication)', async () => {
    const { hosts, client } = clientFor(() => {
      throw new AppError('REMOTE_AUTH', 'nope');
    });
    await rejectsWith(client.hostInfo('hv01'), 'REMOTE_AUTH');
    assert.equal(hosts.runs.length, 1);
  });

  it('does not retry an agent-reported DEADLINE_EXCEEDED', async () => {
    const { hosts, client } = clientFor((run) => ({ lines: [fail(run, 'DEADLINE_EXCEEDED', true)] }));
    await rejectsWith(client.hostInfo('hv01'), 'AGENT_OPERATION_FAILED');
    assert.equal(hosts.runs.length, 1);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const { hosts, client } = clientFor(async (run) => {
      await new Promise<void>((resolve) => run.options.signal!.addEventListener('abort', () => resolve(), { once: true }));
      throw new AppError('REMOTE_CANCELLED', 'cancelled');
    });
    const call = client.hostInfo('hv01', {}, { signal: controller.signal });
    await delay(10);
    controller.abort();
    await rejectsWith(call, 'REMOTE_CANCELLED');
    assert.equal(hosts.runs.length, 1);
    await rejectsWith(client.hostInfo('hv01', {}, { signal: AbortSignal.abort() }), 'REMOTE_CANCELLED');
    assert.equal(hosts.runs.length, 1, 'an already cancelled call never reaches the host');
  });
});

describe('agent client: concurrency limits', () => {
  it('never runs more than HOST_CONCURRENCY calls on a host nor REMOTE_CONCURRENCY in total', async () => {
    const { hosts, client } = clientFor(async (run) => {
      await delay(5 + (run.request.id.charCodeAt(0) % 7));
      return { lines: [ok(run)] };
    }, { limits: { perHost: 2, total: 5 } });
    const calls: Promise<unknown>[] = [];
    for (let h = 0; h < 6; h++) for (let i = 0; i < 8; i++) calls.push(client.hostInfo(`hv0${h}`));
    await Promise.all(calls);
    assert.equal(hosts.runs.length, 48);
    assert.equal(hosts.maxActive, 5, 'the total limit is reached and never exceeded');
    for (const [host, max] of hosts.maxActiveByHost) assert.ok(max <= 2, `${host} had ${max} calls at once`);
    assert.ok([...hosts.maxActiveByHost.values()].some((max) => max === 2));
  });

  it('a slow host does not hold the global slots other hosts need', async () => {
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    const { client } = clientFor(async (run) => {
      if (run.host === 'slow') await slowGate;
      return { lines: [ok(run)] };
    }, { limits: { perHost: 2, total: 3 } });
    const slow = Array.from({ length: 6 }, () => client.hostInfo('slow'));
    await delay(5);
    await client.hostInfo('fast');
    releaseSlow();
    await Promise.all(slow);
  });
});

describe('agent client: circuit breaker', () => {
  it('opens after repeated transport failures, fails fast, then lets one trial through and closes', async () => {
    let healthy = false;
    const { hosts, client } = clientFor((run) => {
      if (!healthy && run.host === 'hv01') throw new AppError('REMOTE_CONNECT', 'refused');
      return { lines: [ok(run)] };
    }, { retry: { retries: 0 }, breaker: { failureThreshold: 3, halfOpenAfterMs: 150 } });
    for (let i = 0; i < 3; i++) await rejectsWith(client.hostInfo('hv01'), 'REMOTE_CONNECT');
    assert.equal(client.breakerState('hv01'), 'open');
    const error = await rejectsWith(client.hostInfo('hv01'), 'REMOTE_CIRCUIT_OPEN');
    assert.equal(error.details.host, 'hv01');
    assert.equal(hosts.runs.length, 3, 'an open circuit does not touch the host');
    await client.hostInfo('hv02');
    assert.equal(client.breakerState('hv02'), 'closed', 'other hosts are unaffected');

    await delay(200);
    await rejectsWith(client.hostInfo('hv01'), 'REMOTE_CONNECT');
    assert.equal(client.breakerState('hv01'), 'open', 'a failed trial opens it again');
    await delay(200);
    healthy = true;
    await client.hostInfo('hv01');
    assert.equal(client.breakerState('hv01'), 'closed');
  });

  it('a circuit-open error is not retried', async () => {
    const { hosts, client } = clientFor(() => {
      throw new AppError('REMOTE_CONNECT', 'refused');
    }, { retry: { retries: 5, minTimeoutMs: 1, maxTimeoutMs: 1 }, breaker: { failureThreshold: 2, halfOpenAfterMs: 60_000 } });
    await rejectsWith(client.hostInfo('hv01'), 'REMOTE_CIRCUIT_OPEN');
    assert.equal(hosts.runs.length, 2);
  });

  it('agent errors do not count: a host that answers is healthy', async () => {
    const { client } = clientFor((run) => ({ lines: [fail(run, 'VM_NOT_FOUND')] }), { breaker: { failureThreshold: 2, halfOpenAfterMs: 60_000 } });
    for (let i = 0; i < 4; i++) await rejectsWith(client.hostInfo('hv01'), 'AGENT_OPERATION_FAILED');
    assert.equal(client.breakerState('hv01'), 'closed');
  });
});

describe('agent client: contract checks and secrets', () => {
  const vmId = '6f1c1a4e-8a1b-4a51-9d54-0a1d2c3b4e5f';

  it('rejects params that do not match the schema before anything is sent, without echoing values', async () => {
    const validator = await createContractValidator();
    const { hosts, client } = clientFor((run) => ({ lines: [ok(run)] }), { validator });
    const secret = 'TOP-SECRET-VALUE';
    const bad = { vmId, items: [{ key: 'aetherv.key', value: secret, extra: secret }] };
    const error = await rejectsWith(client.kvpSet('hv01', bad as never), 'VALIDATION_FAILED');
    assert.equal(hosts.runs.length, 0);
    assert.ok(!error.message.includes(secret));
    assert.ok(!JSON.stringify(error.details).includes(secret));
    await rejectsWith(client.call('hv01', 'no.such' as never, {} as never), 'VALIDATION_FAILED');
  });

  it('checks results against the result schema', async () => {
    const validator = await createContractValidator();
    const { client } = clientFor((run) => ({ lines: [ok(run, { vmId, keys: 'not-an-array' })] }), { validator });
    const error = await rejectsWith(client.kvpSet('hv01', { vmId, items: [{ key: 'k', value: 'v' }] }), 'AGENT_TRANSPORT');
    assert.match(error.message, /keys/);
  });

  it('logs operation names and ids, never params (kvp.set payloads)', async () => {
    const validator = await createContractValidator();
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const logger = pino({ level: 'debug' }, sink);
    const { client } = clientFor((run) => ({ lines: [log('publishing'), ok(run, { vmId, keys: ['aetherv.key'] })] }), { validator, logger });
    const secret = 'c2VjcmV0LWtleS1tYXRlcmlhbA==';
    const result = await client.kvpSet('hv01', { vmId, items: [{ key: 'aetherv.key', value: secret }] }, { correlationId: 'job-7' });
    assert.deepEqual(result, { vmId, keys: ['aetherv.key'] });
    const text = lines.join('');
    assert.match(text, /kvp\.set/);
    assert.match(text, /job-7/);
    assert.ok(!text.includes(secret), 'the payload never reaches the log');
  });
});
