import { describeUnread, READ_LIMITS, readTextBoundedAsync } from '../../../core/src/node/read';

/**
 * A pipeline or catalog's text, or undefined when it cannot be read or is refused (larger
 * than the document limit, not a regular file, or resolving outside the workspace folders);
 * `log` hears why a file that exists was refused. Invalid UTF-8 becomes U+FFFD, which the checks report.
 */
export async function readText(file: string, within: readonly string[], log: (line: string) => void): Promise<string | undefined> {
  const r = await readTextBoundedAsync(file, { limit: READ_LIMITS.document, within });
  if (r.ok) return r.text;
  if (r.why.reason !== 'missing') log(`${file} ${describeUnread(r.why)}; it is not checked.`);
  return undefined;
}
