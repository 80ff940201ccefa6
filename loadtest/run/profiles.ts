import type { RateProfile } from '../harness/open-loop.js';

export interface SpikeShape {
  /** Seconds at the base rate before the spike. */
  readonly before: number;
  /** Seconds to climb to the peak (and to come down). */
  readonly ramp: number;
  /** Seconds at the peak. */
  readonly hold: number;
  /** Seconds at the base rate after the spike. */
  readonly after: number;
}

export const spikeSeconds = (s: SpikeShape): number => s.before + 2 * s.ramp + s.hold + s.after;

/** Base rate, a linear climb to factor × base, a plateau, a linear descent, base again. */
export function spikeProfile(base: number, factor: number, s: SpikeShape): RateProfile {
  const peak = base * factor;
  return (t) => {
    if (t < s.before) return base;
    if (t < s.before + s.ramp) return base + ((t - s.before) / s.ramp) * (peak - base);
    if (t < s.before + s.ramp + s.hold) return peak;
    if (t < s.before + 2 * s.ramp + s.hold) return peak - ((t - s.before - s.ramp - s.hold) / s.ramp) * (peak - base);
    return base;
  };
}

/** "90", "90s", "5m", "2h" → seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`a duration such as 30s, 10m or 2h, received '${text}'`);
  const n = Number(match[1]);
  return match[2] === 'h' ? n * 3600 : match[2] === 'm' ? n * 60 : n;
}
