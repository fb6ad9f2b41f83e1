/** The generated `.devcontainer/Dockerfile`: base image, Python, a non-root user, and a cached dependency layer. */
import type { Plan } from './plan';

/** Where the install layer copies the manifests to. */
const DEPS = '/tmp/mlops-deps';

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

function shellQuote(s: string): string {
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
      'RUN ' +
        steps(
          'apt-get update',
          'apt-get install -y --no-install-recommends python3 python3-venv python3-pip ca-certificates git',
          'rm -rf /var/lib/apt/lists/*',
        ),
    ];
  }
  return [
    `# CUDA images carry no Python; Python ${plan.python} comes from the deadsnakes PPA for Ubuntu.`,
    'RUN ' +
      steps(
        'apt-get update',
        'apt-get install -y --no-install-recommends software-properties-common gpg-agent ca-certificates git',
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
        'apt-get install -y --no-install-recommends curl ca-certificates git',
        'rm -rf /var/lib/apt/lists/*',
        'curl -fsSL -o /tmp/miniforge.sh "https://github.com/conda-forge/miniforge/releases/latest/download/Miniforge3-Linux-$(uname -m).sh"',
        'bash /tmp/miniforge.sh -b -p /opt/conda',
        'rm /tmp/miniforge.sh',
      ),
  ];
}

/** COPY lines for the manifests: root files in one instruction, nested ones at their relative path. */
function copyManifests(files: string[]): string[] {
  const root = files.filter((f) => !f.includes('/'));
  const nested = files.filter((f) => f.includes('/'));
  const out: string[] = [];
  if (root.length > 0) out.push(`COPY ${root.join(' ')} ${DEPS}/`);
  for (const f of nested) out.push(`COPY ${f} ${DEPS}/${f}`);
  return out;
}

/** A `python -c` that prints the project's requirements from pyproject.toml or setup.cfg, plus chosen groups. */
function listRequirementsScript(plan: Plan): string {
  if (plan.installer === 'setup.cfg') {
    return (
      'import configparser, sys; c = configparser.ConfigParser(interpolation=None); ' +
      `c.read("${DEPS}/setup.cfg"); ` +
      'x = c["options.extras_require"] if c.has_section("options.extras_require") else {}; ' +
      'print("\\n".join([c.get("options", "install_requires", fallback="")] + [x.get(g, "") for g in sys.argv[1:]]))'
    );
  }
  const toml = Number(plan.python.split('.')[1]) >= 11 ? 'tomllib' : 'tomli as tomllib';
  return (
    `import sys, ${toml}; d = tomllib.load(open("${DEPS}/pyproject.toml", "rb")); p = d.get("project", {}); ` +
    'print("\\n".join(p.get("dependencies", []) + [r for g in sys.argv[1:] for r in p.get("optional-dependencies", {}).get(g, []) + d.get("dependency-groups", {}).get(g, []) if isinstance(r, str)]))'
  );
}

function installLayer(plan: Plan): string[] {
  const files = plan.installFiles;
  if (plan.installer === 'none' || files.length === 0) return [];
  const out = ['# Only the dependency manifests are copied here, so this layer is rebuilt when they change and not on every code edit.'];
  out.push(...copyManifests(files));
  const groups = plan.groups.map(shellQuote).join(' ');
  switch (plan.installer) {
    case 'requirements': {
      const top = files.filter((f) => /(^|\/)requirements[^/]*\.txt$/.test(f) || f.startsWith('requirements/'));
      const reqs = (top.length > 0 ? top : files).map((f) => `-r ${DEPS}/${f}`).join(' ');
      out.push(`RUN pip install --no-cache-dir ${reqs}`);
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
            `python3 -c '${listRequirementsScript(plan)}'${groups ? ` ${groups}` : ''} > /tmp/mlops-requirements.txt`,
            'pip install --no-cache-dir -r /tmp/mlops-requirements.txt',
          ),
      );
      break;
    }
    case 'poetry': {
      const withGroups = plan.groups.filter((g) => !plan.extraGroups.includes(g));
      const extras = plan.extraGroups;
      const flags = [
        ...(withGroups.length ? [`--with ${withGroups.map(shellQuote).join(',')}`] : []),
        ...(extras.length ? [`--extras ${shellQuote(extras.join(' '))}`] : []),
      ].join(' ');
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
      const env = files.find((f) => /\.ya?ml$/.test(f)) ?? files[0]!;
      out.push('# The project\'s conda environment becomes the base environment, so `python` is its interpreter everywhere.');
      out.push('RUN ' + steps(`conda env update --name base --file ${DEPS}/${env}`, 'conda clean --all --yes'));
      break;
    }
  }
  return out;
}

/** Renders the Dockerfile for a plan. */
export function renderDockerfile(plan: Plan): string {
  const conda = plan.installer === 'conda';
  const lines: string[] = [
    `# Dev container image for ${plan.name}, generated by MLOps Workbench (mlops devcontainer generate).`,
    `# Base: ${plan.baseReason}.`,
    `# BASE_IMAGE may be replaced at build time (build.args in devcontainer.json, or --build-arg); ${KIND_NOTE[plan.baseKind]}.`,
    `ARG BASE_IMAGE=${plan.baseImage}`,
    'FROM ${BASE_IMAGE}',
    '',
    'ARG USERNAME=' + plan.user,
    'ARG USER_UID=1000',
    'ARG USER_GID=1000',
    'ARG DEBIAN_FRONTEND=noninteractive',
    '',
    conda
      ? 'ENV PYTHONUNBUFFERED=1 \\\n    PIP_DISABLE_PIP_VERSION_CHECK=1 \\\n    PATH=/opt/conda/bin:$PATH'
      : `ENV PYTHONUNBUFFERED=1 \\\n    PIP_DISABLE_PIP_VERSION_CHECK=1 \\\n    VIRTUAL_ENV=${plan.envDir} \\\n    PATH=${plan.envDir}/bin:$PATH`,
    '',
  ];
  // A conda environment brings its own Python.
  if (plan.baseKind === 'cuda' && !conda) lines.push(...pythonForCuda(plan), '');
  if (conda && plan.baseKind !== 'conda') lines.push(...miniforge(), '');
  lines.push(
    conda
      ? '# A non-root user for day-to-day work; the conda environment stays root-owned (make your own with `conda create`).'
      : '# A non-root user who owns the virtual environment, so `pip install` works in the container without root.',
    '# ~/.cache exists before the cache volume is mounted on it, so the volume starts out owned by that user.',
    'RUN ' +
      steps(
        'if getent passwd "$USER_UID" >/dev/null; then userdel --remove "$(getent passwd "$USER_UID" | cut -d: -f1)" 2>/dev/null || true; fi',
        'if ! getent group "$USER_GID" >/dev/null; then groupadd --gid "$USER_GID" "$USERNAME"; fi',
        'useradd --uid "$USER_UID" --gid "$USER_GID" --create-home --shell /bin/bash "$USERNAME"',
        conda ? 'mkdir -p "/home/$USERNAME/.cache"' : `mkdir -p "/home/$USERNAME/.cache" ${plan.envDir}`,
        conda
          ? 'chown -R "$USER_UID:$USER_GID" "/home/$USERNAME/.cache"'
          : `chown -R "$USER_UID:$USER_GID" "/home/$USERNAME/.cache" ${plan.envDir}`,
      ),
    '',
  );
  if (conda && plan.python) {
    lines.push(`# Python ${plan.python} unless environment.yml pins another.`, `RUN conda install --yes "python=${plan.python}" && conda clean --all --yes`, '');
  }
  if (!conda) lines.push('USER $USERNAME', `RUN ${interpreter(plan)} -m venv ${plan.envDir}`, '');
  const install = installLayer(plan);
  if (install.length > 0) lines.push(...install, '');
  if (plan.addPackages.length > 0) {
    const jupyter = plan.addPackages.some((p) => p !== 'mlflow');
    const why = [jupyter ? 'Jupyter for the notebooks' : '', plan.addPackages.includes('mlflow') ? 'MLflow for tracking' : ''].filter((s) => s).join(' and ');
    lines.push(`# ${why[0]!.toUpperCase()}${why.slice(1)}, which the manifests do not list.`, `RUN pip install --no-cache-dir ${plan.addPackages.join(' ')}`, '');
  }
  if (conda) lines.push('USER $USERNAME', '');
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
