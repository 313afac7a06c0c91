// What `cpt-writer eval` prints: progress on stderr (a bar on a terminal, a line per sample otherwise), one
// summary line per report row on stdout, and the sample lines that were skipped.
import { rowSetup, type EvalProgress, type EvalReport, type SkippedLine } from '../../core/eval';

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A progress bar redrawn in place on a terminal, one line per sample otherwise (logs, CI). */
export function progressPrinter(): { update(p: EvalProgress): void; end(): void } {
  const tty = process.stderr.isTTY;
  let drawn = false;
  return {
    update(p) {
      const share = p.total ? Math.min(1, p.done / p.total) : 1;
      const eta = p.etaSeconds !== undefined ? ` · ETA ${duration(p.etaSeconds)}` : '';
      if (tty) {
        const width = 24;
        const full = Math.round(share * width);
        process.stderr.write(
          `\r[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${p.done}/${p.total} ` +
            `${Math.floor(share * 100)}%${eta}${p.failed ? ` · ${p.failed} failed` : ''}\x1b[K`,
        );
        drawn = true;
        if (p.item && !p.item.ok) process.stderr.write(`\n${p.item.what}: failed: ${p.item.message ?? ''}\n`);
      } else if (p.item) {
        process.stderr.write(
          `[${p.done}/${p.total} ${Math.floor(share * 100)}%${eta}] ${p.item.what} ` +
            `${p.item.ok ? 'ok' : `failed: ${p.item.message ?? ''}`}\n`,
        );
      }
    },
    end() {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}

const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(3));

export function printSummary(report: EvalReport): void {
  for (const r of report.rows) {
    const m = r.pooled;
    process.stdout.write(
      `${r.model} [${rowSetup(r)}]: n ${m.n}, accuracy ${fmt(m.accuracy)}, tau-b ${fmt(m.tauB)}, rho ${fmt(m.rho)}, ` +
        `order accuracy ${fmt(m.orderAccuracy)}` +
        (r.bestOf > 1
          ? `, ${r.cost.secondsPerSample.toFixed(2)} s and ` +
            `${r.cost.judgementsPerSample.toFixed(2)} judgements per sample`
          : '') +
        '\n',
    );
  }
}

export function printSkipped(skipped: readonly SkippedLine[]): void {
  for (const s of skipped) process.stderr.write(`${s.file}:${s.line}: skipped: ${s.reason}\n`);
  if (skipped.length)
    process.stderr.write(`${skipped.length} line${skipped.length === 1 ? '' : 's'} skipped; the rest are counted\n`);
}
