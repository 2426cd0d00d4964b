/** Reads a V8 sampling heap profile (HeapProfiler.stopSampling) and ranks functions by bytes allocated. */
import { readFileSync } from 'node:fs';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: HeapNode[];
}

export interface AllocationSummary {
  bytesPerRequest: number;
  top: { name: string; bytesPerRequest: number }[];
}

/** Bytes allocated per request (sampled, including what the GC has collected since), and the top allocating functions. */
export function summarizeAllocations(file: string, requests: number, top = 8): AllocationSummary {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const byFunction = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode) => {
    total += node.selfSize;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/');
    const name = `${functionName || '(anonymous)'} ${where}${lineNumber >= 0 && url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
    for (const child of node.children ?? []) walk(child);
  };
  walk(head);
  return {
    bytesPerRequest: Math.round(total / requests),
    top: [...byFunction.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, bytes]) => ({ name, bytesPerRequest: Math.round(bytes / requests) })),
  };
}
