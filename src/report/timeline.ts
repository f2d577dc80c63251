// The timeline output: the run told as a story in the seed guide's style (`t=20.000s server-0 crash`), repetitive
// events folded (renewals every ~2 s become one line), then a summary (who led when, fail-over gaps, API
// unavailability through the LB, etcd leader changes, violations), the expectations, and where the real
// behaviour differs from the guide's simplified timeline.
import { formatDurationUs, formatSimTime, parseDurationUs } from '../sim/time';
import type { TraceEvent } from '../sim/trace';
import type { Scenario } from '../scenario/types';
import { flagValue } from '../cluster/spec';
import type { LeaderInterval, RunResult } from '../run/result';
import { EventDescriber, type TimelineLine } from './timeline-events';

const t = formatSimTime;
const d = formatDurationUs;
/** A measured duration: seconds with millisecond precision. */
const secs = (us: number): string => `${(us / 1e6).toFixed(3)}s`;

/** Width of the time column: `t=123.456s` padded. */
const TIME_WIDTH = 11;

function stamp(tUs: number): string {
  return `t=${t(tUs)}`.padEnd(TIME_WIDTH);
}

/**
 * Folds repetitive lines: the lines that share a fold key become one line at the first one's time
 * ("renews lease kube-scheduler x9, every ~2.0s until t=19.158s"), until a line breaks the fold (a fault, an
 * inspection, a violation breaks every fold; a leadership change breaks its lease's). Lines at one instant with the
 * same merge key become one ("server-0 kubelet starts etcd, kube-apiserver, ..."). The result is in time order.
 */
export function foldLines(lines: readonly TimelineLine[]): TimelineLine[] {
  interface Group {
    readonly members: TimelineLine[];
  }
  const slots: Array<TimelineLine | Group> = [];
  const open = new Map<string, Group>();
  for (const line of lines) {
    if (line.breaksFold) open.clear();
    else if (line.breaks !== undefined) for (const key of [...open.keys()]) if (key.includes(line.breaks)) open.delete(key);
    if (line.fold === undefined) {
      slots.push(line);
      continue;
    }
    const g = open.get(line.fold);
    if (g !== undefined) g.members.push(line);
    else {
      const group: Group = { members: [line] };
      open.set(line.fold, group);
      slots.push(group);
    }
  }
  const out: TimelineLine[] = [];
  for (const slot of slots) {
    if (!('members' in slot)) {
      out.push(slot);
      continue;
    }
    const m = slot.members;
    if (m.length <= 2) {
      out.push(...m);
      continue;
    }
    const first = m[0]!;
    const last = m[m.length - 1]!;
    const meanUs = (last.tUs - first.tUs) / (m.length - 1);
    out.push({ tUs: first.tUs, text: `${first.text} x${m.length}, every ~${(meanUs / 1e6).toFixed(1)}s until t=${t(last.tUs)}` });
  }
  // stable: lines at one instant keep their order
  const sorted = out.map((line, index) => ({ line, index })).sort((a, b) => a.line.tUs - b.line.tUs || a.index - b.index).map((x) => x.line);
  return mergeSameInstant(sorted);
}

function mergeSameInstant(lines: readonly TimelineLine[]): TimelineLine[] {
  const out: TimelineLine[] = [];
  let i = 0;
  while (i < lines.length) {
    let j = i;
    while (j < lines.length && lines[j]!.tUs === lines[i]!.tUs) j++;
    // one instant: lines with a merge key are combined at the first one's place
    const merged = new Map<string, { index: number; items: string[]; line: TimelineLine }>();
    const batch: Array<TimelineLine | string> = [];
    for (const line of lines.slice(i, j)) {
      const m = line.merge;
      if (m === undefined) {
        batch.push(line);
        continue;
      }
      const g = merged.get(m.key);
      if (g === undefined) {
        merged.set(m.key, { index: batch.length, items: [m.item], line });
        batch.push(m.key);
      } else g.items.push(m.item);
    }
    for (const entry of batch) {
      if (typeof entry !== 'string') {
        out.push(entry);
        continue;
      }
      const g = merged.get(entry)!;
      const m = g.line.merge!;
      out.push(g.items.length === 1 ? g.line : { tUs: g.line.tUs, text: `${m.prefix} ${g.items.join(', ')}${m.suffix}` });
    }
    i = j;
  }
  return out;
}

export interface TimelineOptions {
  /** Print the notes on where real behaviour differs from the guide's simplified timeline (default true). */
  readonly notes?: boolean;
}

export function renderTimeline(result: RunResult, scenario: Scenario, events: readonly TraceEvent[], options: TimelineOptions = {}): string {
  const out: string[] = [];
  out.push(`kube-ha-sim run ${scenario.name} (seed ${result.seed}, ${d(result.untilUs)})`);
  if (scenario.description) out.push(`  ${scenario.description}`);
  out.push(`  ${topologyLine(scenario)}`);
  out.push('');

  const lines: TimelineLine[] = [];
  const describer = new EventDescriber(scenario);
  for (const e of events) {
    const line = describer.describe(e);
    if (line !== null) lines.push(line);
  }
  for (const i of result.inspections) {
    lines.push({ tUs: i.atUs, text: `${i.on}$ ${i.exec}${i.exitCode !== 0 ? `   (exit status ${i.exitCode})` : ''}`, breaksFold: true, block: i.output });
  }
  const ordered = lines.map((line, index) => ({ line, index })).sort((a, b) => a.line.tUs - b.line.tUs || a.index - b.index).map((x) => x.line);
  for (const line of foldLines(ordered)) {
    out.push(`${stamp(line.tUs)} ${line.text}`);
    if (line.block !== undefined) for (const l of line.block.replace(/\n$/, '').split('\n')) out.push(`${' '.repeat(TIME_WIDTH + 1)}| ${l}`);
  }
  out.push('');
  out.push(...summary(result));
  if (result.expectations.length > 0) {
    out.push('');
    out.push('Expectations:');
    for (const e of result.expectations) out.push(`  ${e.passed ? 'PASS' : 'FAIL'}  ${e.description}: ${e.detail}`);
  }
  if (options.notes !== false) {
    const notes = differences(result, scenario);
    if (notes.length > 0) {
      out.push('');
      out.push("Where the real behaviour differs from the guide's simplified timeline:");
      for (const n of notes) out.push(`  - ${n}`);
    }
  }
  out.push('');
  out.push(`Result: ${result.outcome === 'pass' ? 'PASS' : 'FAIL'} (seed ${result.seed})`);
  out.push(`Replay: ${result.replay}`);
  return `${out.join('\n')}\n`;
}

function topologyLine(s: Scenario): string {
  const c = s.cluster;
  const lb = c.loadBalancer;
  const lbText = lb.hosts.length === 2 ? `${lb.type} pair ${lb.hosts.map((h) => h.name).join('+')} with VIP ${lb.address}:${lb.port}` : `${lb.type} ${lb.hosts[0]?.name ?? '?'} at ${lb.address}:${lb.port}`;
  const etcd = c.etcdTopology === 'stacked' ? 'stacked etcd' : `external etcd on ${c.etcdHosts.map((h) => h.name).join(', ')}`;
  return `${c.controlPlane.length} control-plane hosts (${c.controlPlane.map((h) => h.name).join(', ')}), ${etcd}; ${lbText}; ${c.workers.length} worker${c.workers.length === 1 ? '' : 's'}`;
}

function who(i: LeaderInterval): string {
  return i.holder === i.host ? i.host : `${i.host} (${i.holder})`;
}

function span(i: LeaderInterval): string {
  return `t=${t(i.fromUs)} .. ${i.toUs === null ? 'end' : `t=${t(i.toUs)}`}`;
}

function summary(result: RunResult): string[] {
  const out: string[] = [`Summary (${secs(result.endUs)} simulated, ${result.events} events${result.endUs < result.untilUs ? `, stopped early: ${result.stopReason}` : ''}):`];
  const mt = result.metrics;
  for (const [lease, intervals] of Object.entries(result.leaders.leases)) {
    out.push(`  ${lease}:`);
    if (intervals.length === 0) out.push('    nobody acted as leader');
    for (const i of intervals) out.push(`    ${span(i).padEnd(26)} ${who(i)}`);
    for (const f of mt.failovers.filter((x) => x.lease === lease)) {
      out.push(
        `    fail-over after ${f.cause} at t=${t(f.causeAtUs)}: ${f.gapUs === null ? 'no new leader by the end of the run' : `${f.toHost} acting from t=${t(f.causeAtUs + f.gapUs)}, gap ${secs(f.gapUs)}`}`,
      );
    }
    if ((mt.leaderlessUs[lease] ?? 0) > 0) out.push(`    time with no acting leader: ${secs(mt.leaderlessUs[lease]!)}`);
  }
  out.push('  etcd:');
  if (result.leaders.etcd.length === 0) out.push('    no leader observed');
  for (const i of result.leaders.etcd) out.push(`    ${span(i).padEnd(26)} ${i.host}${'term' in i ? ` term ${String((i as { term: number }).term)}` : ''}`);
  if (result.leaders.etcd.length > 0) out.push(`    leader changes: ${mt.etcdLeaderChanges}, leaderless: ${secs(mt.etcdLeaderlessUs)}`);
  out.push(`  API unavailable through the load balancer: ${mt.apiUnavailableUs === null ? 'not measured' : secs(mt.apiUnavailableUs)}`);
  const restarts = Object.entries(mt.restarts).filter(([, n]) => n > 0);
  if (restarts.length > 0) out.push(`  restarts: ${restarts.map(([p, n]) => `${p} ${n}`).join(', ')}`);
  if (mt.schedulingDelaysUs.length > 0 || mt.unscheduledPods > 0) {
    const sorted = [...mt.schedulingDelaysUs].sort((a, b) => a - b);
    out.push(`  pods scheduled: ${sorted.length}${sorted.length > 0 ? `, delay max ${secs(sorted[sorted.length - 1]!)}` : ''}; never scheduled: ${mt.unscheduledPods}`);
  }
  if (result.faults.skipped.length > 0) for (const s of result.faults.skipped) out.push(`  fault skipped at t=${t(s.atUs)}: ${s.reason}`);
  if (result.violations.length === 0) out.push('  violations: none');
  else for (const v of result.violations) out.push(`  VIOLATION ${v.invariant} at t=${t(v.timeUs)}: ${v.message}${v.hosts.length > 0 ? ` (hosts: ${v.hosts.join(', ')})` : ''}`);
  return out;
}

/** What the guide's simplified story leaves out, with this run's numbers. */
function differences(result: RunResult, scenario: Scenario): string[] {
  const notes: string[] = [];
  if (Object.values(result.leaders.leases).every((l) => l.length === 0)) return notes;
  const c = scenario.cluster;
  const leaseUs = parseDurationUs(String(flagValue(c, 'kube-scheduler', '--leader-elect-lease-duration')));
  const retryUs = parseDurationUs(String(flagValue(c, 'kube-scheduler', '--leader-elect-retry-period')));
  const renewUs = parseDurationUs(String(flagValue(c, 'kube-scheduler', '--leader-elect-renew-deadline')));
  const jitteredUs = Math.round(retryUs * 2.2);
  notes.push(`The leader renews every --leader-elect-retry-period (${d(retryUs)}), not once per lease duration: each renewal is a PUT of the whole Lease (kubeadm points the components at their own host's apiserver).`);
  notes.push(
    `Standbys never watch the Lease: they GET it every ${d(retryUs)}-${d(jitteredUs)} (retry period plus up to x1.2 jitter) and judge expiry from their own clock, ${d(leaseUs)} after they last saw the record change — not from renewTime.`,
  );
  const causes = result.metrics.failovers.map((f) => f.cause);
  if (causes.some((c2) => !c2.startsWith('stop '))) {
    notes.push(`So after a crash the new leader starts at its next jittered retry after that: between ${d(leaseUs - retryUs)} and about ${d(leaseUs + 2 * jitteredUs)} after the crash, not exactly ${d(leaseUs)}.`);
    const late = result.metrics.failovers.some((f) => f.gapUs !== null && f.gapUs > leaseUs + 2 * jitteredUs);
    if (late) notes.push(
      `Later still (as in this run) when a standby's GET fails right after the crash (e.g. its apiserver's etcd client sent it to the dead etcd member and it timed out): the standby first sees the last renewal at its next successful GET, and counts ${d(leaseUs)} from then.`,
    );
  }
  if (causes.some((c2) => c2.startsWith('stop ') && c2.includes('kube-scheduler'))) {
    notes.push('kube-scheduler releases the Lease when it is stopped (ReleaseOnCancel): the standbys take it at their next retry instead of waiting for it to expire. kube-controller-manager does not release it.');
  }
  const supervisor = c.componentMode === 'systemd' ? 'systemd (Restart=on-failure)' : 'the kubelet (CrashLoopBackOff)';
  notes.push(`A leader that cannot renew keeps acting until its renew deadline (${d(renewUs)}) passes, then exits ("Leaderelection lost") and is restarted by ${supervisor}.`);
  for (const f of result.metrics.failovers) {
    if (f.gapUs !== null) notes.push(`In this run: ${f.lease} moved from ${f.fromHost} to ${f.toHost} ${secs(f.gapUs)} after ${f.cause}.`);
  }
  return notes;
}
