// kubectl's table output: the server-side printers' columns (kubernetes pkg/printers/internalversion/printers.go)
// rendered by kubectl's tabwriter (minwidth 6, padding 3, the last column unpadded), ages by
// duration.HumanDuration.
import type { KubeObject, Lease, Node, Pod, ReplicaSet } from '../../apiserver/objects';
import { parseTimeUs } from '../../apiserver/objects';

const US_PER_S = 1_000_000;

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration, from microseconds. */
export function humanDuration(us: number): string {
  const seconds = Math.trunc(us / US_PER_S);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** translateTimestampSince: "<unknown>" for a missing timestamp. */
export function age(timestamp: string | undefined, nowWallUs: number): string {
  if (timestamp === undefined || timestamp === '') return '<unknown>';
  return humanDuration(nowWallUs - parseTimeUs(timestamp));
}

/** Go text/tabwriter as kubectl configures it: cells padded to max(width + 3, 6), the last column unpadded. */
export function tabwrite(rows: ReadonlyArray<readonly string[]>): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  for (const row of rows) {
    for (let j = 0; j < row.length - 1; j++) widths[j] = Math.max(widths[j] ?? 6, row[j]!.length + 3);
  }
  let out = '';
  for (const row of rows) {
    let line = '';
    for (let j = 0; j < row.length; j++) line += j < row.length - 1 ? row[j]!.padEnd(widths[j]!) : row[j]!;
    out += `${line}\n`;
  }
  return out;
}

export interface TablePrinter<T extends KubeObject = KubeObject> {
  readonly columns: readonly string[];
  readonly wideColumns: readonly string[];
  row(object: T, nowWallUs: number, wide: boolean): string[];
}

export const LEASE_PRINTER: TablePrinter<Lease> = {
  columns: ['NAME', 'HOLDER', 'AGE'],
  wideColumns: [],
  row: (l, now) => [l.metadata.name, l.spec.holderIdentity ?? '', age(l.metadata.creationTimestamp, now)],
};

/** findNodeRoles: node-role.kubernetes.io/<role> labels and kubernetes.io/role, sorted. */
function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role !== '') roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return [...roles].sort();
}

export const NODE_PRINTER: TablePrinter<Node> = {
  columns: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
  wideColumns: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
  row: (n, now, wide) => {
    const status: string[] = [];
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready !== undefined) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    if (status.length === 0) status.push('Unknown');
    if (n.spec.unschedulable) status.push('SchedulingDisabled');
    const roles = nodeRoles(n).join(',');
    const row = [n.metadata.name, status.join(','), roles === '' ? '<none>' : roles, age(n.metadata.creationTimestamp, now), n.status?.nodeInfo?.kubeletVersion ?? ''];
    if (wide) {
      const addr = (type: string): string => n.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
      const info = n.status?.nodeInfo;
      row.push(addr('InternalIP'), addr('ExternalIP'), info?.osImage ?? '<unknown>', info?.kernelVersion ?? '<unknown>', info?.containerRuntimeVersion ?? '<unknown>');
    }
    return row;
  },
};

export const POD_PRINTER: TablePrinter<Pod> = {
  columns: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
  wideColumns: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
  row: (p, now, wide) => {
    const total = p.spec.containers.length;
    const statuses = p.status?.containerStatuses ?? [];
    let ready = 0;
    let restarts = 0;
    let reason: string = p.status?.reason ?? p.status?.phase ?? '';
    for (const cs of statuses) {
      restarts += cs.restartCount;
      if (cs.ready && cs.state?.running !== undefined) ready++;
      if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
      else if (cs.state?.terminated?.reason) reason = cs.state.terminated.reason;
    }
    if (p.metadata.deletionTimestamp !== undefined) reason = 'Terminating';
    const row = [p.metadata.name, `${ready}/${total}`, reason, String(restarts), age(p.metadata.creationTimestamp, now)];
    if (wide) row.push(p.status?.podIP ?? '<none>', p.spec.nodeName || '<none>', '<none>', '<none>');
    return row;
  },
};

export const REPLICASET_PRINTER: TablePrinter<ReplicaSet> = {
  columns: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
  wideColumns: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  row: (rs, now, wide) => {
    const row = [rs.metadata.name, String(rs.spec.replicas ?? 1), String(rs.status?.replicas ?? 0), String(rs.status?.readyReplicas ?? 0), age(rs.metadata.creationTimestamp, now)];
    if (wide) {
      const cs = rs.spec.template.spec.containers;
      const sel = Object.entries(rs.spec.selector.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      row.push(cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), sel);
    }
    return row;
  },
};

/** The table for a list of objects; `allNamespaces` prepends NAMESPACE. */
export function printTable<T extends KubeObject>(printer: TablePrinter<T>, items: readonly T[], nowWallUs: number, options: { allNamespaces: boolean; wide: boolean }): string {
  const header = [...(options.allNamespaces ? ['NAMESPACE'] : []), ...printer.columns, ...(options.wide ? printer.wideColumns : [])];
  const rows: string[][] = [header];
  for (const item of items) rows.push([...(options.allNamespaces ? [item.metadata.namespace ?? ''] : []), ...printer.row(item, nowWallUs, options.wide)]);
  return tabwrite(rows);
}
