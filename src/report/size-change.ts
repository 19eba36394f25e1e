import type { CheckReport, SizeReport } from '../model/report.ts';

/** What the size figures read: the size section alone (the verdict has no more than that). */
export type SizeInput = Pick<CheckReport, 'size'>;

export interface SizeChange {
  readonly kind: 'compressed' | 'uncompressed';
  readonly current: number | null;
  readonly baseline: number | null;
  readonly delta: number | null;
  readonly percent: number | null;
}

/**
 * Current, baseline and change of both sizes. The report's own delta wins (it knows when two
 * figures were measured differently and are not comparable: null); without one, the change is
 * computed from the two figures.
 */
export function sizeChanges(report: SizeInput): SizeChange[] {
  const size = measured(report);
  if (!size) return [];
  const { baseline, delta } = size;
  const make = (kind: SizeChange['kind'], current: number | null, base: number | null, d: number | null, p: number | null): SizeChange => {
    if (delta) return { kind, current, baseline: base, delta: d, percent: p ?? (d !== null && base ? (d / base) * 100 : null) };
    const computed = current !== null && base !== null ? current - base : null;
    const percent = computed !== null && base !== null && base > 0 ? (computed / base) * 100 : null;
    return { kind, current, baseline: base, delta: computed, percent };
  };
  return [
    make('compressed', size.compressedBytes, baseline?.compressedBytes ?? null, delta?.compressedBytes ?? null, delta?.compressedPercent ?? null),
    make('uncompressed', size.bytes, baseline?.bytes ?? null, delta?.bytes ?? null, delta?.percent ?? null),
  ];
}

/** The size section when the image was measured. */
export function measured(report: SizeInput): SizeReport | null {
  return report.size.status === 'skipped' ? null : report.size;
}

/** The figure budgets use (the report's delta.metric), else the larger change of the two. */
export function headlineSizePercent(report: SizeInput, changes: readonly SizeChange[]): number | null {
  const metric = measured(report)?.delta?.metric;
  const chosen = changes.find((c) => c.kind === metric)?.percent;
  return chosen ?? worstSizePercent(changes);
}

/** The change that decides the icon: the larger increase (or smaller decrease) of the two. */
export function worstSizePercent(changes: readonly SizeChange[]): number | null {
  const percents = changes.map((c) => c.percent).filter((p): p is number => p !== null);
  return percents.length ? Math.max(...percents) : null;
}
