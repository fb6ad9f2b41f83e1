/** The generated `.devcontainer/Dockerfile`: base image, system packages, Python, a non-root user, and a cached dependency layer. */
import type { Plan } from './plan';

/** Where the install layer copies the manifests to. */
export const DEPS = '/tmp/mlops-deps';
/** A writable copy of the manifests, for steps that edit them (dropping `-e .`) or that write (Poetry's lock). */
const WORK = '/tmp/mlops-work';

/** Where uv comes from: Astral's distroless image holds the `uv` binary at `/uv`; any image with `/uv` may replace it. */
export const UV_IMAGE = 'ghcr.io/astral-sh/uv:latest';

/**
 * A `sed` expression deleting requirement lines that install the project's own code (`-e .`,
 * `.`, `./pkg[x]`, `file:…`), also as conda `pip:` list items (`- -e .`): the image has no
 * source, so those are installed from the workspace after the container starts.
 */
export const DROP_LOCAL_LINES = String.raw`/^[[:space:]]*(-[[:space:]]+)?((-e|--editable)([[:space:]]+|=))?['"]?(\.{1,2}(\/[^[:space:]#'"]*|\[[^]]*\])?|file:[^[:space:]]*)['"]?[[:space:]]*(#.*)?$/d`;

const KIND_NOTE: Record<Plan['baseKind'], string> = {
  python: 'any image with python3 (and its venv module) works',
  cuda: 'any Ubuntu-based CUDA image works',
  conda: 'any image with conda in /opt/conda works',
};

/** A shell command split over continuation lines, one `&&` step per line. */
function steps(...all: string[]): string {
  return all.map((s, i) => (i === 0 ? s : `    && ${s}`)).join(' \\\n');
}

/** Steps that install a Python tool (poetry, pipenv) in a virtual environment of its own and link it into the project's environment. */
function ownVenv(tool: string, envDir: string): string[] {
  const home = `/home/$USERNAME/.local/${tool}`;
  return [`python3 -m venv ${home}`, `${home}/bin/pip install --no-cache-dir ${tool}`, `ln -s ${home}/bin/${tool} ${envDir}/bin/${tool}`];
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The interpreter that creates the virtual environment. */
function interpreter(plan: Plan): string {
  if (plan.baseKind === 'cuda' && plan.distroPython !== plan.python) return `python${plan.python}`;
  return 'python3';
}

function pythonForCuda(plan: Plan): string[] {
  if (plan.distroPython === plan.python) {
    return [
      `# CUDA images carry no Python; Python ${plan.python} is the one this Ubuntu release ships.`,
      'RUN ' + steps('apt-get update', 'apt-get install -y --no-install-recommends python3 python3-venv python3-pip', 'rm -rf /var/lib/apt/lists/*'),
    ];
  }
  return [
    `# CUDA images carry no Python; Python ${plan.python} comes from the deadsnakes PPA for Ubuntu.`,
    'RUN ' +
      steps(
        'apt-get update',
        'apt-get install -y --no-install-recommends software-properties-common gpg-agent ca-certificates',
        'add-apt-repository -y ppa:deadsnakes/ppa',
        `apt-get install -y --no-install-recommends python${plan.python} python${plan.python}-venv`,
        'rm -rf /var/lib/apt/lists/*',
      ),
  ];
}

function miniforge(): string[] {
  return [
    '# The project is a conda environment and the base image has no conda: install Miniforge into /opt/conda.',
    'RUN ' +
      steps(
        'apt-get update',
        'apt-get install -y --no-install-recommends curl ca-certificates',
        'rm -rf /var/lib/apt/lists/*',
        'curl -fsSL -o /tmp/miniforge.sh "https://github.com/conda-forge/miniforge/releases/latest/download/Miniforge3-Linux-$(uname -m).sh"',
        'bash /tmp/miniforge.sh -b -p /opt/conda',
        'rm /tmp/miniforge.sh',
      ),
  ];
}

/** Debian packages, installed only when the base image lacks them (so an image that has them needs no package index). */
function systemLayer(plan: Plan): string[] {
  if (plan.system.length === 0) return [];
  return [
    `# System packages: ${plan.system.join(', ')} (docs/devcontainers.md lists why each is needed); those the base already has are skipped.`,
    'RUN ' +
      steps(
        `missing=""; for p in ${plan.system.join(' ')}; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done`,
        'if [ -n "$missing" ]; then apt-get update && apt-get install -y --no-install-recommends $missing && rm -rf /var/lib/apt/lists/*; fi',
      ),
  ];
}

/** COPY lines for the manifests: root files in one instruction, nested ones at their relative path (so `-r sub/x.txt` resolves). */
function copyManifests(files: string[]): string[] {
  const root = files.filter((f) => !f.includes('/'));
  const nested = files.filter((f) => f.includes('/'));
  const out: string[] = [];
  if (root.length > 0) out.push(`COPY ${root.join(' ')} ${DEPS}/`);
  for (const f of nested) out.push(`COPY ${f} ${DEPS}/${f}`);
  return out;
}

/** A `python -c` that prints a project's requirements from pyproject.toml or setup.cfg, plus chosen extras and groups. */
function listRequirementsScript(kind: 'pep621' | 'setup.cfg', file: string, python: string): string {
  if (kind === 'setup.cfg') {
    return (
      'import configparser, sys; c = configparser.ConfigParser(interpolation=None); ' +
      `c.read("${DEPS}/${file}"); ` +
      'x = c["options.extras_require"] if c.has_section("options.extras_require") else {}; ' +
      'print("\\n".join([c.get("options", "install_requires", fallback="")] + [x.get(g, "") for g in sys.argv[1:]]))'
    );
  }
  const toml = Number(python.split('.')[1]) >= 11 ? 'tomllib' : 'tomli as tomllib';
  // Extras that name the project itself (`me[test]`) and `{include-group = …}` entries are expanded, never fetched from the index.
  return (
    `import re, sys, ${toml}; d = tomllib.load(open("${DEPS}/${file}", "rb")); p = d.get("project", {}); ` +
    'N = lambda n: re.sub(r"[-_.]+", "-", n).lower(); M = lambda r: re.match(r"\\s*([A-Za-z0-9][A-Za-z0-9._-]*)\\s*(\\[([^\\]]*)\\])?", r); ' +
    'me = N(p.get("name", "")); o = p.get("optional-dependencies", {}); dg = d.get("dependency-groups", {}); ' +
    'ex = lambda rs, s: [x for r in rs for x in ((ex(dg.get(r.get("include-group"), []), s | {r.get("include-group")}) if r.get("include-group") not in s else []) if isinstance(r, dict) ' +
    'else (sum([ex(o.get(e.strip(), []), s | {e.strip()}) for e in (M(r).group(3) or "").split(",") if e.strip() and e.strip() not in s], []) if M(r) and me and N(M(r).group(1)) == me else [r]))]; ' +
    'print("\\n".join(ex(p.get("dependencies", []), set()) + [r for g in sys.argv[1:] for r in ex(o.get(g, []) + dg.get(g, []), {g})]))'
  );
}

/** The filtered, writable copy of the manifests when some line installs local code; else the copied folder as is. */
function workDir(plan: Plan, files: string[]): { dir: string; prepare: string[]; cleanup: string[] } {
  if (plan.local.length === 0 || files.length === 0) return { dir: DEPS, prepare: [], cleanup: [] };
  return {
    dir: WORK,
    prepare: [
      `cp -r ${DEPS} ${WORK}`,
      `sed -i -E ${shellQuote(DROP_LOCAL_LINES)} ${files
        .filter((f) => /\.(txt|in|ya?ml)$/.test(f))
        .map((f) => `${WORK}/${f}`)
        .join(' ')}`,
    ],
    cleanup: [`rm -rf ${WORK}`],
  };
}

/** The pip step for a project's own dependencies (`-e .` in a requirements file): listed from its pyproject/setup.cfg, or written out for a setup.py. */
function projectDepsStep(plan: Plan): string[] {
  const d = plan.projectDeps;
  if (!d || d.requirements.length === 0) return [];
  if (d.kind === 'setup.py') {
    return [`# ${d.path}'s install_requires (read as text, never run), for the project that -e . installs later.`, `RUN pip install --no-cache-dir ${d.requirements.map(shellQuote).join(' ')}`];
  }
  const tomli = d.kind === 'pep621' && Number(plan.python.split('.')[1]) < 11;
  return [
    `# The dependencies of the project itself, listed from ${d.path}: -e . installs only the project from the workspace later.`,
    'RUN ' +
      steps(
        ...(tomli ? ['pip install --no-cache-dir tomli'] : []),
        `python -c ${shellQuote(listRequirementsScript(d.kind, d.path, plan.python))} > /tmp/mlops-project-requirements.txt`,
        'pip install --no-cache-dir -r /tmp/mlops-project-requirements.txt',
      ),
  ];
}

function installLayer(plan: Plan): string[] {
  const files = plan.installFiles;
  const out: string[] = [];
  if (plan.installer !== 'none' && files.length > 0) {
    out.push('# Only the dependency manifests are copied here, so this layer is rebuilt when they change and not on every code edit.');
    if (plan.installer === 'uv') out.push('COPY --from=uv /uv /usr/local/bin/uv');
    out.push(...copyManifests(files));
  }
  const groups = plan.groups.map(shellQuote).join(' ');
  const w = workDir(plan, files);
  switch (plan.installer) {
    case 'none':
      break;
    case 'requirements': {
      if (plan.installRoots.length === 0) break;
      const reqs = plan.installRoots.map((f) => `-r ${w.dir}/${f}`).join(' ');
      if (plan.local.length > 0) out.push('# Lines that install the project itself (-e .) are dropped here: postCreateCommand installs them from the mounted workspace.');
      out.push('RUN ' + steps(...w.prepare, `pip install --no-cache-dir ${reqs}`, ...w.cleanup));
      out.push(...projectDepsStep(plan));
      break;
    }
    case 'pep621':
    case 'setup.cfg': {
      const tomli = plan.installer === 'pep621' && Number(plan.python.split('.')[1]) < 11;
      out.push(`# pip cannot install only a project's dependencies, so they are listed from ${files[0]} first.`);
      out.push(
        'RUN ' +
          steps(
            ...(tomli ? ['pip install --no-cache-dir tomli'] : []),
            `python -c ${shellQuote(listRequirementsScript(plan.installer, files[0]!, plan.python))}${groups ? ` ${groups}` : ''} > /tmp/mlops-requirements.txt`,
            'pip install --no-cache-dir -r /tmp/mlops-requirements.txt',
          ),
      );
      break;
    }
    case 'setup.py': {
      out.push(...projectDepsStep(plan));
      break;
    }
    case 'uv': {
      const locked = files.includes('uv.lock');
      const flags = [
        locked ? '--frozen' : '',
        '--inexact',
        '--no-install-project',
        ...(plan.noDefaultGroups ? ['--no-default-groups'] : []),
        ...plan.extraGroups.map((g) => `--extra ${shellQuote(g)}`),
        ...plan.groups.filter((g) => !plan.extraGroups.includes(g)).map((g) => `--group ${shellQuote(g)}`),
      ].filter((f) => f);
      out.push(
        `# uv installs ${locked ? 'exactly what uv.lock pins' : 'what pyproject.toml asks (no uv.lock: it resolves)'} into ${plan.envDir} (UV_PROJECT_ENVIRONMENT), without the project itself; --inexact keeps what later layers add.`,
      );
      out.push('RUN ' + steps(`cd ${DEPS}`, `uv sync ${flags.join(' ')}`));
      break;
    }
    case 'poetry': {
      const withGroups = plan.groups.filter((g) => !plan.extraGroups.includes(g));
      const extras = plan.extraGroups;
      const flags = [...(withGroups.length ? [`--with ${withGroups.map(shellQuote).join(',')}`] : []), ...(extras.length ? [`--extras ${shellQuote(extras.join(' '))}`] : [])].join(' ');
      out.push('# Poetry lives in its own virtual environment and installs into the active one (VIRTUAL_ENV); --no-root skips the project, whose source is mounted later.');
      out.push(
        'RUN ' +
          steps(
            ...ownVenv('poetry', plan.envDir),
            // A writable copy: Poetry writes poetry.lock when there is none.
            `cp -r ${DEPS} /tmp/mlops-poetry`,
            'cd /tmp/mlops-poetry',
            `POETRY_VIRTUALENVS_CREATE=false poetry install --no-root --no-interaction --no-ansi${flags ? ` ${flags}` : ''}`,
            'rm -rf /tmp/mlops-poetry',
          ),
      );
      break;
    }
    case 'pipenv': {
      const dev = plan.groups.includes('dev') ? ' --dev' : '';
      const locked = files.includes('Pipfile.lock');
      out.push('# Pipenv turns the (locked) Pipfile into a requirements list that pip installs into the environment.');
      out.push(
        'RUN ' +
          steps(
            ...ownVenv('pipenv', plan.envDir),
            `cp -r ${DEPS} /tmp/mlops-pipenv`,
            'cd /tmp/mlops-pipenv',
            ...(locked ? [] : ['pipenv lock']),
            `pipenv requirements${dev} > /tmp/mlops-requirements.txt`,
            'pip install --no-cache-dir -r /tmp/mlops-requirements.txt',
            'rm -rf /tmp/mlops-pipenv',
          ),
      );
      break;
    }
    case 'conda': {
      const env = plan.installRoots[0] ?? files[0]!;
      const name = plan.condaEnv!;
      out.push(`# A named environment, ${name}, not Miniforge's base: the project's Python (${plan.python}) without touching conda's own.`, `# It belongs to ${plan.user}, so pip and conda installs work without root.`);
      out.push(
        'RUN ' +
          steps(
            ...w.prepare,
            `conda create --yes --name ${shellQuote(name)} "python=${plan.python}"`,
            `conda env update --name ${shellQuote(name)} --file ${w.dir}/${env}`,
            ...w.cleanup,
            'conda clean --all --yes',
            ...mirrorConfig(),
            `chown -R "$USER_UID:$USER_GID" ${plan.envDir}`,
            `echo '. /opt/conda/etc/profile.d/conda.sh 2>/dev/null && conda activate ${name}' >> "/home/$USERNAME/.bashrc"`,
          ),
      );
      break;
    }
  }
  if (plan.inlinePackages.length > 0) {
    out.push(`# Packages the code imports that no manifest lists (chosen): ${plan.inlinePackages.join(', ')}.`, `RUN pip install --no-cache-dir ${plan.inlinePackages.map(shellQuote).join(' ')}`);
  }
  return out;
}

/** Keeps a mirror given as a build argument in the environment's pip configuration, for installs inside the container. */
function mirrorConfig(): string[] {
  return [
    'if [ -n "${PIP_INDEX_URL:-}" ]; then pip config --site set global.index-url "$PIP_INDEX_URL"; fi',
    'if [ -n "${PIP_EXTRA_INDEX_URL:-}" ]; then pip config --site set global.extra-index-url "$PIP_EXTRA_INDEX_URL"; fi',
  ];
}

/** Renders the Dockerfile for a plan. */
export function renderDockerfile(plan: Plan): string {
  const conda = plan.installer === 'conda';
  const uv = plan.installer === 'uv';
  const lines: string[] = [
    `# Dev container image for ${plan.name}, generated by MLOps Workbench (mlops devcontainer generate).`,
    `# Base: ${plan.baseReason}.`,
    `# BASE_IMAGE may be replaced at build time (build.args in devcontainer.json, or --build-arg); ${KIND_NOTE[plan.baseKind]}.`,
    `ARG BASE_IMAGE=${plan.baseImage}`,
  ];
  if (uv) lines.push('# uv is copied from UV_IMAGE (any image with the uv binary at /uv).', `ARG UV_IMAGE=${UV_IMAGE}`, 'FROM ${UV_IMAGE} AS uv');
  lines.push(
    'FROM ${BASE_IMAGE}',
    '',
    'ARG USERNAME=' + plan.user,
    'ARG USER_UID=1000',
    'ARG USER_GID=1000',
    'ARG DEBIAN_FRONTEND=noninteractive',
    '# A private package index or mirror (when PyPI is out of reach): pass these as build args; pip keeps them for installs in the container.',
    'ARG PIP_INDEX_URL',
    'ARG PIP_EXTRA_INDEX_URL',
    ...(uv ? ['ARG UV_INDEX_URL', 'ARG UV_EXTRA_INDEX_URL'] : []),
    '',
  );
  if (conda) {
    lines.push(`ENV PYTHONUNBUFFERED=1 \\\n    PIP_DISABLE_PIP_VERSION_CHECK=1 \\\n    CONDA_DEFAULT_ENV=${plan.condaEnv} \\\n    PATH=${plan.envDir}/bin:/opt/conda/bin:$PATH`, '');
  } else {
    lines.push(
      `ENV PYTHONUNBUFFERED=1 \\\n    PIP_DISABLE_PIP_VERSION_CHECK=1 \\\n    VIRTUAL_ENV=${plan.envDir} \\\n    ${uv ? `UV_PROJECT_ENVIRONMENT=${plan.envDir} \\\n    UV_LINK_MODE=copy \\\n    UV_PYTHON_DOWNLOADS=never \\\n    ` : ''}PATH=${plan.envDir}/bin:$PATH`,
      '',
    );
  }
  const system = systemLayer(plan);
  if (system.length > 0) lines.push(...system, '');
  // A conda environment brings its own Python.
  if (plan.baseKind === 'cuda' && !conda) lines.push(...pythonForCuda(plan), '');
  if (conda && plan.baseKind !== 'conda') lines.push(...miniforge(), '');
  lines.push(
    conda
      ? `# A non-root user for day-to-day work; the project's conda environment (${plan.condaEnv}) is theirs and activated in their shell.`
      : '# A non-root user who owns the virtual environment, so `pip install` works in the container without root.',
    '# ~/.cache exists before the cache volume is mounted on it, so the volume starts out owned by that user.',
    'RUN ' +
      steps(
        'if getent passwd "$USER_UID" >/dev/null; then userdel --remove "$(getent passwd "$USER_UID" | cut -d: -f1)" 2>/dev/null || true; fi',
        'if ! getent group "$USER_GID" >/dev/null; then groupadd --gid "$USER_GID" "$USERNAME"; fi',
        'useradd --uid "$USER_UID" --gid "$USER_GID" --create-home --shell /bin/bash "$USERNAME"',
        conda ? 'mkdir -p "/home/$USERNAME/.cache"' : `mkdir -p "/home/$USERNAME/.cache" ${plan.envDir}`,
        conda ? 'chown -R "$USER_UID:$USER_GID" "/home/$USERNAME/.cache"' : `chown -R "$USER_UID:$USER_GID" "/home/$USERNAME/.cache" ${plan.envDir}`,
      ),
    '',
  );
  if (!conda) lines.push('USER $USERNAME', 'RUN ' + steps(`${interpreter(plan)} -m venv ${plan.envDir}`, ...mirrorConfig()), '');
  const install = installLayer(plan);
  if (install.length > 0) lines.push(...install, '');
  if (conda) lines.push('USER $USERNAME', '');
  if (plan.addPackages.length > 0) {
    const jupyter = plan.addPackages.some((p) => p !== 'mlflow');
    const why = [jupyter ? 'Jupyter for the notebooks' : '', plan.addPackages.includes('mlflow') ? 'MLflow for tracking' : ''].filter((s) => s).join(' and ');
    lines.push(`# ${why[0]!.toUpperCase()}${why.slice(1)}, which the manifests do not list.`, `RUN pip install --no-cache-dir ${plan.addPackages.join(' ')}`, '');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
