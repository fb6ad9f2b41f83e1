import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import type { AgentLauncher } from '../catalog/agent-json';

/** One line of `mlops devcontainer build --format json`. */
type BuildLine = { type: 'step' | 'log'; text: string } | { type: 'done'; image: string; id?: string } | { type: 'error'; message: string } | { type: 'verify'; exitCode: number; output: string };

export interface BuildOutcome {
  status: 'built' | 'failed' | 'cancelled';
  image?: string;
  /** The CLI's one-sentence reason, for failures. */
  message?: string;
}

/**
 * Builds a folder's dev container image through the agent CLI, streaming each build step
 * into a cancellable progress notification and every line into the output channel.
 * Cancelling sends SIGTERM; the agent aborts the build request and the engine stops it.
 */
export function buildImage(launcher: AgentLauncher, folder: vscode.Uri, output: vscode.OutputChannel): Thenable<BuildOutcome> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Building the dev container image', cancellable: true },
    (progress, token) =>
      new Promise<BuildOutcome>((resolve) => {
        const { file, args, env } = launcher.command();
        const child = spawn(file, [...args, 'devcontainer', 'build', '--dir', folder.fsPath, '--format', 'json'], {
          cwd: folder.fsPath,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        output.appendLine(`$ mlops devcontainer build --dir ${folder.fsPath}`);
        let image: string | undefined;
        let stderr = '';
        let pending = '';
        const onLine = (line: string) => {
          if (!line.trim()) return;
          let ev: BuildLine;
          try {
            ev = JSON.parse(line) as BuildLine;
          } catch {
            output.appendLine(line);
            return;
          }
          switch (ev.type) {
            case 'step':
              progress.report({ message: ev.text.replace(/^Step (\d+\/\d+) : /, '$1 ').slice(0, 120) });
              output.appendLine(ev.text);
              break;
            case 'log':
              output.appendLine(ev.text);
              break;
            case 'done':
              image = ev.image;
              output.appendLine(`built ${ev.image}`);
              break;
            case 'error':
              output.appendLine(`error: ${ev.message}`);
              break;
            case 'verify':
              output.append(ev.output);
              break;
          }
        };
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          const lines = (pending + chunk).split('\n');
          pending = lines.pop() ?? '';
          lines.forEach(onLine);
        });
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          output.append(chunk);
        });
        token.onCancellationRequested(() => child.kill('SIGTERM'));
        child.on('error', (e) => resolve({ status: 'failed', message: `Cannot start the mlops agent (${e.message}).` }));
        child.on('close', (code) => {
          onLine(pending);
          if (token.isCancellationRequested || code === 130) return resolve({ status: 'cancelled' });
          if (code === 0) return resolve({ status: 'built', ...(image ? { image } : {}) });
          const reason =
            stderr
              .trim()
              .split('\n')
              .pop()
              ?.replace(/^mlops devcontainer build: /, '') || `the agent exited with code ${code}.`;
          resolve({ status: 'failed', message: reason });
        });
      }),
  );
}
