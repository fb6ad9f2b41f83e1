import { decodeDag, type DagResult, type HostMessage } from '../../../../core/src/browser';

/** A host message as the view uses it: the graph decoded from its wire columns. */
export type ViewMessage = Exclude<HostMessage, { type: 'graph' }> | (Omit<Extract<HostMessage, { type: 'graph' }>, 'graph'> & { graph: DagResult });

/**
 * A light shape check of what arrives on `window.message`: the host is trusted, but other
 * frames can post to this window too, and a malformed message must not break the view.
 */
export function asHostMessage(data: unknown, log: (line: string) => void = () => undefined): ViewMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const m = data as { type?: unknown } & Record<string, unknown>;
  switch (m.type) {
    case 'graph': {
      if (typeof m.version !== 'number' || typeof m.file !== 'string' || typeof m.canRun !== 'boolean') {
        log('DAG view: ignored a graph message without a numeric version, a file name and canRun');
        return undefined;
      }
      const graph = decodeDag(m.graph);
      if (!graph.ok) {
        log(`DAG view: ignored a graph message: ${graph.error}`);
        return undefined;
      }
      return { type: 'graph', version: m.version, file: m.file, canRun: m.canRun, graph: graph.value };
    }
    case 'select':
      return m.id === null || typeof m.id === 'string' ? (m as ViewMessage) : undefined;
    case 'run':
      return m.run === null || (typeof m.run === 'object' && Array.isArray((m.run as { tasks?: unknown }).tasks)) ? (m as ViewMessage) : undefined;
    case 'runEvent':
      return typeof m.event === 'object' && m.event !== null && typeof (m.event as { type?: unknown }).type === 'string' ? (m as ViewMessage) : undefined;
    case 'logTail':
      return typeof m.task === 'string' && typeof m.text === 'string' && typeof m.runId === 'string' ? (m as ViewMessage) : undefined;
    case 'error':
      return typeof m.message === 'string' ? (m as ViewMessage) : undefined;
    default:
      return undefined;
  }
}
