/**
 * Where the fuzzer's RSS growth goes: runs the fuzzer (test/fuzz/fuzzer.ts) and samples process memory and V8's
 * heap spaces every 2 s; with HEAP_PROFILE=<file> also a sampling heap profile (garbage included) ranked by
 * bytes allocated per request; with HEAP_LIVE=<file> instead, a profile of what is still on the heap (garbage not yet
 * collected included) taken when the heap passes 250 MB, ranked the same way.
 * `node --expose-gc --import tsx bench/fuzz-memory.ts [requests] [seed]`
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { fuzz, summary } from '../test/fuzz/fuzzer.ts';
import { summarizeAllocations } from './lib/heapprofile.ts';

const requests = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 7);
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const sample = (label: string) => {
  const m = process.memoryUsage();
  const spaces = getHeapSpaceStatistics()
    .filter((s) => s.space_size > 2 ** 20)
    .map((s) => `${s.space_name.replace('_space', '')}=${mb(s.space_size)}`)
    .join(' ');
  console.log(`${label} rss=${mb(m.rss)} heapTotal=${mb(m.heapTotal)} heapUsed=${mb(m.heapUsed)} external=${mb(m.external)} | ${spaces}`);
};
const profileFile = process.env.HEAP_PROFILE;
const liveFile = process.env.HEAP_LIVE;
const session = profileFile || liveFile ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: Boolean(profileFile),
    includeObjectsCollectedByMinorGC: Boolean(profileFile),
  } as never);
}
let liveWritten = false;
const writeLive = async () => {
  liveWritten = true;
  const { profile } = await session!.post('HeapProfiler.stopSampling');
  writeFileSync(liveFile!, JSON.stringify(profile));
  const { bytesPerRequest, top } = summarizeAllocations(liveFile!, 1, 25);
  console.log(`on the heap (sampled): ${Math.round(bytesPerRequest / 2 ** 20)} MB`);
  for (const t of top) console.log(`${String(Math.round(t.bytesPerRequest / 2 ** 10)).padStart(8)} kB  ${t.name}`);
};
// Time spent in GC pauses by kind, the cost side of any heap setting.
const gcMs = { minor: 0, major: 0, majors: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = 'detail' in entry ? (entry.detail as { kind?: number } | undefined)?.kind : undefined;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      gcMs.major += entry.duration;
      gcMs.majors++;
    } else gcMs.minor += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });
sample('start');
const timer = setInterval(() => {
  sample('t');
  if (liveFile && !liveWritten && process.memoryUsage().heapUsed > 250 * 2 ** 20) void writeLive();
}, 2000);
// FUZZ_SKIP=<regex of operationIds> leaves operations out, to find which ones the growth needs.
const skip = process.env.FUZZ_SKIP ? new RegExp(process.env.FUZZ_SKIP) : undefined;
const report = await fuzz({ seed, requests, concurrency: 8, skip });
clearInterval(timer);
sample('end');
console.log(summary(report));
console.log(`GC pauses: minor ${Math.round(gcMs.minor)} ms, major ${Math.round(gcMs.major)} ms in ${gcMs.majors} collections`);
if (session && profileFile && !liveFile) {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(profileFile, JSON.stringify(profile));
  const { bytesPerRequest, top } = summarizeAllocations(profileFile, requests, 25);
  console.log(`allocated per request: ${bytesPerRequest} B`);
  for (const t of top) console.log(`${String(t.bytesPerRequest).padStart(8)} B  ${t.name}`);
}
