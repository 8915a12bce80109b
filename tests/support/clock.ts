/** A clock tests move by hand: expiry and budget windows without sleeping. */
export class ManualClock {
  private ms: number;

  constructor(start: string | Date = '2025-03-01T09:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }

  /** Bound, so it can be handed over as a `now` dependency. */
  readonly now = (): Date => new Date(this.ms);

  advanceMinutes(minutes: number): void {
    this.ms += minutes * 60_000;
  }

  advanceMs(ms: number): void {
    this.ms += ms;
  }

  set(at: string | Date): void {
    this.ms = new Date(at).getTime();
  }
}
