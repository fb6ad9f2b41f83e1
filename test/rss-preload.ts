/**
 * Preloaded into a process under test (`node --require`, see hostile.ts): when the process
 * exits, its peak resident memory in bytes goes to $MLOPS_TEST_RSS_FILE. The process itself
 * is the real bundle, unchanged.
 */
import * as fs from 'node:fs';

const file = process.env['MLOPS_TEST_RSS_FILE'];
// Only this process reports: the processes it starts do not inherit the preload.
delete process.env['MLOPS_TEST_RSS_FILE'];
if (process.env['NODE_OPTIONS']) process.env['NODE_OPTIONS'] = process.env['NODE_OPTIONS'].replace(/--require \S*rss-preload\.js/, '').trim();
if (file) {
  process.on('exit', () => {
    try {
      fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
    } catch {
      // The test will say the report is missing.
    }
  });
}
