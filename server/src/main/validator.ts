import type { Diagnostic } from 'vscode-languageserver';
import { documentKind, type StatusParams } from '../../../core/src/index';
import { systemClock, type Clock } from '../../../core/src/util/clock';
import { KeyedDebouncer } from '../../../core/src/util/debounce';
import { overlaps } from '../../../core/src/util/paths';
import type { Validation } from '../engine/engine';
import type { Router } from './router';

export interface ValidatorHost {
  /** The version of an open document, or undefined when it is not open. */
  version(uri: string): number | undefined;
  publish(uri: string, version: number, diagnostics: Diagnostic[], status?: StatusParams): void;
  log(line: string): void;
}

/**
 * Decides when open documents are checked: at once on open, after a quiet period on change,
 * and when something they read changes. One check per document runs at a time; a change
 * during a check queues one more. Results for an outdated version are not published.
 */
export class Validator {
  private readonly timers: KeyedDebouncer<string>;
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  /** Facts from each document's last check, to pick the documents an outside change affects. */
  private readonly facts = new Map<string, Pick<Validation, 'usesFeatures' | 'files'>>();
  /** 0: a change is checked at once; typing during a check queues one more check, not one per keystroke. */
  debounceMs = 0;

  constructor(
    private readonly router: Router,
    private readonly host: ValidatorHost,
    private readonly ready: Promise<void>,
    clock: Clock = systemClock,
  ) {
    this.timers = new KeyedDebouncer(clock);
  }

  /** Checks after `delay` ms (the debounce by default); a later call restarts the wait. */
  schedule(uri: string, delay = this.debounceMs): void {
    this.timers.schedule(uri, delay, () => void this.run(uri));
  }

  /** Checks now (on open and save). */
  now(uri: string): void {
    this.timers.cancel(uri);
    void this.run(uri);
  }

  pending(uri: string): boolean {
    return this.timers.pending(uri) || this.running.has(uri);
  }

  forget(uri: string): void {
    this.timers.cancel(uri);
    this.facts.delete(uri);
  }

  /** Open pipelines whose last check showed they read feature views (or that were never checked). */
  featureUsers(openUris: string[]): string[] {
    return openUris.filter((u) => documentKind(u) === 'pipeline' && (this.facts.get(u)?.usesFeatures ?? true));
  }

  /** Open documents that read a file at, inside or above one of `paths`. */
  readersOf(openUris: string[], paths: string[]): string[] {
    return openUris.filter((u) => {
      const f = this.facts.get(u);
      return !f || f.files.some((file) => paths.some((p) => overlaps(file, p)));
    });
  }

  private async run(uri: string): Promise<void> {
    if (this.running.has(uri)) {
      this.again.add(uri);
      return;
    }
    this.running.add(uri);
    try {
      await this.ready;
      const version = this.host.version(uri);
      if (version === undefined) return;
      const result = await this.router.call(uri, 'validate', [uri]);
      if (this.host.version(uri) !== version) return;
      if (this.router.isGivenUp(uri)) return;
      if (!result) {
        this.host.publish(uri, version, []);
        return;
      }
      this.facts.set(uri, { usesFeatures: result.usesFeatures, files: result.files });
      this.host.publish(uri, version, result.diagnostics, result.status);
    } catch (err) {
      this.host.log(`checking ${uri} failed: ${(err as Error).message}`);
    } finally {
      this.running.delete(uri);
      if (this.again.delete(uri)) void this.run(uri);
    }
  }
}
