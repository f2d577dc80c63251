// The fault classes `check --faults` accepts, and what each one draws.
import { closest, distance } from 'fastest-levenshtein';

export const FAULT_CLASSES = ['crash', 'pause', 'partition', 'loss', 'delay', 'reorder', 'duplicate', 'clock-jump', 'clock-skew', 'clock-drift'] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

/** Names that stand for several classes. */
export const FAULT_CLASS_GROUPS: Readonly<Record<string, readonly FaultClass[]>> = {
  clock: ['clock-jump', 'clock-skew', 'clock-drift'],
  network: ['partition', 'loss', 'delay', 'reorder', 'duplicate'],
  all: FAULT_CLASSES,
};

export const FAULT_CLASS_DOCS: Readonly<Record<FaultClass, string>> = {
  crash: 'SIGKILL a process (or power off a host), restarted after a downtime',
  pause: 'freeze a process or host (SIGSTOP, GC pause, VM freeze) for a while',
  partition: 'isolate a host, split the hosts in two groups, or cut one direction of a link, healed later',
  loss: 'lose a fraction of the packets on a link for a while',
  delay: 'add latency to a link for a while',
  reorder: 'hold back a fraction of the datagrams on a link by an extra delay (reordering) for a while',
  duplicate: 'deliver a fraction of the datagrams on a link twice for a while (etcd peer messages excepted: TCP streams never duplicate)',
  'clock-jump': 'step a host\'s wall clock (optionally its monotonic clock too, as a hypervisor step does)',
  'clock-skew': 'set a host\'s wall-clock offset from true time',
  'clock-drift': 'make a host\'s clocks run fast or slow (skew rate), until the faults heal',
};

export class CheckInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckInputError';
  }
}

/** Parses `crash,partition,loss` (classes or groups). Throws CheckInputError naming what is wrong. */
export function parseFaultClasses(text: string): FaultClass[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new CheckInputError(`--faults ${JSON.stringify(text)}: expected a comma-separated list of fault classes (${FAULT_CLASSES.join(', ')})`);
  const out = new Set<FaultClass>();
  const known = [...FAULT_CLASSES, ...Object.keys(FAULT_CLASS_GROUPS)];
  for (const name of names) {
    const group = FAULT_CLASS_GROUPS[name];
    if (group !== undefined) {
      for (const c of group) out.add(c);
      continue;
    }
    if ((FAULT_CLASSES as readonly string[]).includes(name)) {
      out.add(name as FaultClass);
      continue;
    }
    const near = closest(name, known);
    const hint = distance(name, near) <= 3 ? ` (did you mean "${near}"?)` : '';
    throw new CheckInputError(`--faults: unknown fault class "${name}"${hint}; expected some of ${FAULT_CLASSES.join(', ')} or ${Object.keys(FAULT_CLASS_GROUPS).join(', ')}`);
  }
  return FAULT_CLASSES.filter((c) => out.has(c));
}
