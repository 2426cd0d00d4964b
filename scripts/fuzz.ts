/**
 * `npm run fuzz [-- --seed N --requests N]`: the schema-driven fuzzer (test/fuzz/fuzzer.ts) against a demo
 * gateway in this process; exits 1 on any 5xx, reply outside the spec, hang, or V8 heap or RSS growth over 20 MB.
 */
import { parseArgs } from 'node:util';
import { fuzz, summary } from '../test/fuzz/fuzzer.ts';

const { values } = parseArgs({
  options: { seed: { type: 'string', default: String(Date.now() % 1_000_000) }, requests: { type: 'string', default: '10000' } },
});
const report = await fuzz({
  seed: Number(values.seed),
  requests: Number(values.requests),
  concurrency: Number(process.env.FUZZ_CONCURRENCY ?? 8),
});
console.log(summary(report));
// Run with the production heap flags (package.json): RSS growth is bounded by them, not by the fuzzer.
const failed =
  report.serverErrors.length + report.violations.length + report.hangs.length > 0 ||
  report.heapAfterMb - report.heapBeforeMb > 20 ||
  report.rssAfterMb - report.rssBeforeMb > 20;
process.exit(failed ? 1 : 0);
