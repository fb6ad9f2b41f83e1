import type { HostMessage } from '../../../../core/src/browser';

/**
 * A light shape check of what arrives on `window.message`: the host is trusted, but other
 * frames can post to this window too, and a malformed message must not break the view.
 */
export function asHostMessage(data: unknown): HostMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const m = data as { type?: unknown } & Record<string, unknown>;
  switch (m.type) {
    case 'graph': {
      const g = m.graph as { nodes?: unknown; edges?: unknown } | undefined;
      return typeof m.version === 'number' && g && Array.isArray(g.nodes) && Array.isArray(g.edges) ? (m as HostMessage) : undefined;
    }
    case 'select':
      return m.id === null || typeof m.id === 'string' ? (m as HostMessage) : undefined;
    case 'run':
      return m.run === null || (typeof m.run === 'object' && Array.isArray((m.run as { tasks?: unknown }).tasks)) ? (m as HostMessage) : undefined;
    case 'runEvent':
      return typeof m.event === 'object' && m.event !== null && typeof (m.event as { type?: unknown }).type === 'string' ? (m as HostMessage) : undefined;
    case 'logTail':
      return typeof m.task === 'string' && typeof m.text === 'string' && typeof m.runId === 'string' ? (m as HostMessage) : undefined;
    case 'error':
      return typeof m.message === 'string' ? (m as HostMessage) : undefined;
    default:
      return undefined;
  }
}
