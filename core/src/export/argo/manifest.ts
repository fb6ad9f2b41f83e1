import { effective, effectiveResources } from '../../pipeline/load';
import type { Pipeline, Task } from '../../pipeline/model';
import { paramEnvName } from '../../pipeline/shell';
import { dirname, join } from '../../util/paths';
import { parseDuration, parseQuantity } from '../../util/values';
import type { ExportSource } from '../target';
import { checkoutTemplate, type GitSource } from './checkout';
import { argoCommand, escapeArgoTags, paramTag, WORKFLOW_NAME_TAG } from './command';
import { freeName, labelValue, pipelineTaskNames } from './names';
import type { Container, CronWorkflow, DAGTask, EnvVar, Parameter, RetryStrategy, Template, Workflow, WorkflowSpec } from './types';

/** How `mlops export argo` was asked to write the manifest. */
export interface ArgoOptions {
  /** `metadata.name`; without it a Workflow gets `generateName: <pipeline>-` (a new run per submit). */
  name?: string;
  namespace?: string;
  /** The image of tasks that name none. */
  image?: string;
  /** An existing claim (ReadWriteMany, to share it between nodes) instead of a volume per run. */
  volumeClaim?: string;
  /** The size of the per-run volume. */
  volumeSize: string;
  storageClass?: string;
  accessMode: 'ReadWriteOnce' | 'ReadWriteMany';
  /** `git`: a first step checks the commit out onto the volume; `volume`: the code is there already. */
  code: 'git' | 'volume';
  /** Needed when `code` is `git`. */
  git?: GitSource;
  /** Values that replace param defaults (`--param`), checked against the params' types, as text. */
  params: Record<string, string>;
  /** A Workflow even when the pipeline has a schedule. */
  once: boolean;
  serviceAccount?: string;
  /** Run every pod as this user and group (and own the volume by it); the image's own user when absent. */
  runAs?: number;
  /** The commit the manifest was made from, and whether the working tree differed from it. */
  commit?: string;
  dirty?: boolean;
}

export const ARGO_DEFAULTS: ArgoOptions = { volumeSize: '10Gi', accessMode: 'ReadWriteOnce', code: 'git', params: {}, once: false };

/** Where the volume is mounted in every pod: the workspace root lives there. */
export const WORKSPACE_PATH = '/workspace';
export const WORKSPACE_VOLUME = 'workspace';

/** Labels and annotations carry these keys; the prefix is a DNS subdomain, as Kubernetes requires. */
export const KEYS = {
  managedBy: 'app.kubernetes.io/managed-by',
  pipeline: 'mlops-workbench/pipeline',
  task: 'mlops-workbench/task',
  taskId: 'mlops-workbench/task-id',
  file: 'mlops-workbench/file',
  commit: 'mlops-workbench/commit',
  dirty: 'mlops-workbench/dirty',
  description: 'workflows.argoproj.io/description',
} as const;

/** Succeeded workflows and their pods are kept a week, failed ones too: long enough to look, short enough to clean up. */
const TTL_SECONDS = 7 * 24 * 3600;

/** The Workflow, or the CronWorkflow when the pipeline has a schedule and `once` is off. */
export function argoManifest(src: ExportSource, o: ArgoOptions): Workflow | CronWorkflow {
  const p = src.pipeline;
  const name = p.name?.value ?? 'pipeline';
  const labels: Record<string, string> = { [KEYS.managedBy]: 'mlops-workbench' };
  const pipelineLabel = labelValue(name);
  if (pipelineLabel) labels[KEYS.pipeline] = pipelineLabel;
  const annotations: Record<string, string> = { [KEYS.file]: src.file };
  if (o.commit) annotations[KEYS.commit] = o.commit;
  if (o.dirty) annotations[KEYS.dirty] = 'true';
  if (p.description) annotations[KEYS.description] = p.description;
  const spec = workflowSpec(src, o);
  const scheduled = p.schedules.filter((s) => s.cron);
  if (scheduled.length > 0 && !o.once) {
    const timezone = scheduled.find((s) => s.timezone)?.timezone?.value;
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'CronWorkflow',
      metadata: { name: o.name ?? name, ...(o.namespace ? { namespace: o.namespace } : {}), labels, annotations },
      spec: {
        schedules: scheduled.map((s) => s.cron!.value),
        ...(timezone ? { timezone } : {}),
        // The local agent never starts a scheduled pipeline while its previous run is going.
        concurrencyPolicy: 'Forbid',
        workflowMetadata: { labels, annotations },
        workflowSpec: spec,
      },
    };
  }
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { ...(o.name ? { name: o.name } : { generateName: `${name}-` }), ...(o.namespace ? { namespace: o.namespace } : {}), labels, annotations },
    spec,
  };
}

function workflowSpec(src: ExportSource, o: ArgoOptions): WorkflowSpec {
  const p = src.pipeline;
  const names = pipelineTaskNames(p.tasks);
  const taken = new Set(names.byTask.values());
  const entry = freeName('main', taken);
  taken.add(entry);
  const checkout = o.code === 'git' && o.git ? freeName('checkout', taken) : undefined;
  const workdirBase = join(WORKSPACE_PATH, dirname(src.file));
  const containerSecurity: Record<string, unknown> = o.runAs === undefined ? { allowPrivilegeEscalation: false } : { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  const dagTasks: DAGTask[] = [];
  const templates: Template[] = [];
  for (const t of p.tasks.values()) {
    const taskName = names.byTask.get(t.id)!;
    const cmd = argoCommand(p, t, shellOf(p, t));
    const parents = [...new Set(src.graph.dag.parents(t.id).map((id) => names.byTask.get(id)!))];
    const dependencies = parents.length > 0 ? parents : checkout ? [checkout] : [];
    dagTasks.push({
      name: taskName,
      template: taskName,
      ...(dependencies.length > 0 ? { dependencies } : {}),
      ...(cmd.inputs.length > 0 ? { arguments: { parameters: cmd.inputs.map((n) => ({ name: n, value: `{{workflow.parameters.${n}}}` })) } } : {}),
    });
    templates.push(taskTemplate(p, t, taskName, cmd, { workdirBase, image: o.image, security: containerSecurity }));
  }
  if (checkout && o.git) {
    dagTasks.unshift({ name: checkout, template: checkout });
    templates.unshift(checkoutTemplate(checkout, o.git, { volume: WORKSPACE_VOLUME, path: WORKSPACE_PATH }, containerSecurity));
  }
  templates.unshift({ name: entry, dag: { tasks: dagTasks } });
  const spec: Omit<WorkflowSpec, 'templates'> = { entrypoint: entry };
  const parameters = workflowParameters(p, o.params);
  if (parameters.length > 0) spec.arguments = { parameters };
  if (o.serviceAccount) spec.serviceAccountName = o.serviceAccount;
  spec.securityContext = {
    ...(o.runAs === undefined ? {} : { runAsNonRoot: o.runAs !== 0, runAsUser: o.runAs, runAsGroup: o.runAs, fsGroup: o.runAs }),
    seccompProfile: { type: 'RuntimeDefault' },
  };
  // Pods of a run that succeeded go with it; a failed run keeps them (and their logs) to look at.
  spec.podGC = { strategy: 'OnWorkflowSuccess' };
  spec.ttlStrategy = { secondsAfterCompletion: TTL_SECONDS };
  if (o.volumeClaim) {
    spec.volumes = [{ name: WORKSPACE_VOLUME, persistentVolumeClaim: { claimName: o.volumeClaim } }];
  } else {
    spec.volumeClaimTemplates = [
      {
        metadata: { name: WORKSPACE_VOLUME },
        spec: {
          accessModes: [o.accessMode],
          resources: { requests: { storage: o.volumeSize } },
          ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
        },
      },
    ];
  }
  // Templates last: the settings above are what a reader looks for first.
  return { ...spec, templates };
}

function workflowParameters(p: Pipeline, overrides: Record<string, string>): Parameter[] {
  const out: Parameter[] = [];
  for (const param of p.params.values()) {
    const given = overrides[param.name];
    const def = param.default?.value;
    const value = given ?? (def === null || def === undefined ? undefined : String(def));
    out.push({
      name: param.name,
      // No value: `argo submit` then asks for `-p NAME=…`, as `mlops run` asks for --param.
      ...(value !== undefined ? { value } : {}),
      ...(param.description ? { description: param.description } : {}),
      ...(param.enum ? { enum: param.enum.map((e) => String(e.value)) } : {}),
    });
  }
  return out;
}

interface TaskContext {
  workdirBase: string;
  image?: string;
  security: Record<string, unknown>;
}

/** The local executor runs bash -c, the docker executor sh -c: the pod runs the shell the pipeline was tried with. */
function shellOf(p: Pipeline, t: Task): 'bash' | 'sh' {
  return effective(p, t, 'executor')?.value === 'docker' ? 'sh' : 'bash';
}

function taskTemplate(p: Pipeline, t: Task, name: string, cmd: ReturnType<typeof argoCommand>, ctx: TaskContext): Template {
  const workdir = effective(p, t, 'workdir');
  const resources = resourcesOf(p, t);
  const container: Container = {
    image: cmd.image ?? ctx.image ?? '',
    command: [shellOf(p, t), '-c'],
    args: [cmd.script],
    workingDir: escapeArgoTags(workdir ? join(ctx.workdirBase, workdir.value) : ctx.workdirBase),
    env: environment(p, t, cmd),
    ...(resources ? { resources } : {}),
    volumeMounts: [{ name: WORKSPACE_VOLUME, mountPath: WORKSPACE_PATH }],
    securityContext: ctx.security,
  };
  const labels: Record<string, string> = {};
  const label = labelValue(name);
  if (label) labels[KEYS.task] = label;
  const template: Template = { name, metadata: { labels, annotations: { [KEYS.taskId]: t.id } } };
  if (cmd.inputs.length > 0) template.inputs = { parameters: cmd.inputs.map((n) => ({ name: n })) };
  const timeout = timeoutSeconds(effective(p, t, 'timeout')?.value);
  if (timeout !== undefined) template.activeDeadlineSeconds = String(timeout);
  const retry = retryStrategy(p, t);
  if (retry) template.retryStrategy = retry;
  template.container = container;
  return template;
}

/** The declared variables, then what the local agent adds: the run id, the task id and every param. */
function environment(p: Pipeline, t: Task, cmd: ReturnType<typeof argoCommand>): EnvVar[] {
  const added: EnvVar[] = [
    { name: 'MLOPS_RUN_ID', value: WORKFLOW_NAME_TAG },
    { name: 'MLOPS_TASK', value: t.id },
  ];
  for (const param of p.params.values()) {
    added.push({ name: paramEnvName(param.name), value: paramTag(param, cmd.inputs.includes(param.name) ? 'inputs' : 'workflow', true) });
  }
  // Locally the agent's variables win over declared ones of the same name.
  const env: EnvVar[] = [];
  for (const e of cmd.env) if (!added.some((a) => a.name === e.name)) env.push(e);
  for (const a of added) env.push(a);
  return env;
}

function resourcesOf(p: Pipeline, t: Task): Container['resources'] | undefined {
  const r = effectiveResources(p, t);
  const amounts: Record<string, string> = {};
  const put = (key: string, v: string | number | undefined) => {
    if (v === undefined) return;
    const q = parseQuantity(v);
    if (!q || q.value <= 0) return;
    amounts[key] = String(v).trim();
  };
  put('cpu', r.cpu?.value);
  put('memory', r.memory?.value);
  put('nvidia.com/gpu', r.gpu?.value);
  if (Object.keys(amounts).length === 0) return undefined;
  // Requests = limits: locally a task waits until what it asks for is free, and docker caps it there.
  return { requests: { ...amounts }, limits: { ...amounts } };
}

function timeoutSeconds(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = typeof v === 'number' ? v * 1000 : parseDuration(v);
  return ms === undefined || ms <= 0 ? undefined : Math.ceil(ms / 1000);
}

/** The local agent waits 1 s between attempts when `backoff` is not given. */
const DEFAULT_BACKOFF_MS = 1000;

function retryStrategy(p: Pipeline, t: Task): RetryStrategy | undefined {
  const r = effective(p, t, 'retries');
  const limit = Math.floor(r?.limit?.value ?? 0);
  if (!r || limit <= 0) return undefined;
  const backoff = r.backoff ? (parseDuration(r.backoff.value) ?? DEFAULT_BACKOFF_MS) : DEFAULT_BACKOFF_MS;
  const factor = r.factor?.value;
  return {
    limit: String(limit),
    // A failed command, an evicted pod or a lost node: the local agent retries any failed attempt.
    retryPolicy: 'Always',
    backoff: { duration: goDuration(backoff), ...(factor !== undefined && factor !== 1 ? { factor: String(factor) } : {}) },
  };
}

/** Milliseconds as a Go duration (`10s`, `1m30s`, `1h`, `500ms`), which Argo parses. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${Number(s.toFixed(3))}s` : ''}`;
}
