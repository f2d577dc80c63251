// keepalived's VRRP (RFC 3768 timers) for a redundant load-balancer pair sharing a floating VIP, as the kubeadm HA
// guide sets it up (vrrp_instance with state MASTER/BACKUP, priorities 101/100, advert_int 1, a vrrp_script
// tracking the local load balancer with weight -2).
// - The MASTER sends an advertisement every advert_int and holds the VIP (network.assignAddress, the gratuitous ARP).
// - A BACKUP takes over when it has heard no advertisement for Master_Down_Interval = 3 x advert_int + Skew_Time,
//   Skew_Time = (256 - priority) / 256 x advert_int; it ignores adverts of lower priority when preempting (so a
//   higher-priority node reclaims the VIP), and takes over after Skew_Time when the MASTER announces priority 0
//   (graceful shutdown).
// - A MASTER that hears a higher priority (or an equal one from a higher address) steps down.
// - vrrp_script: the tracked check (here: a process of the host is alive, `killall -0 haproxy`) runs every
//   interval; after `fall` failures the priority changes by `weight`, after `rise` successes it is restored.
// Log lines as keepalived 2.x prints them: "(VI_1) Entering MASTER STATE", "(VI_1) Entering BACKUP STATE",
// "Script `chk_haproxy` now returning 1", "(VI_1) Changing effective priority from 101 to 99".
import type { ProcessBehavior, ProcessContext, ProcessSpec, Timer } from '../sim/process';
import type { Message, Network } from '../sim/network';
import './trace-events';

const US_PER_S = 1_000_000;
/** IP protocol 112 (VRRP): used as the datagram port. */
export const VRRP_PORT = 112;

export interface KeepalivedConfig {
  /** vrrp_instance name. Default VI_1. */
  readonly instance?: string;
  /** Initial state. */
  readonly state: 'MASTER' | 'BACKUP';
  /** 1-254. */
  readonly priority: number;
  /** virtual_router_id: default 51. */
  readonly virtualRouterId?: number;
  /** advert_int seconds: default 1. */
  readonly advertIntSeconds?: number;
  /** virtual_ipaddress. */
  readonly virtualIpAddress: string;
  /** unicast_peer addresses (the other LB hosts). */
  readonly unicastPeers: readonly string[];
  /** nopreempt: default false (a higher priority takes the VIP back). */
  readonly nopreempt?: boolean;
  /** vrrp_script + track_script: a process of this host that must be alive. */
  readonly trackScript?: {
    readonly name?: string;
    readonly process: string;
    /** interval seconds: default 1 (kubeadm guide: 3). */
    readonly intervalSeconds?: number;
    /** weight: default 0 (a failing script then puts the instance in FAULT); kubeadm guide: -2. */
    readonly weight?: number;
    /** default 1 (kubeadm guide: 10). */
    readonly fall?: number;
    /** default 1 (kubeadm guide: 2). */
    readonly rise?: number;
  };
}

export class KeepalivedConfigError extends Error {}

interface Advert extends Message {
  readonly type: 'VRRP';
  readonly vrid: number;
  readonly priority: number;
  readonly from: string;
}

export interface KeepalivedProcessSpec extends ProcessSpec {
  current(): Keepalived | null;
}

export function keepalivedProcessSpec(config: KeepalivedConfig, network: Network, options: { readonly name?: string } = {}): KeepalivedProcessSpec {
  if (!(Number.isInteger(config.priority) && config.priority >= 1 && config.priority <= 254)) {
    throw new KeepalivedConfigError(`(${config.instance ?? 'VI_1'}) priority ${config.priority} not in range 1-254`);
  }
  const advert = config.advertIntSeconds ?? 1;
  if (!(advert > 0)) throw new KeepalivedConfigError(`(${config.instance ?? 'VI_1'}) advert_int must be positive`);
  if (network.findHost(config.virtualIpAddress) !== undefined) throw new KeepalivedConfigError(`virtual_ipaddress ${config.virtualIpAddress} is a host name, expected an address`);
  let current: Keepalived | null = null;
  return {
    name: options.name ?? 'keepalived',
    current: () => (current !== null && current.ctx.process.incarnation === current.ctx.incarnation ? current : null),
    create(ctx): ProcessBehavior {
      const k = new Keepalived(ctx, config, network);
      current = k;
      return { terminate: () => k.terminate() };
    },
  };
}

export class Keepalived {
  state: 'MASTER' | 'BACKUP' | 'FAULT' = 'BACKUP';
  private readonly instance: string;
  private readonly advertUs: number;
  private readonly vrid: number;
  private scriptOk = true;
  private scriptSuccesses = 0;
  private scriptFailures = 0;
  private advertTimer: Timer | null = null;
  private masterDownTimer: Timer | null = null;

  constructor(
    readonly ctx: ProcessContext,
    readonly config: KeepalivedConfig,
    private readonly network: Network,
  ) {
    this.instance = config.instance ?? 'VI_1';
    this.advertUs = Math.round((config.advertIntSeconds ?? 1) * US_PER_S);
    this.vrid = config.virtualRouterId ?? 51;
    ctx.listen(VRRP_PORT, { onDatagram: (msg) => this.onAdvert(msg as Advert) });
    if (config.trackScript !== undefined) this.runScript();
    if (config.state === 'MASTER') this.becomeMaster();
    else this.becomeBackup();
  }

  get priority(): number {
    const weight = this.config.trackScript?.weight ?? 0;
    return Math.max(1, Math.min(254, this.config.priority + (this.scriptOk ? 0 : weight)));
  }

  terminate(): void {
    // A stopping MASTER announces priority 0 so the BACKUP takes over after Skew_Time, and drops the VIP.
    if (this.state === 'MASTER') {
      this.sendAdvert(0);
      if (this.network.resolve(this.config.virtualIpAddress) === this.ctx.host) this.network.assignAddress(this.config.virtualIpAddress, null);
    }
    this.ctx.log('info', 'Stopping');
    this.ctx.exit(0, 'terminated');
  }

  private skewUs(priority: number): number {
    return Math.round(((256 - priority) * this.advertUs) / 256);
  }

  private masterDownUs(): number {
    return 3 * this.advertUs + this.skewUs(this.priority);
  }

  private becomeMaster(): void {
    this.ctx.clearTimer(this.masterDownTimer);
    this.masterDownTimer = null;
    this.setState('MASTER');
    this.network.assignAddress(this.config.virtualIpAddress, this.ctx.host);
    this.advertise();
  }

  private becomeBackup(): void {
    this.ctx.clearTimer(this.advertTimer);
    this.advertTimer = null;
    this.setState('BACKUP');
    this.armMasterDown(this.masterDownUs());
  }

  private armMasterDown(delayUs: number): void {
    this.ctx.clearTimer(this.masterDownTimer);
    this.masterDownTimer = this.ctx.setTimer(delayUs, () => {
      this.masterDownTimer = null;
      if (this.state === 'BACKUP') this.becomeMaster();
    });
  }

  private advertise(): void {
    if (this.state !== 'MASTER') return;
    this.sendAdvert(this.priority);
    this.advertTimer = this.ctx.setTimer(this.advertUs, () => {
      this.advertTimer = null;
      this.advertise();
    });
  }

  private sendAdvert(priority: number): void {
    for (const peer of this.config.unicastPeers) this.ctx.send(peer, VRRP_PORT, { type: 'VRRP', vrid: this.vrid, priority, from: this.ctx.host.address } satisfies Advert, VRRP_PORT);
  }

  private onAdvert(advert: Advert): void {
    if (advert.type !== 'VRRP' || advert.vrid !== this.vrid) return;
    const mine = this.priority;
    if (this.state === 'MASTER') {
      if (advert.priority === 0) {
        this.ctx.clearTimer(this.advertTimer);
        this.advertise();
        return;
      }
      if (advert.priority > mine || (advert.priority === mine && ipGreater(advert.from, this.ctx.host.address))) {
        this.ctx.log('info', `(${this.instance}) Master received advert from ${advert.from} with higher priority ${advert.priority}, ours ${mine}`);
        this.becomeBackup();
      }
      return;
    }
    if (this.state !== 'BACKUP') return;
    if (advert.priority === 0) this.armMasterDown(this.skewUs(mine));
    else if (this.config.nopreempt || advert.priority >= mine) this.armMasterDown(this.masterDownUs());
    // A lower-priority advert with preemption: ignored, our timer runs out and we take over.
  }

  private runScript(): void {
    const script = this.config.trackScript!;
    const name = script.name ?? `chk_${script.process}`;
    const process = this.ctx.host.processes.get(script.process);
    const ok = process !== undefined && process.alive;
    if (ok) {
      this.scriptFailures = 0;
      this.scriptSuccesses++;
    } else {
      this.scriptSuccesses = 0;
      this.scriptFailures++;
    }
    const before = this.priority;
    if (this.scriptOk && !ok && this.scriptFailures >= (script.fall ?? 1)) {
      this.scriptOk = false;
      this.ctx.log('warn', `Script \`${name}\` now returning 1`);
      this.scriptChanged(before);
    } else if (!this.scriptOk && ok && this.scriptSuccesses >= (script.rise ?? 1)) {
      this.scriptOk = true;
      this.ctx.log('info', `Script \`${name}\` now returning 0`);
      this.scriptChanged(before);
    }
    this.ctx.setTimer(Math.round((script.intervalSeconds ?? 1) * US_PER_S), () => this.runScript());
  }

  private scriptChanged(before: number): void {
    const weight = this.config.trackScript?.weight ?? 0;
    if (weight === 0) {
      // No weight: a failing script puts the instance in FAULT (it gives up the VIP).
      if (!this.scriptOk) {
        this.ctx.clearTimer(this.advertTimer);
        this.ctx.clearTimer(this.masterDownTimer);
        this.setState('FAULT');
      } else this.becomeBackup();
      return;
    }
    this.ctx.log('info', `(${this.instance}) Changing effective priority from ${before} to ${this.priority}`);
    if (this.state === 'MASTER') {
      this.ctx.clearTimer(this.advertTimer);
      this.advertise();
    }
  }

  private setState(state: 'MASTER' | 'BACKUP' | 'FAULT'): void {
    if (this.state === state && state !== 'BACKUP') return;
    const changed = this.state !== state;
    this.state = state;
    const line = `(${this.instance}) Entering ${state} STATE`;
    this.ctx.log('info', line);
    const trace = this.ctx.host.engine.trace;
    if ((changed || state === 'BACKUP') && trace.wants('lb.vrrp')) trace.emit('lb.vrrp', { lb: this.ctx.host.name, state, vip: this.config.virtualIpAddress, priority: this.priority, line });
  }
}

function ipGreater(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) > (pb[i] ?? 0);
  return false;
}
