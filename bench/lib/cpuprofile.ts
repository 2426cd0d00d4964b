/** Reads a V8 .cpuprofile (node --cpu-prof / inspector Profiler) and ranks functions by self time. */
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './common.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeRow {
  name: string;
  where: string;
  selfMs: number;
  percent: number;
}

/** `file:line` (tsx-compiled sources report line 1 for everything: then only the file). */
function frameWhere(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return '';
  return frame.lineNumber > 0 ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : shortUrl(frame.url);
}

function shortUrl(url: string): string {
  if (!url) return '';
  let path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  if (path.startsWith(REPO_ROOT)) path = path.slice(REPO_ROOT.length + 1);
  return path;
}

/** Package (node_modules/<pkg>), `src`, `node:internal` or `(native/gc/idle)` that a frame belongs to. */
function bucketOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node: core';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const src = url.indexOf('/src/');
  if (src >= 0) {
    const parts = url.slice(src + 1).split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}/` : (parts.join('/') ?? url);
  }
  return shortUrl(url);
}

export interface ProfileSummary {
  totalMs: number;
  /** Ranked by self time. */
  functions: SelfTimeRow[];
  /**
   * Self time summed per package / area, with time in native code and node core charged to the nearest
   * package or src/ frame that called it (so socket writes land on whoever wrote). GC has no caller.
   */
  buckets: SelfTimeRow[];
  /** Ranked by inclusive time (samples with the function anywhere on the stack), JS frames outside node core only. */
  inclusive: SelfTimeRow[];
}

export function summarize(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    // Sample i is charged the time until the next sample (the usual DevTools attribution).
    for (let i = 0; i < profile.samples.length; i++) {
      const delta = profile.timeDeltas[i + 1] ?? 0;
      const id = profile.samples[i] as number;
      selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, delta));
    }
  } else {
    const perHit =
      (profile.endTime - profile.startTime) /
      Math.max(
        1,
        profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0),
      );
    for (const node of profile.nodes) selfUs.set(node.id, (node.hitCount ?? 0) * perHit);
  }
  let totalUs = 0;
  for (const us of selfUs.values()) totalUs += us;

  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const functions = new Map<string, SelfTimeRow>();
  const buckets = new Map<string, SelfTimeRow>();
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const name = frame.functionName || '(anonymous)';
    const where = frameWhere(frame);
    const key = `${name}@${where}`;
    const row = functions.get(key) ?? { name, where, selfMs: 0, percent: 0 };
    row.selfMs += us / 1000;
    functions.set(key, row);
    let owner = frame;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = (byId.get(cur) as ProfileNode).callFrame;
      if (f.url && !f.url.startsWith('node:')) {
        owner = f;
        break;
      }
    }
    const bucket = bucketOf(owner.url, owner.functionName || name);
    const brow = buckets.get(bucket) ?? { name: bucket, where: '', selfMs: 0, percent: 0 };
    brow.selfMs += us / 1000;
    buckets.set(bucket, brow);
  }
  // Inclusive time: charge each sample once to every distinct function on its stack.
  const inclusiveRows = new Map<string, SelfTimeRow>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = (byId.get(cur) as ProfileNode).callFrame;
      if (!frame.url || frame.url.startsWith('node:')) continue;
      const name = frame.functionName || '(anonymous)';
      const where = frameWhere(frame);
      const key = `${name}@${where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const row = inclusiveRows.get(key) ?? { name, where, selfMs: 0, percent: 0 };
      row.selfMs += us / 1000;
      inclusiveRows.set(key, row);
    }
  }
  const finish = (rows: Iterable<SelfTimeRow>, n: number) =>
    [...rows]
      .map((row) => ({ ...row, selfMs: Number(row.selfMs.toFixed(1)), percent: Number(((row.selfMs * 1000 * 100) / totalUs).toFixed(1)) }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, n);
  return {
    totalMs: Number((totalUs / 1000).toFixed(1)),
    functions: finish(functions.values(), top),
    buckets: finish(buckets.values(), 15),
    inclusive: finish(inclusiveRows.values(), top),
  };
}

// `node --import tsx bench/lib/cpuprofile.ts FILE.cpuprofile [TOP]`: print the ranking of any profile.
if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node --import tsx bench/lib/cpuprofile.ts FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  const { totalMs, functions, buckets, inclusive } = summarize(file, Number(process.argv[3] ?? 25));
  console.log(`total sampled: ${totalMs} ms`);
  for (const row of functions)
    console.log(`${row.percent.toFixed(1).padStart(5)} %  ${row.selfMs.toFixed(1).padStart(8)} ms  ${row.name}  ${row.where}`);
  console.log('by package:');
  for (const row of buckets) console.log(`${row.percent.toFixed(1).padStart(5)} %  ${row.selfMs.toFixed(1).padStart(8)} ms  ${row.name}`);
  console.log('inclusive (JS outside node core):');
  for (const row of inclusive)
    console.log(`${row.percent.toFixed(1).padStart(5)} %  ${row.selfMs.toFixed(1).padStart(8)} ms  ${row.name}  ${row.where}`);
}
