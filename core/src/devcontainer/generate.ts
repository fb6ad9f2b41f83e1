/** The generated `.devcontainer/devcontainer.json` and the entry point that renders both files. */
import type { DetectedFacts } from './detect';
import { renderDockerfile, shellQuote } from './dockerfile';
import { JsoncObject, renderJsonc, type JsoncProp } from './jsonc';
import { makePlan, type GenerateOptions, type Plan } from './plan';

export const DEVCONTAINER_JSON = '.devcontainer/devcontainer.json';
export const DOCKERFILE = '.devcontainer/Dockerfile';

/** The named volume mounted on ~/.cache; shared by every project so model and wheel downloads are reused. */
export const CACHE_VOLUME = 'mlops-cache';

/**
 * The environment check run after the container is created: the Python version, every
 * framework the image installed, and the GPU when the plan requires one. One line of Python
 * inside single quotes, so it runs the same from a shell anywhere.
 */
export function checkCommand(plan: Plan): string {
  const py = plan.python;
  const parts = ['import importlib, sys', 'v = "%d.%d" % sys.version_info[:2]', `assert v == "${py}", "Python " + v + " runs here but the image was made for ${py}; rebuild the container"`];
  if (plan.checkModules.length > 0) {
    parts.push(`[importlib.import_module(m) for m in ${JSON.stringify(plan.checkModules).replace(/,/g, ', ')}]`);
  }
  const gpuProbe: Record<NonNullable<Plan['gpuCheck']>, [string, string]> = {
    torch: ['import torch', 'torch.cuda.is_available()'],
    tensorflow: ['import tensorflow as tf', 'len(tf.config.list_physical_devices("GPU")) > 0'],
    jax: ['import jax', 'jax.default_backend() == "gpu"'],
  };
  if (plan.gpuCheck) {
    const [imp, expr] = gpuProbe[plan.gpuCheck];
    parts.push(imp, `assert ${expr}, "no GPU is visible: check the NVIDIA driver and the NVIDIA Container Toolkit on the host"`);
  }
  const what = plan.checkModules.length > 0 ? ` + " with ${plan.checkModules.join(', ')}"` : '';
  parts.push(`print("Dev container ready: Python " + v${what})`);
  const check = `python3 -c '${parts.join('; ')}'`;
  const install = projectInstall(plan);
  return install ? `${install} && ${check}` : check;
}

/**
 * The install of the project's own code over the mounted workspace (`-e .` and friends), run
 * before the check: the image holds only the dependencies, so editing code needs no rebuild.
 */
export function projectInstall(plan: Plan): string | undefined {
  if (plan.local.length === 0) return undefined;
  if (plan.installer === 'uv' && plan.local.length === 1 && plan.local[0] === '.') {
    const flags = [
      '--inexact',
      ...(plan.noDefaultGroups ? ['--no-default-groups'] : []),
      ...plan.extraGroups.map((g) => `--extra ${shellQuote(g)}`),
      ...plan.groups.filter((g) => !plan.extraGroups.includes(g)).map((g) => `--group ${shellQuote(g)}`),
    ];
    return `uv sync${plan.installFiles.includes('uv.lock') ? ' --frozen' : ''} ${flags.join(' ')}`;
  }
  const args = plan.local.map((l) => (/^(\.|\/)/.test(l) ? `-e ${shellQuote(l)}` : shellQuote(l)));
  return `pip install --no-cache-dir --quiet ${args.join(' ')}`;
}

/** Renders devcontainer.json (JSONC with a comment on each choice) for a plan. */
export function renderDevcontainerJson(plan: Plan, facts: DetectedFacts): string {
  const props: JsoncProp[] = [{ key: 'name', value: plan.name }];
  props.push({
    key: 'build',
    comment: `Built from the Dockerfile beside this file. The context is the project folder, so the dependency manifests can be copied in. Base image: ${plan.baseReason}.`,
    value: new JsoncObject([
      { key: 'dockerfile', value: 'Dockerfile' },
      { key: 'context', value: '..' },
      { key: 'args', value: { BASE_IMAGE: plan.baseImage } },
    ]),
  });
  const host = plan.hostRequirements;
  if (Object.keys(host).length > 0) {
    const gpuNote =
      host.gpu === 'optional'
        ? ` A GPU is optional (${plan.gpuReason}): Dev Containers passes GPUs through when the host has them and still starts without one.`
        : host.gpu === true
          ? ` A GPU is required: ${plan.gpuReason}.`
          : '';
    props.push({ key: 'hostRequirements', comment: `${plan.hostReason}${gpuNote}`.trim(), value: { ...host } });
  }
  if (plan.gpu === 'required') {
    props.push({
      key: 'runArgs',
      comment: 'Give the container every GPU of the host (needs the NVIDIA Container Toolkit there).',
      value: ['--gpus', 'all'],
    });
  }
  props.push({
    key: 'mounts',
    comment: 'A named volume on ~/.cache keeps pip, Hugging Face and PyTorch downloads across rebuilds and projects.',
    value: [{ type: 'volume', source: CACHE_VOLUME, target: `/home/${plan.user}/.cache` }],
  });
  if (plan.ports.length > 0) {
    const why = [
      plan.jupyter ? `Jupyter (${facts.notebooks.length ? `${facts.notebooks.length} notebook${facts.notebooks.length === 1 ? '' : 's'} in the project` : 'chosen'})` : '',
      plan.mlflow ? 'the MLflow UI (`mlflow ui`)' : '',
    ]
      .filter((s) => s)
      .join(' and ');
    props.push({ key: 'forwardPorts', comment: `Ports of ${why}.`, value: plan.ports.map((p) => p.port) });
    props.push({
      key: 'portsAttributes',
      value: Object.fromEntries(plan.ports.map((p) => [String(p.port), { label: p.label, onAutoForward: 'notify' }])),
    });
  }
  props.push({ key: 'remoteUser', comment: 'The non-root user the Dockerfile creates; on Linux its uid is changed to yours.', value: plan.user });
  props.push({
    key: 'postCreateCommand',
    comment: `${plan.local.length ? `Installs the project itself from the workspace (${plan.local.join(', ')}, editable), then checks` : 'Checks'} the new container before you work in it: ${plan.pythonReason}${plan.checkModules.length ? `, and ${plan.checkModules.join(', ')} import` : ''}${plan.gpuCheck ? ', and a GPU is visible' : ''}.`,
    value: checkCommand(plan),
  });
  props.push({
    key: 'customizations',
    value: new JsoncObject([
      {
        key: 'vscode',
        value: new JsoncObject([
          {
            key: 'extensions',
            comment: `Python${plan.jupyter ? ', Jupyter' : ''} and MLOps Workbench, installed in the container.`,
            value: plan.extensions,
          },
          { key: 'settings', value: { 'python.defaultInterpreterPath': `${plan.envDir}/bin/python` } },
        ]),
      },
    ]),
  });
  const from = facts.manifests.map((m) => m.path);
  const pipelines = Object.values(facts.resources.from);
  const sources = [...new Set([...from, ...pipelines.map((p) => p.split('#')[0]!)])];
  return renderJsonc(new JsoncObject(props), [
    `Dev container for ${plan.name}, generated by MLOps Workbench${sources.length ? ` from ${sources.join(', ')}` : ''}.`,
    'Regenerate with "MLOps: Generate Dev Container" or `mlops devcontainer generate`; reference: https://containers.dev/implementors/json_reference/',
  ]);
}

/** The files a generation writes, by project-relative path. */
export interface Generated {
  plan: Plan;
  files: Record<string, string>;
}

/** Facts + choices → the plan and both files' text. */
export function generate(facts: DetectedFacts, options: GenerateOptions = {}): Generated {
  const plan = makePlan(facts, options);
  return {
    plan,
    files: {
      [DEVCONTAINER_JSON]: renderDevcontainerJson(plan, facts),
      [DOCKERFILE]: renderDockerfile(plan),
    },
  };
}
