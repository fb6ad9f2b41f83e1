import { createMessageConnection, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { AGENT_REQUESTS, type RunEvent } from '../../../core/src/protocol/agent';
import { AgentHost } from '../host';
import { CheckedMessageReader } from '../rpc/reader';
import { serveAgentProtocol } from '../rpc/server';
import { detectCapacity } from '../schedule/capacity';
import { STORE_OPTIONS, STORE_USAGE, storeConfig } from '../state/config';
import { openState } from '../state/open';
import { flag, noExtra, parseArgs, UsageError } from '../util/args';
import type { Command } from './command';
import { onInterrupt } from './run';

export const agentCommand: Command = {
  name: 'agent',
  summary: "The editor's agent: JSON-RPC (mlops/… methods) over stdin/stdout; fires scheduled pipelines while it runs",
  usage: `mlops agent --stdio ${STORE_USAGE}`,
  async run(argv) {
    const args = parseArgs(argv, { flags: ['stdio'], values: [...STORE_OPTIONS] });
    noExtra(args.positionals, 'the agent serves the current folder');
    if (!flag(args, 'stdio')) throw new UsageError('The agent speaks JSON-RPC over stdin/stdout only: pass --stdio.');
    // stdout carries the protocol: anything else printed there would corrupt it.
    const log = (m: string) => process.stderr.write(`mlops agent: ${m}\n`);
    const root = process.cwd();
    const config = storeConfig(root, args);
    const store = await openState(config, { reattach: 'none' });
    let sink: (events: RunEvent[]) => void = () => undefined;
    const host = new AgentHost(store, config, root, detectCapacity(), (events) => sink(events), log);
    const writer = new StreamMessageWriter(process.stdout);
    // Malformed messages and params that do not fit their declared shapes are answered by the reader itself.
    const shapes = new Map(AGENT_REQUESTS.map((r) => [r.method, r.params] as const));
    const reader = new CheckedMessageReader(process.stdin, shapes, (m) => void writer.write(m).catch(() => undefined), log);
    const conn = createMessageConnection(reader, writer);
    sink = serveAgentProtocol(conn, host, config.stateDir, log);
    host.serveSchedules();
    conn.listen();
    void host.reattachOrphans();

    // The editor going away (stdin closed) does not cancel runs: they finish and stay
    // recorded, which is how work survives a window reload. SIGTERM/Ctrl-C cancels them.
    const stop = onInterrupt((force) => {
      for (const run of host.active.values()) run.cancel(force);
    });
    await new Promise<void>((resolve) => {
      conn.onClose(resolve);
      process.stdin.once('end', resolve);
    });
    sink = () => undefined;
    await host.stopSchedules();
    await host.idle();
    stop();
    conn.dispose();
    process.stdin.destroy();
    await store.close();
    return 0;
  },
};
