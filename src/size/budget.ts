import { formatBytes } from '../model/format.ts';
import type { SizeBudget, SizeBudgetCheck, SizeDelta, SizeLayer, SizeLayerChange, SizeReport, SizeWasted } from '../model/report.ts';
import type { SizeConfig, SizeMetric } from '../config/size.ts';
import type { SizeFigures } from './measure.ts';
import type { SizeAmount } from '../inputs/inputs.ts';

export interface BudgetInput {
  readonly current: SizeFigures;
  readonly baselineFigure: number | null;
  readonly delta: SizeDelta | null;
  /** Where the baseline came from, for the sentence ("main (commit abc1234)"). */
  readonly baselineSource: string | null;
  /** Why there is no usable baseline, when there is none. */
  readonly baselineNote: string | null;
}

/** Applies max-size and max-increase to the chosen figure; each check says in one sentence what it found. */
export function evaluateBudgets(config: Pick<SizeConfig, 'maxSize' | 'maxIncrease' | 'metric'>, input: BudgetInput): SizeBudget {
  const checks: SizeBudgetCheck[] = [];
  const metric = config.metric;
  const figure = metric === 'compressed' ? input.current.compressedBytes : input.current.bytes;
  if (config.maxSize) checks.push(checkMaxSize(config.maxSize.bytes, config.maxSize.raw, metric, figure, input.current.layers));
  if (config.maxIncrease) checks.push(checkMaxIncrease(config.maxIncrease, metric, input));
  const status = budgetStatus(checks);
  return { metric, status, checks };
}

/** The budget's state from its checks: any exceeded wins, then any unchecked. */
function budgetStatus(checks: readonly SizeBudget['checks'][number][]): SizeBudget['status'] {
  if (checks.length === 0) return 'none';
  if (checks.some((c) => c.status === 'exceeded')) return 'exceeded';
  return checks.some((c) => c.status === 'unchecked') ? 'unchecked' : 'pass';
}

/**
 * Adds the wasted space (from the layer scan) to a measured size section, with the max-wasted
 * budget when one is set. Without the scan the budget is unchecked, and says why.
 */
export function applyWasted(size: SizeReport, wasted: SizeWasted | null, limit: SizeAmount | undefined, reason: string): SizeReport {
  if (size.status !== 'measured') return size;
  const checks = [...size.budget.checks];
  if (limit) checks.push(checkMaxWasted(limit, wasted, reason));
  const status = budgetStatus(checks);
  return { ...size, wasted, budget: { ...size.budget, status, checks } };
}

function checkMaxWasted(limit: SizeAmount, wasted: SizeWasted | null, reason: string): SizeBudgetCheck {
  const base = { name: 'max-wasted' as const, limit: limit.raw };
  if (!wasted) return { ...base, status: 'unchecked', actual: null, layer: null, message: `max-wasted ${limit.raw} not checked: ${reason}.` };
  const actual = limit.kind === 'percent' ? wasted.percent : wasted.bytes;
  const allowed = limit.kind === 'percent' ? limit.percent : limit.bytes;
  const figure = `${formatBytes(wasted.bytes)} (${wasted.percent.toFixed(1)}% of the uncompressed image)`;
  if (actual <= allowed) return { ...base, status: 'pass', actual, layer: null, message: `max-wasted ${limit.raw}: ${figure} wasted, within budget.` };
  const worst = wasted.layers[0];
  return {
    ...base,
    status: 'exceeded',
    actual,
    layer: worst ? { instruction: worst.instruction, line: worst.line } : null,
    message: `Image size budget max-wasted ${limit.raw} exceeded: ${figure} is files that a later layer deletes or overwrites${worst ? `; most of it from ${describeLayer(worst.instruction, worst.line, worst.base)} (${formatBytes(worst.bytes)}): delete those files in the same RUN that creates them, or build them in another stage` : ''}.`,
  };
}

function checkMaxSize(limit: number, raw: string, metric: SizeMetric, figure: number | null, layers: readonly SizeLayer[]): SizeBudgetCheck {
  if (figure === null) {
    return {
      name: 'max-size',
      limit: raw,
      status: 'unchecked',
      actual: null,
      layer: null,
      message: `max-size ${raw} not checked: the ${metric} size could not be measured.`,
    };
  }
  if (figure <= limit) {
    return {
      name: 'max-size',
      limit: raw,
      status: 'pass',
      actual: figure,
      layer: null,
      message: `max-size ${raw}: the ${metric} image is ${formatBytes(figure)}, within budget.`,
    };
  }
  const largest = [...layers].sort((a, b) => layerFigure(b, metric) - layerFigure(a, metric))[0];
  const blame = largest
    ? `; its largest layer is ${describeLayer(largest.instruction, largest.line, largest.base)} (${formatBytes(layerFigure(largest, metric))})`
    : '';
  return {
    name: 'max-size',
    limit: raw,
    status: 'exceeded',
    actual: figure,
    layer: largest ? { instruction: largest.instruction, line: largest.line } : null,
    message: `Image size budget max-size ${raw} exceeded: the ${metric} image is ${formatBytes(figure)}, ${formatBytes(figure - limit)} over${blame}.`,
  };
}

function checkMaxIncrease(limit: SizeAmount, metric: SizeMetric, input: BudgetInput): SizeBudgetCheck {
  const base = { name: 'max-increase' as const, limit: limit.raw };
  const delta = input.delta;
  const change = delta === null ? null : metric === 'compressed' ? delta.compressedBytes : delta.bytes;
  const percent = delta === null ? null : metric === 'compressed' ? delta.compressedPercent : delta.percent;
  if (delta === null || change === null) {
    const why =
      delta === null ? (input.baselineNote ?? 'there is no baseline') : `the ${metric} sizes of this image and the baseline were measured differently`;
    return { ...base, status: 'unchecked', actual: null, layer: null, message: `max-increase ${limit.raw} not checked: ${why}.` };
  }
  const actual = limit.kind === 'percent' ? percent : change;
  if (actual === null) {
    return {
      ...base,
      status: 'unchecked',
      actual: null,
      layer: null,
      message: `max-increase ${limit.raw} not checked: the baseline's ${metric} size is zero, so no percentage applies.`,
    };
  }
  const allowed = limit.kind === 'percent' ? limit.percent : limit.bytes;
  const grewBy = `${change >= 0 ? 'grew' : 'shrank'} by ${formatBytes(Math.abs(change))}${percent === null ? '' : ` (${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`}`;
  const fromTo =
    input.baselineFigure !== null
      ? `, ${formatBytes(input.baselineFigure)} → ${formatBytes(input.baselineFigure + change)}${percent === null ? '' : ')'}`
      : percent === null
        ? ''
        : ')';
  const against = input.baselineSource ? ` against the baseline from ${input.baselineSource}` : '';
  if (actual <= allowed) {
    return {
      ...base,
      status: 'pass',
      actual,
      layer: null,
      message: `max-increase ${limit.raw}: the ${metric} image ${grewBy}${fromTo}${against}, within budget.`,
    };
  }
  const culprit = mostResponsible(delta.layers, metric);
  const blame = culprit
    ? `; most of the growth is ${culprit.change === 'base-image' ? 'the base image change at ' : culprit.change === 'added' ? 'the new ' : ''}${describeLayer(culprit.instruction, culprit.line, false)} (+${formatBytes(changeFigure(culprit, metric))})`
    : '';
  return {
    ...base,
    status: 'exceeded',
    actual,
    layer: culprit ? { instruction: culprit.instruction, line: culprit.line } : null,
    message: `Image size budget max-increase ${limit.raw} exceeded: the ${metric} image ${grewBy}${fromTo}${against}${blame}.`,
  };
}

function layerFigure(layer: SizeLayer, metric: SizeMetric): number {
  return (metric === 'compressed' ? layer.compressedBytes : layer.bytes) ?? layer.bytes;
}

function changeFigure(change: SizeLayerChange, metric: SizeMetric): number {
  return (metric === 'compressed' ? (change.compressedBytes ?? change.bytes) : (change.bytes ?? change.compressedBytes)) ?? 0;
}

/** The change that added the most to the figure the budget is on. */
export function mostResponsible(changes: readonly SizeLayerChange[], metric: SizeMetric): SizeLayerChange | undefined {
  return [...changes].filter((c) => changeFigure(c, metric) > 0).sort((a, b) => changeFigure(b, metric) - changeFigure(a, metric))[0];
}

export function describeLayer(instruction: string, line: number | null, base: boolean): string {
  const text = instruction.length > 80 ? `${instruction.slice(0, 77)}...` : instruction;
  if (line === null) return base ? `the base image (${text})` : text;
  return `line ${line}: ${text}`;
}
