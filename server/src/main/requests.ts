import { ErrorCodes, RequestType, ResponseError, type Connection, type Location, type SymbolInformation } from 'vscode-languageserver';
import { dagRequest, isFileLocal, type DagParams, type DagResult, type SymbolKey } from '../../../core/src/index';
import { renameEdits, type SymbolLocation } from '../features/navigation';
import type { Router } from './router';

/** The LSP extension as the server registers it. */
export const DagRequest = new RequestType<DagParams, DagResult, void>(dagRequest.method);

/** How long references and workspace symbols wait for the slow lane before answering without it. */
const SLOW_PART_MS = 2000;

function withDeadline<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/**
 * Every occurrence of a symbol: names local to a pipeline come from the lane that owns it;
 * catalog names from the fast lane plus the slow lane's slow documents. `patient` waits for
 * the slow lane however long it takes (rename must be complete).
 */
async function collect(router: Router, key: SymbolKey, uri: string, patient: boolean): Promise<SymbolLocation[]> {
  if (isFileLocal(key)) return router.call(uri, 'occurrences', [key, uri]);
  const slow = router.slowUris();
  const fast = router.callFast('occurrences', [key, uri]);
  const rest = slow.length === 0 ? Promise.resolve([]) : router.slowLane.call('occurrences', [key, uri, slow]);
  const [a, b] = await Promise.all([fast, patient ? rest : withDeadline(rest, SLOW_PART_MS, [])]);
  const pos = (o: SymbolLocation) => o.range.start.line * 1e6 + o.range.start.character;
  return [...a, ...b].sort((x, y) => (x.uri < y.uri ? -1 : x.uri > y.uri ? 1 : pos(x) - pos(y)));
}

/** Wires the language feature requests to the lanes. */
export function registerRequests(connection: Connection, router: Router, ready: Promise<void>): void {
  const at = async <T>(uri: string, f: () => Promise<T>, none: T): Promise<T> => {
    await ready;
    return router.has(uri) ? f() : none;
  };
  connection.onCompletion((p) => at(p.textDocument.uri, () => router.call(p.textDocument.uri, 'completion', [p.textDocument.uri, p.position]), []));
  connection.onHover((p) => at(p.textDocument.uri, () => router.call(p.textDocument.uri, 'hover', [p.textDocument.uri, p.position]), null));
  connection.onDefinition((p) => at(p.textDocument.uri, () => router.call(p.textDocument.uri, 'definition', [p.textDocument.uri, p.position]), []));
  connection.onDocumentSymbol((p) => at(p.textDocument.uri, () => router.call(p.textDocument.uri, 'documentSymbols', [p.textDocument.uri]), []));
  connection.onCodeLens((p) => at(p.textDocument.uri, () => router.call(p.textDocument.uri, 'codeLenses', [p.textDocument.uri]), []));
  connection.onCodeAction((p) => at(p.textDocument.uri, () => router.call(p.textDocument.uri, 'codeActions', p.context.only ? [p.textDocument.uri, p.range, p.context.only] : [p.textDocument.uri, p.range]), []));
  connection.onRequest(DagRequest, (p) => at(p.uri, () => router.call(p.uri, 'dag', [p.uri]), { uri: p.uri, nodes: [], edges: [] }));

  connection.onReferences((p) =>
    at(
      p.textDocument.uri,
      async (): Promise<Location[]> => {
        const uri = p.textDocument.uri;
        const hit = await router.call(uri, 'symbolAt', [uri, p.position]);
        if (!hit) return [];
        const all = await collect(router, hit.key, uri, false);
        return all.filter((o) => p.context.includeDeclaration || !o.decl).map((o) => ({ uri: o.uri, range: o.range }));
      },
      [],
    ),
  );

  connection.onPrepareRename((p) =>
    at(
      p.textDocument.uri,
      async () => {
        const hit = await router.call(p.textDocument.uri, 'symbolAt', [p.textDocument.uri, p.position]);
        return hit ? { range: hit.range, placeholder: hit.text } : null;
      },
      null,
    ),
  );

  connection.onRenameRequest((p) =>
    at(
      p.textDocument.uri,
      async () => {
        const uri = p.textDocument.uri;
        const hit = await router.call(uri, 'symbolAt', [uri, p.position]);
        if (!hit) throw new ResponseError(ErrorCodes.InvalidRequest, 'Only task ids, params, outputs, feature views, features, entities and sources can be renamed.');
        const problem = await router.call(uri, 'renameProblem', [hit.key, p.newName, uri]);
        if (problem) throw new ResponseError(ErrorCodes.InvalidRequest, problem);
        const locations = await collect(router, hit.key, uri, true);
        return { changes: renameEdits(locations, hit.key, p.newName) };
      },
      null,
    ),
  );

  connection.onWorkspaceSymbol(async (p): Promise<SymbolInformation[]> => {
    await ready;
    const slow = router.slowUris();
    const [a, b] = await Promise.all([router.callFast('workspaceSymbols', [p.query]), slow.length === 0 ? Promise.resolve([]) : withDeadline(router.slowLane.call('workspaceSymbols', [p.query, slow]), SLOW_PART_MS, [])]);
    return [...a, ...b];
  });
}
