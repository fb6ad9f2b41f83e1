/**
 * The part of the Argo Workflows API (argoproj.io/v1alpha1) the exporter writes. Names and
 * shapes follow the official JSON schema; IntOrString fields are strings, as it types them.
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Parameter {
  name: string;
  value?: string;
  description?: string;
  enum?: string[];
}

export interface EnvVar {
  name: string;
  value: string;
}

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface Container {
  image: string;
  command: string[];
  args: string[];
  workingDir?: string;
  env?: EnvVar[];
  resources?: ResourceRequirements;
  volumeMounts: VolumeMount[];
  securityContext?: Record<string, unknown>;
}

export interface RetryStrategy {
  limit: string;
  retryPolicy: 'Always' | 'OnFailure' | 'OnError' | 'OnTransientError';
  backoff?: { duration: string; factor?: string };
}

export interface DAGTask {
  name: string;
  template: string;
  dependencies?: string[];
  arguments?: { parameters: Parameter[] };
}

export interface Template {
  name: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  inputs?: { parameters: Parameter[] };
  activeDeadlineSeconds?: string;
  retryStrategy?: RetryStrategy;
  container?: Container;
  dag?: { tasks: DAGTask[] };
  volumes?: Volume[];
}

export type Volume = { name: string; persistentVolumeClaim: { claimName: string } } | { name: string; secret: { secretName: string; defaultMode?: number } };

export interface PersistentVolumeClaimTemplate {
  metadata: { name: string };
  spec: {
    accessModes: string[];
    resources: { requests: { storage: string } };
    storageClassName?: string;
  };
}

export interface WorkflowSpec {
  entrypoint: string;
  arguments?: { parameters: Parameter[] };
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  podGC?: { strategy: string };
  ttlStrategy?: { secondsAfterCompletion?: number; secondsAfterSuccess?: number; secondsAfterFailure?: number };
  volumeClaimTemplates?: PersistentVolumeClaimTemplate[];
  volumeClaimGC?: { strategy: string };
  volumes?: Volume[];
  templates: Template[];
}

export interface Workflow {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Workflow';
  metadata: ObjectMeta;
  spec: WorkflowSpec;
}

export interface CronWorkflow {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'CronWorkflow';
  metadata: ObjectMeta;
  spec: {
    schedules: string[];
    timezone?: string;
    concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace';
    workflowMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    workflowSpec: WorkflowSpec;
  };
}
