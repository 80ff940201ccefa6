import type { HistoryPoint, ResultsHistory } from './history.js';

/** The history of one replica (no store.redis): points by slot, oldest first. */
export function createMemoryResultsHistory(): ResultsHistory {
  const byExperiment = new Map<string, { slot: number; point: HistoryPoint }[]>();
  return {
    async append(id, slotStart, point, maxPoints) {
      const points = byExperiment.get(id) ?? [];
      if (points.some((p) => p.slot === slotStart)) return false;
      points.push({ slot: slotStart, point });
      points.sort((a, b) => a.slot - b.slot);
      byExperiment.set(id, points.slice(-maxPoints));
      return true;
    },
    async read(id) {
      return (byExperiment.get(id) ?? []).map((p) => p.point);
    },
    async reset(id) {
      byExperiment.delete(id);
    },
    async close() {},
  };
}
