import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { ARGO_DEFAULTS, argoTarget, exportDiagnostics, exportSource, serializeManifest, Workspace, type Analysis, type ArgoOptions, type Diagnostic, type ExportSource } from '../../core/src/index';

// Compiled to out/test/export/, so the repository root is three levels up.
export const REPO = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'argo');
const SCHEMA = path.join(FIXTURES, 'schemas', 'argo-workflows.schema.json');

/** Options as `mlops export argo` builds them for a repository with a remote at commit `c0ffee…`. */
export const GIT_OPTIONS: ArgoOptions = {
  ...ARGO_DEFAULTS,
  commit: 'c0ffee0000000000000000000000000000000000',
  git: { url: 'https://git.example.com/team/ml.git', commit: 'c0ffee0000000000000000000000000000000000', image: 'docker.io/alpine/git:v2.47.2' },
};

/** The example pipelines and the fixtures of this folder, as [repository-relative path, text]. */
export function pipelines(): [string, string][] {
  const examples = fs.readdirSync(path.join(REPO, 'examples')).flatMap((d) =>
    fs
      .readdirSync(path.join(REPO, 'examples', d))
      .filter((f) => f.endsWith('.pipeline.yaml'))
      .map((f) => `examples/${d}/${f}`),
  );
  const fixtures = fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.pipeline.yaml'))
    .map((f) => `test/fixtures/argo/${f}`);
  return [...examples, ...fixtures].map((f) => [f, fs.readFileSync(path.join(REPO, f), 'utf8')]);
}

/** One pipeline analysed in a workspace rooted at `/repo`, as the CLI does with a real root. */
export function analyse(text: string, file = 'p.pipeline.yaml'): { analysis: Analysis; src: ExportSource } {
  const ws = new Workspace({ root: '/repo' });
  ws.set(`/repo/${file}`, text);
  const analysis = ws.analyze(`/repo/${file}`)!;
  const src = exportSource(analysis, file, '/repo');
  if (!src) throw new Error(`${file} is not a pipeline`);
  return { analysis, src };
}

/** Export problems of a pipeline text with `options`. */
export function exportProblems(text: string, options: ArgoOptions = ARGO_DEFAULTS, file?: string): Diagnostic[] {
  const { analysis, src } = analyse(text, file);
  return exportDiagnostics(analysis, argoTarget, options, src);
}

/** The manifest as a file would hold it, parsed back. */
export function exported(text: string, options: ArgoOptions = GIT_OPTIONS, file?: string, format: 'yaml' | 'json' = 'yaml'): { text: string; doc: Manifest } {
  const { src } = analyse(text, file);
  const written = serializeManifest(argoTarget.render(src, options), format);
  return { text: written, doc: (format === 'yaml' ? parse(written) : JSON.parse(written)) as Manifest };
}

/** The manifest read back: loose types, since the test checks what is there. */
export interface Manifest {
  kind: string;
  metadata: { name?: string; generateName?: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: Record<string, unknown> & { workflowSpec?: WorkflowSpecDoc; schedules?: string[]; timezone?: string; concurrencyPolicy?: string };
}

export interface TemplateDoc {
  name: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  inputs?: { parameters: { name: string }[] };
  activeDeadlineSeconds?: string;
  retryStrategy?: { limit: string; retryPolicy: string; backoff?: { duration: string; factor?: string } };
  container?: {
    image: string;
    command: string[];
    args: string[];
    workingDir: string;
    env: { name: string; value: string }[];
    resources?: { requests: Record<string, string>; limits: Record<string, string> };
    volumeMounts: { name: string; mountPath: string }[];
  };
  dag?: { tasks: { name: string; template: string; dependencies?: string[]; arguments?: { parameters: { name: string; value: string }[] } }[] };
}

export interface WorkflowSpecDoc {
  entrypoint: string;
  arguments?: { parameters: { name: string; value?: string; description?: string; enum?: string[] }[] };
  templates: TemplateDoc[];
  volumeClaimTemplates?: { metadata: { name: string }; spec: { accessModes: string[]; resources: { requests: { storage: string } }; storageClassName?: string } }[];
  volumes?: { name: string; persistentVolumeClaim: { claimName: string } }[];
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  podGC?: { strategy: string };
  ttlStrategy?: Record<string, number>;
}

/** The workflow spec of a Workflow or of a CronWorkflow. */
export function workflowSpec(doc: Manifest): WorkflowSpecDoc {
  return (doc.kind === 'CronWorkflow' ? doc.spec.workflowSpec : doc.spec) as WorkflowSpecDoc;
}

/** The template a DAG task runs. */
export function template(doc: Manifest, name: string): TemplateDoc {
  const t = workflowSpec(doc).templates.find((x) => x.name === name);
  if (!t) throw new Error(`no template ${name}`);
  return t;
}

interface Validators {
  workflow: ValidateFunction;
  cronWorkflow: ValidateFunction;
}

let official: Validators | undefined;
let closed: Validators | undefined;

/**
 * The official schema (a copy in test/fixtures/argo/schemas), compiled once. `closed` also
 * refuses properties the schema does not list, as `kubectl apply` (strict field validation)
 * and the API server's pruning do: the official schema alone would let a misspelt field pass.
 */
export function argoValidators(mode: 'official' | 'closed'): Validators {
  if (mode === 'official' && official) return official;
  if (mode === 'closed' && closed) return closed;
  const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as { $id: string; definitions: Record<string, Record<string, unknown>> };
  if (mode === 'closed') {
    for (const def of Object.values(schema.definitions)) {
      if (def.properties && def.additionalProperties === undefined) def.additionalProperties = false;
    }
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // Kubernetes' integer formats: the values are JSON numbers, which is what the type checks.
  for (const f of ['int32', 'int64', 'byte']) ajv.addFormat(f, true);
  ajv.addSchema(schema);
  const get = (kind: string) => ajv.getSchema(`${schema.$id}#/definitions/io.argoproj.workflow.v1alpha1.${kind}`)!;
  const v = { workflow: get('Workflow'), cronWorkflow: get('CronWorkflow') };
  if (mode === 'official') official = v;
  else closed = v;
  return v;
}

/** Schema errors of a manifest against its kind's definition; empty when it validates. */
export function schemaErrors(doc: Manifest, mode: 'official' | 'closed'): ErrorObject[] {
  const v = argoValidators(mode);
  const validate = doc.kind === 'CronWorkflow' ? v.cronWorkflow : doc.kind === 'Workflow' ? v.workflow : undefined;
  if (!validate) return [{ instancePath: '/kind', message: `unexpected kind ${doc.kind}` } as ErrorObject];
  return validate(doc) ? [] : [...(validate.errors ?? [])];
}
