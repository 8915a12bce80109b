/** Progress lines on stderr, each with the seconds since the run began; stdout is for the report. */
export class Progress {
  private readonly started = performance.now();
  private readonly quiet: boolean;

  constructor(options: { quiet?: boolean } = {}) {
    this.quiet = options.quiet ?? false;
  }

  say(message: string): void {
    if (this.quiet) return;
    const s = ((performance.now() - this.started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[bench ${s}s] ${message}\n`);
  }
}
