/**
 * Renders server/k8s with `kubectl kustomize` (Debian's kubectl, no cluster needed) and checks
 * what an operator relies on: the objects, the probes, the security context, the wiring
 * between them, and that the ConfigMap + Secret form a configuration the service accepts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../server/src/config/load.ts';
import { CONFIG_VARIABLE_NAMES, isSecretVariable } from '../../server/src/config/variables.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');

// Rendered Kubernetes objects are deeply nested free-form documents.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8sObject = any;

describe('server/k8s (kustomize)', () => {
  let objects: K8sObject[];
  const byKind = (kind: string): K8sObject => {
    const found = objects.filter((o) => o.kind === kind);
    assert.equal(found.length, 1, `exactly one ${kind}`);
    return found[0];
  };

  before(async () => {
    const { stdout } = await run('kubectl', ['kustomize', join(REPO, 'server/k8s')], { timeout: 30_000 });
    objects = parseAllDocuments(stdout).map((d) => d.toJS() as K8sObject);
  });

  it('renders the namespace, config, secret, volume claim, deployment, service and ingress', () => {
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment', 'Ingress', 'Namespace', 'PersistentVolumeClaim', 'Secret', 'Service']);
    const namespace = byKind('Namespace').metadata.name;
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) assert.equal(o.metadata.namespace, namespace, o.kind);
    assert.equal(byKind('Namespace').metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
  });

  it('probes /healthz for liveness and /readyz for readiness on the container port, with limits', () => {
    const pod = byKind('Deployment').spec.template.spec;
    const [container] = pod.containers;
    const port = container.ports.find((p: K8sObject) => p.name === 'http');
    assert.equal(port.containerPort, 8000);
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    assert.equal(container.startupProbe.httpGet.path, '/healthz');
    for (const probe of [container.livenessProbe, container.readinessProbe]) assert.equal(probe.httpGet.port, 'http');
    for (const kind of ['requests', 'limits']) {
      assert.ok(container.resources[kind].cpu && container.resources[kind].memory, `resources.${kind}`);
    }
  });

  it('runs non-root with a read-only root filesystem, no capabilities, writable /tmp and data only', async () => {
    const pod = byKind('Deployment').spec.template.spec;
    const [container] = pod.containers;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    const dockerfile = await readFile(join(REPO, 'server/Dockerfile'), 'utf8');
    const [uid, gid] = /^USER (\d+):(\d+)$/m.exec(dockerfile)!.slice(1).map(Number);
    assert.equal(pod.securityContext.runAsUser, uid, 'the image user');
    assert.equal(pod.securityContext.runAsGroup, gid);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
    const mounts = Object.fromEntries(container.volumeMounts.map((m: K8sObject) => [m.mountPath, m.name]));
    assert.deepEqual(Object.keys(mounts).sort(), ['/app/data', '/tmp']);
    const volumes = Object.fromEntries(pod.volumes.map((v: K8sObject) => [v.name, v]));
    assert.ok(volumes[mounts['/tmp']].emptyDir, '/tmp is an emptyDir');
    assert.equal(volumes[mounts['/app/data']].persistentVolumeClaim.claimName, byKind('PersistentVolumeClaim').metadata.name);
  });

  it('wires deployment, service and ingress together and runs the published image of this version', async () => {
    const deployment = byKind('Deployment');
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) assert.equal(podLabels[k], v, `selector ${k}`);
    const service = byKind('Service');
    for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(podLabels[k], v, `service selector ${k}`);
    assert.equal(service.spec.ports[0].targetPort, 'http');
    const backend = byKind('Ingress').spec.rules[0].http.paths[0].backend.service;
    assert.equal(backend.name, service.metadata.name);
    assert.equal(backend.port.name, service.spec.ports[0].name);
    const version = (await readFile(join(REPO, 'version'), 'utf8')).trim();
    assert.match(deployment.spec.template.spec.containers[0].image, new RegExp(`^ghcr\\.io/[^/]+/aetherv-orchestrator:${version.replace(/\./g, '\\.')}$`));
    const envFrom = deployment.spec.template.spec.containers[0].envFrom;
    assert.deepEqual(envFrom.map((e: K8sObject) => (e.configMapRef ?? e.secretRef).name).sort(), [byKind('ConfigMap').metadata.name, byKind('Secret').metadata.name].sort());
  });

  it('keeps secrets out of the ConfigMap and only placeholders in the Secret', () => {
    const config = byKind('ConfigMap').data as Record<string, string>;
    const secret = byKind('Secret').stringData as Record<string, string>;
    assert.equal(byKind('Secret').data, undefined, 'no encoded values hiding real secrets');
    for (const key of Object.keys(config)) {
      assert.ok((CONFIG_VARIABLE_NAMES as string[]).includes(key), `${key} is a known variable`);
      assert.ok(!isSecretVariable(key), `${key} is not a secret`);
    }
    for (const [key, value] of Object.entries(secret)) {
      assert.ok(isSecretVariable(key), `${key} is a secret variable`);
      assert.equal(value, 'CHANGE-ME', key);
    }
    assert.equal(config.ARTIFACTS_BASE_PATH, '/app/artifacts');
  });

  it('is a configuration the service accepts once the placeholders are replaced', () => {
    const config = byKind('ConfigMap').data as Record<string, string>;
    const secret = byKind('Secret').stringData as Record<string, string>;
    const placeholders = loadConfig({ ...config, ...secret }, { inContainer: true }).report;
    assert.ok(placeholders.errors.length > 0, 'the placeholders themselves are refused');
    for (const error of placeholders.errors) assert.ok(error.variable in secret, `only placeholders are refused (${error.variable})`);
    const real = Object.fromEntries(Object.keys(secret).map((k) => [k, randomBytes(36).toString('base64')]));
    const { report } = loadConfig({ ...config, ...real }, { inContainer: true });
    assert.deepEqual(report.errors, []);
  });
});
