import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadAgentConfig } from '../../../apps/agent/src/config';
import { loadControlConfig } from '../../../apps/control/src/config/control.config';
import { loadIngestConfig } from '../../../apps/ingest/src/config/ingest.config';
import { loadMaterializerConfig } from '../../../apps/materializer/src/config/materializer.config';
import { loadNotifierConfig } from '../../../apps/notifier/src/config/notifier.config';
import { loadQueryConfig } from '../../../apps/query/src/config/query.config';

/**
 * deploy/k8s: every overlay rendered by `kubectl kustomize` (the kustomize an operator runs), each
 * object checked against the Kubernetes 1.27 schemas (kubernetes-models, prometheus-operator's for
 * ServiceMonitors) and for fields no schema has, and the wiring checked against the code: env
 * names, probe ports, partitions vs replicas, the control app's RBAC. No API server is involved.
 */
const ROOT = join(__dirname, '../../..');
const K8S = join(ROOT, 'deploy/k8s');
const OVERLAYS = readdirSync(join(K8S, 'overlays'));

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}
interface Probe {
  httpGet?: { path?: string; port: number | string };
}
interface Container {
  name: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}
interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean };
}
type Workload = K8sObject & { spec: { replicas?: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } };
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
type ModelClass = new (data: object) => { validate(): void };
interface TypeMapped {
  getAttributeTypeMap(): { baseName: string; type: string }[];
}

/** What apps/control/src/kubernetes/*.ts calls through @kubernetes/client-node, as group/resource/verb. */
const CONTROL_RBAC = [
  '/namespaces/get',
  '/namespaces/create', // readNamespace, createNamespace
  'batch/cronjobs/list',
  'batch/cronjobs/get',
  'batch/cronjobs/create',
  'batch/cronjobs/update',
  'batch/cronjobs/delete',
  'batch/jobs/list',
  'batch/jobs/get',
  'batch/jobs/create', // listNamespacedJob, readNamespacedJob, createNamespacedJob
  '/pods/list',
  '/pods/log/get', // listNamespacedPod, readNamespacedPodLog
];
/** Each app's config loader, by the image argument that starts it; the agent serves no HTTP, so it has no probes. */
const LOADERS: Record<string, (env: NodeJS.ProcessEnv) => unknown> = {
  ingest: loadIngestConfig,
  query: loadQueryConfig,
  control: loadControlConfig,
  materializer: loadMaterializerConfig,
  notifier: loadNotifierConfig,
  agent: loadAgentConfig,
};
const NO_PROBES = new Set(['agent']);
/** Made outside the manifests in production (sealed-secrets / external-secrets), with the keys of the base's placeholder. */
const EXTERNAL_SECRETS = new Set(['runstream-secrets']);
const PLACEHOLDER_SECRET = parseAllDocuments(readFileSync(join(K8S, 'base/secret.yaml'), 'utf8'))[0].toJS() as { stringData: Record<string, string> };
/** A Secret's values as the operator fills them in: the apps refuse a key left at its placeholder. */
const filledIn = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value.replaceAll('REPLACE_ME', 'set-by-the-operator')]));

function render(overlay: string): K8sObject[] {
  let text: string;
  try {
    text = execFileSync('kubectl', ['kustomize', join(K8S, 'overlays', overlay)], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(`kubectl kustomize failed (kubectl >= 1.27 with kustomize v5 must be on PATH): ${(error as Error).message}`, { cause: error });
  }
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject)
    .filter(Boolean);
}

// Both libraries ship CommonJS builds, but resolve their modules at run time: required, not imported.
const nodeRequire = process.getBuiltinModule('node:module').createRequire(__filename);
function schemaValidate(object: K8sObject): void {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const module =
    group === 'monitoring.coreos.com'
      ? `@kubernetes-models/prometheus-operator/${group}/${version}`
      : `kubernetes-models/${group ? `${group}/` : ''}${version}`;
  const Model = (nodeRequire(module) as Record<string, ModelClass | undefined>)[object.kind];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

/** Fields the Kubernetes types do not have (a typo like `readinesProbe` passes the JSON schemas, which allow extra fields). */
const clientModels = nodeRequire('@kubernetes/client-node') as Record<string, TypeMapped | undefined>;
function unknownFields(value: unknown, type: string, path: string): string[] {
  if (value === null || typeof value !== 'object') return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return (value as unknown[]).flatMap((item, i) => unknownFields(item, array[1], `${path}[${i}]`));
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return Object.entries(value).flatMap(([key, item]) => unknownFields(item, map[1], `${path}.${key}`));
  const model = clientModels[type];
  if (!model?.getAttributeTypeMap) return [];
  const fields = new Map(model.getAttributeTypeMap().map((field) => [field.baseName, field.type]));
  return Object.entries(value).flatMap(([key, item]) => (fields.has(key) ? unknownFields(item, fields.get(key)!, `${path}.${key}`) : [`${path}.${key}`]));
}
function modelType(object: K8sObject): string {
  const version = object.apiVersion.split('/').pop()!;
  return `${version[0].toUpperCase()}${version.slice(1)}${object.kind}`;
}

/** Every property of a `class ...Env` in apps/ and libs/: the env variables the code reads through loadEnv. */
function declaredEnv(): Set<string> {
  const names = new Set<string>();
  const files = ['apps', 'libs'].flatMap((dir) => readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((file) => join(ROOT, dir, file)));
  for (const file of files.filter((f) => f.endsWith('.ts') && !f.includes('node_modules'))) {
    for (const body of readFileSync(file, 'utf8').matchAll(/class \w*Env\b[^{]*\{([\s\S]*?)\n\}/g)) {
      for (const field of body[1].matchAll(/^ {2}(?:override )?([A-Z][A-Z0-9_]*)\??\s*[:=;]/gm)) names.add(field[1]);
    }
  }
  return names;
}

const pods = (objects: K8sObject[]) => objects.flatMap((o) => (o.kind === 'Deployment' ? [o as Workload] : o.kind === 'Job' ? [o as Workload] : []));
const byKind = (objects: K8sObject[], kind: string, name?: string) =>
  objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name || o.metadata.name.startsWith(`${name}-`)));
const selects = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The environment a container starts with: its envFrom ConfigMaps and Secrets, then its own env. */
function containerEnv(objects: K8sObject[], container: Container, overlay: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const [map] = byKind(objects, 'ConfigMap').filter((o) => o.metadata.name === source.configMapRef!.name);
      expect({ overlay, configMap: source.configMapRef.name, found: Boolean(map) }).toEqual({ overlay, configMap: source.configMapRef.name, found: true });
      Object.assign(env, map.data);
    }
    if (source.secretRef) {
      const [secret] = byKind(objects, 'Secret').filter((o) => o.metadata.name === source.secretRef!.name);
      if (!secret && EXTERNAL_SECRETS.has(source.secretRef.name)) {
        Object.assign(env, filledIn(PLACEHOLDER_SECRET.stringData));
        continue;
      }
      expect({ overlay, secret: source.secretRef.name, found: Boolean(secret) }).toEqual({ overlay, secret: source.secretRef.name, found: true });
      Object.assign(
        env,
        filledIn((secret.stringData ?? {}) as Record<string, string>),
        Object.fromEntries(Object.entries((secret.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()])),
      );
    }
  }
  for (const variable of container.env ?? []) env[variable.name] = variable.value ?? 'from-a-secret';
  return env;
}

describe.each(OVERLAYS)('deploy/k8s/overlays/%s', (overlay) => {
  const objects = render(overlay);
  const deployments = byKind(objects, 'Deployment') as Workload[];
  const config = (byKind(objects, 'ConfigMap', 'runstream-config')[0]?.data ?? {}) as Record<string, string>;

  it('renders the apps, the migration Job, RBAC, autoscalers, and ServiceMonitors where the overlay asks for them', () => {
    const names = (kind: string) =>
      byKind(objects, kind)
        .map((o) => o.metadata.name)
        .sort();
    expect(names('Deployment')).toEqual(expect.arrayContaining(['control', 'ingest', 'materializer', 'notifier', 'query'].map((app) => `runstream-${app}`)));
    expect(names('Job')).toEqual(['runstream-migrate']);
    expect(names('HorizontalPodAutoscaler')).toEqual(['runstream-ingest', 'runstream-query']);
    expect(names('PodDisruptionBudget')).toEqual(
      expect.arrayContaining(['control', 'ingest', 'materializer', 'notifier', 'query'].map((app) => `runstream-${app}`)),
    );
    // Prometheus Operator's CRDs are not on a laptop cluster: an apply would fail on the kind.
    const monitored = overlay === 'production' ? ['control', 'ingest', 'materializer', 'notifier', 'query'].map((app) => `runstream-${app}`) : [];
    expect(names('ServiceMonitor')).toEqual(monitored);
  });

  it('has only objects valid against the Kubernetes schemas, with no field those types lack', () => {
    const problems = objects.flatMap((object) => {
      const where = `${object.kind}/${object.metadata?.name}`;
      try {
        schemaValidate(object);
      } catch (error) {
        return [`${where}: ${(error as Error).message}`];
      }
      return unknownFields(object, modelType(object), where).map((field) => `${where}: unknown field ${field}`);
    });
    expect(problems).toEqual([]);
  });

  it('sets only env variables some env class declares, and each app accepts its settings', () => {
    const declared = declaredEnv();
    for (const workload of pods(objects)) {
      for (const container of workload.spec.template.spec.containers) {
        const env = containerEnv(objects, container, overlay);
        expect({ container: container.name, undeclared: Object.keys(env).filter((name) => !declared.has(name)) }).toEqual({
          container: container.name,
          undeclared: [],
        });
        const load = LOADERS[container.args?.[0] ?? ''];
        if (load) expect(() => load(env)).not.toThrow();
      }
    }
  });

  it('probes liveness at /health and readiness at /health/ready (the HTTP apps) on a port the container declares and the app listens on', () => {
    for (const deployment of deployments) {
      const [container] = deployment.spec.template.spec.containers;
      if (NO_PROBES.has(container.args?.[0] ?? '')) continue;
      const env = Object.fromEntries((container.env ?? []).map((v) => [v.name, v.value]));
      const listens = Number(env.PORT ?? env.MATERIALIZER_METRICS_PORT ?? env.NOTIFIER_METRICS_PORT);
      const readyPath = env.PORT === undefined ? '/health' : '/health/ready';
      for (const [probe, path] of [
        [container.readinessProbe, readyPath],
        [container.livenessProbe, '/health'],
      ] as const) {
        const port = container.ports?.find((p) => p.name === probe?.httpGet?.port || p.containerPort === probe?.httpGet?.port);
        expect({ deployment: deployment.metadata.name, path: probe?.httpGet?.path, port: port?.containerPort }).toEqual({
          deployment: deployment.metadata.name,
          path,
          port: listens,
        });
      }
    }
  });

  it('runs every pod as non-root, without privilege escalation, with requests and limits', () => {
    for (const workload of pods(objects)) {
      const pod = workload.spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      for (const container of pod.containers) {
        expect({
          container: container.name,
          escalation: container.securityContext?.allowPrivilegeEscalation,
          requests: Boolean(container.resources?.requests?.cpu && container.resources.requests.memory),
          limits: Boolean(container.resources?.limits?.memory),
        }).toEqual({ container: container.name, escalation: false, requests: true, limits: true });
      }
    }
  });

  it('keeps the materializer and notifier replicas within the topic partitions, and Kafka durability consistent', () => {
    const partitions = Number(config.KAFKA_TOPIC_PARTITIONS ?? 6);
    for (const app of ['runstream-materializer', 'runstream-notifier']) {
      const replicas = deployments.find((d) => d.metadata.name === app)?.spec.replicas ?? 1;
      expect({ app, replicas, withinPartitions: replicas <= partitions }).toEqual({ app, replicas, withinPartitions: true });
    }
    expect(Number(config.KAFKA_MIN_INSYNC_REPLICAS)).toBeLessThanOrEqual(Number(config.KAFKA_REPLICATION_FACTOR));
    if (overlay === 'production') expect([config.KAFKA_REPLICATION_FACTOR, config.KAFKA_MIN_INSYNC_REPLICAS]).toEqual(['3', '2']);
  });

  it('grants the control app exactly the API calls it makes, bound to its service account', () => {
    const roles = byKind(objects, 'ClusterRole').concat(byKind(objects, 'Role'));
    expect(roles.map((r) => r.metadata.name)).toEqual(['runstream-control']);
    const granted = (roles[0].rules as Rule[]).flatMap((rule) =>
      rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource}/${verb}`))),
    );
    expect([...granted].sort()).toEqual([...CONTROL_RBAC].sort());
    const [binding] = byKind(objects, 'ClusterRoleBinding') as (K8sObject & { subjects: { kind: string; name: string; namespace: string }[] })[];
    const control = deployments.find((d) => d.metadata.name === 'runstream-control')!;
    const account = byKind(objects, 'ServiceAccount', 'runstream-control')[0];
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace }]);
    expect((control.spec.template.spec as PodSpec & { serviceAccountName?: string }).serviceAccountName).toBe(account.metadata.name);
  });

  it('points each ServiceMonitor at a Service port that selects the app serving /metrics', () => {
    for (const monitor of byKind(objects, 'ServiceMonitor') as (K8sObject & {
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
    })[]) {
      const services = (
        byKind(objects, 'Service') as (K8sObject & { spec: { selector: Record<string, string>; ports: { name: string; targetPort: string }[] } })[]
      ).filter((s) => selects(monitor.spec.selector.matchLabels, s.metadata.labels));
      expect(services).toHaveLength(1);
      const port = services[0].spec.ports.find((p) => p.name === monitor.spec.endpoints[0].port);
      const target = deployments.find((d) => selects(services[0].spec.selector, d.spec.template.metadata.labels));
      expect(target?.spec.template.spec.containers[0].ports?.map((p) => p.name)).toContain(port?.targetPort);
    }
  });

  it('renders the placeholder Secret only outside production', () => {
    const secrets = byKind(objects, 'Secret').map((s) => s.metadata.name);
    if (overlay === 'production') expect(secrets).toEqual([]);
    else expect(secrets).toContain('runstream-secrets');
  });
});

describe('the placeholder Secret', () => {
  it('cannot start the query app as it is: the public BI key would give away every BI password', () => {
    expect(() => loadQueryConfig({ ...PLACEHOLDER_SECRET.stringData })).toThrow(/QUERY_SQL_SERVER_KEY is still the placeholder/);
    expect(() => loadQueryConfig(filledIn(PLACEHOLDER_SECRET.stringData))).not.toThrow();
  });

  it('leaves the Slack token empty, so Slack alerts fail naming the variable instead of calling Slack with a bogus token', () => {
    expect(PLACEHOLDER_SECRET.stringData.NOTIFIER_SLACK_BOT_TOKEN).toBe('');
  });
});
