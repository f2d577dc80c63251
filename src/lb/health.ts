// HAProxy's health counter (src/check.c set_server_check_status, check_notify_failure/success; src/server.c
// srv_getinter), as a pure state machine.
//
// health runs from 0 to rise+fall-1; the server is DOWN while health < rise... precisely:
// - a passed check: health+1 if below rise+fall-1, and reaching rise jumps to rise+fall-1 ("OK now");
// - a failed check: health-1 if above 0, and dropping below rise sets 0;
// - the server is marked DOWN when health reaches 0 and UP when health >= rise (and it was not UP).
// So from fully UP, `fall` consecutive failures mark it DOWN; from DOWN, `rise` consecutive successes mark it UP.
// At start health = rise: the server is UP and one failure marks it DOWN (init-state up), unless init-state
// down/fully-down (health 0, DOWN).
// Next check interval (srv_getinter): fully UP (health == rise+fall-1) -> inter; DOWN with health 0 -> downinter
// (or inter); otherwise, transitional or not yet checked -> fastinter (or inter). The next check is scheduled
// that long after the current one finishes.

export type ServerState = 'UP' | 'DOWN';

export interface CheckTiming {
  readonly interUs: number;
  /** 0: use inter. */
  readonly fastinterUs: number;
  /** 0: use inter. */
  readonly downinterUs: number;
  readonly rise: number;
  readonly fall: number;
}

export interface HealthTransition {
  /** The state changed with this result (the log line "Server x/y is DOWN/UP" is due). */
  readonly changed: boolean;
  readonly state: ServerState;
  /** Whether the result moved the counter (HAProxy's `report`, used by option log-health-checks). */
  readonly reported: boolean;
}

export class HealthCounter {
  health: number;
  state: ServerState;

  constructor(
    readonly timing: CheckTiming,
    initialState: 'up' | 'down' = 'up',
  ) {
    if (!(timing.rise > 0) || !(timing.fall > 0)) throw new RangeError(`rise (${timing.rise}) and fall (${timing.fall}) must be > 0`);
    this.health = initialState === 'up' ? timing.rise : 0;
    this.state = initialState === 'up' ? 'UP' : 'DOWN';
  }

  /** rise+fall-1: fully up. */
  get max(): number {
    return this.timing.rise + this.timing.fall - 1;
  }

  /** Applies one check result. */
  record(passed: boolean): HealthTransition {
    const { rise } = this.timing;
    let reported = false;
    if (passed) {
      if (this.health < this.max) {
        reported = true;
        this.health++;
        if (this.health >= rise) this.health = this.max;
      }
      if (this.state === 'DOWN' && this.health >= rise) {
        this.state = 'UP';
        return { changed: true, state: 'UP', reported };
      }
    } else {
      if (this.health > 0) {
        reported = true;
        this.health--;
        if (this.health < rise) this.health = 0;
      }
      if (this.state === 'UP' && this.health === 0) {
        this.state = 'DOWN';
        return { changed: true, state: 'DOWN', reported };
      }
    }
    return { changed: false, state: this.state, reported };
  }

  /** srv_getinter: the delay before the next check. */
  intervalUs(): number {
    const t = this.timing;
    if (this.health === this.max) return t.interUs;
    if (this.state === 'DOWN' && this.health === 0) return t.downinterUs > 0 ? t.downinterUs : t.interUs;
    return t.fastinterUs > 0 ? t.fastinterUs : t.interUs;
  }

  /** The "status: 2/3 UP" part of log-health-checks lines. */
  statusText(): string {
    const { rise, fall } = this.timing;
    const up = this.health >= rise;
    return `${up ? this.health - rise + 1 : this.health}/${up ? fall : rise} ${up ? 'UP' : 'DOWN'}`;
  }
}
