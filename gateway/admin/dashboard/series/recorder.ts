import type { BackendTotals } from '../lib/prometheus.js';
import { windowFigures } from '../lib/prometheus.js';
import { Ring } from './ring.js';

/** How often the gateway samples its routes for the dashboard's charts, ms. */
export const DEFAULT_SERIES_INTERVAL_MS = 10_000;
/** How far back the charts reach, ms: the ring holds this long's worth of samples per route and side. */
export const SERIES_KEEP_MS = 60 * 60_000;

/** A canary's two sides, or a blue-green's two colours (by role, not by name: a switch swaps them). */
export type SeriesSide = 'stable' | 'canary' | 'active' | 'preview';

/** One side of a route at one sample: its backend, its weight then, and its cumulative counters. */
export interface SideReading {
  readonly side: SeriesSide;
  readonly backend: string;
  /** Percent of the route's traffic it had at the sample. */
  readonly weight: number;
  /** Counters since the gateway started (the request counter and histogram); undefined: no request yet. */
  readonly totals: BackendTotals | undefined;
}

export interface RouteReading {
  readonly route: string;
  readonly strategy: 'canary' | 'blueGreen';
  readonly sides: readonly SideReading[];
}

/** One side over one sampling interval (the one ending at `at`). */
export interface SeriesPoint {
  /** Epoch ms of the sample. */
  readonly at: number;
  readonly backend: string;
  /** Percent, at the sample. */
  readonly weight: number;
  /** Requests served in the interval; rate, error rate and p99 are null in the first sample (nothing to compare with). */
  readonly requests: number;
  readonly ratePerSecond: number | null;
  /** errors / requests (errors: failure + timeout); null without requests. */
  readonly errorRate: number | null;
  /** 99th percentile latency in the interval, ms, read from the histogram buckets; null without requests. */
  readonly p99Ms: number | null;
}

/** Something that happened to a route that the charts mark, seen by the recorder itself (a blue-green switch). */
export interface SeriesMarker {
  readonly at: number;
  readonly event: 'switch';
  readonly by: 'detected';
  readonly weight: number;
  readonly reason: string;
}

export interface RouteSeries {
  readonly route: string;
  readonly strategy: 'canary' | 'blueGreen';
  readonly sides: readonly { readonly side: SeriesSide; readonly points: readonly SeriesPoint[] }[];
  readonly markers: readonly SeriesMarker[];
}

interface RouteRecord {
  strategy: 'canary' | 'blueGreen';
  readonly sides: Map<SeriesSide, Ring<SeriesPoint>>;
  readonly markers: Ring<SeriesMarker>;
  lastActive: string | undefined;
}

/** Markers kept per route (the oldest go first). */
const KEPT_MARKERS = 100;

/**
 * The dashboard's time series: per canary or blue-green route and side, one point per sample
 * (weight, request rate, error rate, p99 over the interval since the previous sample), in a ring
 * holding SERIES_KEEP_MS worth. Pure: the sampler passes the time and the readings in, so tests
 * give exact clocks and counters.
 */
export class SeriesRecorder {
  private readonly routes = new Map<string, RouteRecord>();
  /** The previous sample's counters per route and backend, and when it was taken. */
  private previous = new Map<string, BackendTotals>();
  private previousAt: number | undefined;
  readonly capacity: number;

  constructor(readonly intervalMs: number = DEFAULT_SERIES_INTERVAL_MS, keepMs: number = SERIES_KEEP_MS) {
    this.capacity = Math.ceil(keepMs / intervalMs) + 1;
  }

  /** One sample of every rolled-out route at `at` (epoch ms). Routes no longer read are forgotten. */
  record(at: number, readings: readonly RouteReading[]): void {
    const seconds = this.previousAt === undefined ? 0 : (at - this.previousAt) / 1000;
    const current = new Map<string, BackendTotals>();
    for (const reading of readings) {
      const record = this.recordOf(reading);
      for (const side of reading.sides) {
        const key = keyOf(reading.route, side.backend);
        if (side.totals !== undefined) current.set(key, side.totals);
        let ring = record.sides.get(side.side);
        if (ring === undefined) record.sides.set(side.side, (ring = new Ring(this.capacity)));
        ring.push(pointOf(at, side, this.previous.get(key), seconds, this.previousAt !== undefined));
      }
      this.noteSwitch(at, reading, record);
    }
    for (const route of [...this.routes.keys()]) if (!readings.some((r) => r.route === route)) this.routes.delete(route);
    this.previous = current;
    this.previousAt = at;
  }

  /** The series of every route from `since` (epoch ms) on, oldest point first. */
  read(since: number): RouteSeries[] {
    return [...this.routes.entries()].map(([route, record]) => ({
      route, strategy: record.strategy,
      sides: [...record.sides.entries()].map(([side, ring]) => ({ side, points: ring.toArray().filter((p) => p.at >= since) })),
      markers: record.markers.toArray().filter((m) => m.at >= since),
    }));
  }

  private recordOf(reading: RouteReading): RouteRecord {
    let record = this.routes.get(reading.route);
    // A route whose strategy changed in the YAML starts a new series: its sides mean something else.
    if (record === undefined || record.strategy !== reading.strategy) {
      record = { strategy: reading.strategy, sides: new Map(), markers: new Ring(KEPT_MARKERS), lastActive: undefined };
      this.routes.set(reading.route, record);
    }
    return record;
  }

  /** A blue-green route's active colour changed since the last sample: a switch, marked at this sample. */
  private noteSwitch(at: number, reading: RouteReading, record: RouteRecord): void {
    if (reading.strategy !== 'blueGreen') return;
    const active = reading.sides.find((s) => s.side === 'active')?.backend;
    if (record.lastActive !== undefined && active !== undefined && active !== record.lastActive) {
      record.markers.push({ at, event: 'switch', by: 'detected', weight: 100, reason: `${active} took over from ${record.lastActive}` });
    }
    record.lastActive = active;
  }
}

function keyOf(route: string, backend: string): string {
  return `${route}\u0000${backend}`;
}

/**
 * The interval's figures from two cumulative readings. Without a previous sample there is no
 * interval: the point carries the weight only. Counters lower than before (a registry that started
 * over) count from zero.
 */
function pointOf(at: number, side: SideReading, before: BackendTotals | undefined, seconds: number, hasPrevious: boolean): SeriesPoint {
  const empty = { at, backend: side.backend, weight: side.weight, requests: 0, ratePerSecond: null, errorRate: null, p99Ms: null };
  if (!hasPrevious || seconds <= 0) return empty;
  if (side.totals === undefined) return { ...empty, ratePerSecond: 0 };
  const start = before !== undefined && before.requests <= side.totals.requests ? before : { ...side.totals, requests: 0, errors: 0, buckets: [] };
  const figures = windowFigures(side.totals, start, seconds);
  return { ...empty, requests: figures.requests, ratePerSecond: figures.ratePerSecond, errorRate: figures.errorRate, p99Ms: figures.p99Ms };
}
