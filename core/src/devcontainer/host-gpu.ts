/** Reading what `nvidia-smi` says about the host's GPUs (the agent runs it; parsing is pure). */

/** The host's NVIDIA GPUs as `nvidia-smi` reports them. */
export interface HostGpu {
  /** GPU model names, one per device, from `nvidia-smi -L`. */
  gpus: string[];
  driver?: string;
  /** The newest CUDA the driver supports (the `CUDA Version` of the banner). */
  cuda?: string;
}

/**
 * Parses the banner of a plain `nvidia-smi` run and, when given, the device list of
 * `nvidia-smi -L`. Returns undefined when neither names a driver or a GPU.
 */
export function parseNvidiaSmi(banner: string, list = ''): HostGpu | undefined {
  const driver = /Driver Version:\s*([0-9][0-9.]*)/.exec(banner)?.[1];
  const cuda = /CUDA Version:\s*([0-9]+\.[0-9]+)/.exec(banner)?.[1];
  const gpus = [...list.matchAll(/^GPU\s+\d+:\s*(.+?)(?:\s+\(UUID:.*\))?\s*$/gm)].map((m) => m[1]!);
  if (!driver && gpus.length === 0) return undefined;
  return { gpus, ...(driver ? { driver } : {}), ...(cuda ? { cuda } : {}) };
}
