// Goals of issue 10, medians and the printed table of `npm run bench`.
export interface Metric {
  value: number;
  unit?: string;
  goal?: string;
  ok?: boolean;
  [k: string]: unknown;
}

export interface Results {
  machine: { cores: number; cpu: string; memory_gb: number; node: string; platform: string };
  rounds: number;
  started: string;
  duration_s?: number;
  metrics: Record<string, Metric>;
}

export const GOALS: Record<string, { text: string; ok: (v: number) => boolean }> = {
  list10k_ratio: { text: '≤ 1.05', ok: (v) => v <= 1.05 },
  list10k_emulator_ratio: { text: '≤ 1.05', ok: (v) => v <= 1.05 },
  emulator_list_scaling: { text: '≤ 1.3', ok: (v) => v <= 1.3 },
  emulator_page_ms_50k: { text: '< 2 ms', ok: (v) => v < 2 },
  tree_all_10k_ratio: { text: '≤ 1.3', ok: (v) => v <= 1.3 },
  first_page_requests: { text: '1', ok: (v) => v === 1 },
  filter10k_ms: { text: '< 5 ms', ok: (v) => v < 5 },
  search_all_ms: { text: '< 20 ms', ok: (v) => v < 20 },
  discovery_requests: { text: '≤ 1 per tenant', ok: (v) => v <= 1 },
  versions500_first_ms: { text: 'one request', ok: () => true },
  activation_ms: { text: '< 25 ms', ok: (v) => v < 25 },
  bundle_bytes: { text: '< 500 KB', ok: (v) => v < 500 * 1024 },
  heap_mb: { text: '< 20 MB', ok: (v) => v < 20 },
  emulator_cpu_ratio: { text: '≤ 1.2', ok: (v) => v <= 1.2 },
  emulator_set_p99_ms: { text: '< 5 ms', ok: (v) => v < 5 },
};

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
}

function fmt(v: number, unit?: string): string {
  if (unit === 'bytes') return `${(v / 1024).toFixed(0)} KB`;
  const n = Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(Number.isInteger(v) ? 0 : 3);
  return unit === 'ms' ? `${n} ms` : unit === 'MB' ? `${n} MB` : n;
}

/** Markdown table (also what the README's Performance section shows). */
export function table(r: Results): string {
  const rows = ['| metric | value | goal | holds |', '|---|---|---|---|'];
  for (const k of Object.keys(GOALS)) {
    const m = r.metrics[k];
    const extra = m?.requests !== undefined ? ` (${String(m.requests)} request)`
      : typeof m?.first_start_ms === 'number' ? ` (first start after an install: ${fmt(m.first_start_ms, 'ms')})` : '';
    rows.push(m ? `| \`${k}\` | ${fmt(m.value, m.unit)}${extra} | ${GOALS[k].text} | ${m.ok ? 'yes' : 'no'} |`
      : `| \`${k}\` | not measured | ${GOALS[k].text} | no |`);
  }
  const copy = r.metrics.copy500_ratio;
  if (copy) {
    rows.push(`| \`copy500_ratio\` | ${fmt(copy.value)} (${String(copy.requests)} requests; bare loop ${String(copy.floor_requests)}) | reported, no goal | — |`);
  }
  return rows.join('\n');
}

export function printTable(r: Results): void {
  console.log(`\n${table(r)}\n\nmachine: ${r.machine.cores} cores, ${r.machine.cpu}, ${r.machine.memory_gb} GB, Node ${r.machine.node}, ${r.machine.platform}`);
}
