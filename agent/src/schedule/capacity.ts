import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import type { ResourceRequest } from '../plan';

/** What this machine offers: cores, bytes of memory and GPU indices. */
export interface Capacity {
  cpu: number;
  memory: number;
  gpus: string[];
}

/**
 * The machine's capacity: CPU count, total memory and the GPUs `nvidia-smi` lists (none
 * without it). `nvidia-smi` is asked only when something wants to know about GPUs.
 */
export function detectCapacity(): Capacity {
  let gpus: string[] | undefined;
  return {
    cpu: os.availableParallelism(),
    memory: os.totalmem(),
    get gpus() {
      return (gpus ??= detectGpus());
    },
  };
}

function detectGpus(): string[] {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=index', '--format=csv,noheader'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^\d+$/.test(l));
  } catch {
    return [];
  }
}

/** Why a request can never be met here, or undefined when it fits on an idle machine. */
export function neverFits(r: ResourceRequest, c: Capacity): string | undefined {
  if (r.cpu <= c.cpu && r.memory <= c.memory && (r.gpu === 0 || r.gpu <= c.gpus.length)) return undefined;
  return `requests ${describe(r.cpu, r.memory, r.gpu)} but this machine has ${describe(c.cpu, c.memory, c.gpus.length)}; lower its resources or run it on a bigger machine`;
}

function describe(cpu: number, memory: number, gpu: number): string {
  return `cpu ${round(cpu)}, memory ${formatBytes(memory)}, gpu ${gpu}`;
}

const round = (n: number) => String(Math.round(n * 1000) / 1000);

export function formatBytes(n: number): string {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${round(Math.round(n * 10) / 10)}${units[i]}`;
}

/**
 * The machine's resources in use, shared by every run of one agent; hands out GPU indices.
 * A run waiting for room hears when another run releases some.
 */
export class ResourcePool {
  private cpu = 0;
  private memory = 0;
  private gpus: string[] | undefined;
  private readonly waiting = new Set<() => void>();

  constructor(readonly capacity: Capacity) {}

  private get freeGpus(): string[] {
    return (this.gpus ??= [...this.capacity.gpus]);
  }

  /** Calls `wake` whenever someone else releases resources; returns the unsubscribe. */
  subscribe(wake: () => void): () => void {
    this.waiting.add(wake);
    return () => this.waiting.delete(wake);
  }

  fits(r: ResourceRequest): boolean {
    return this.cpu + r.cpu <= this.capacity.cpu + 1e-9 && this.memory + r.memory <= this.capacity.memory && (r.gpu === 0 || r.gpu <= this.freeGpus.length);
  }

  /** Takes the resources; returns the GPU indices assigned. */
  take(r: ResourceRequest): string[] {
    this.cpu += r.cpu;
    this.memory += r.memory;
    return r.gpu === 0 ? [] : this.freeGpus.splice(0, r.gpu);
  }

  /** Gives resources back; `by` (the releaser's own wake) is not woken. */
  release(r: ResourceRequest, gpus: string[], by?: () => void): void {
    this.cpu -= r.cpu;
    this.memory -= r.memory;
    if (gpus.length > 0) this.freeGpus.push(...gpus);
    for (const wake of this.waiting) if (wake !== by) wake();
  }
}
