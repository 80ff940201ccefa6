import { Document, isScalar, isSeq, visit } from 'yaml';
import type { z } from 'zod';
import { modelConfigSchema } from '../repository/model-config.js';

/** model.yaml as written (defaults may be left out); the worker parses it with modelConfigSchema. */
export type ModelYaml = z.input<typeof modelConfigSchema>;

/**
 * Renders model.yaml with a comment header. The config is checked against the worker's
 * schema first, so a demo model can never ship a file the worker would refuse.
 */
export function renderModelYaml(config: ModelYaml, comments: readonly string[]): string {
  modelConfigSchema.parse(config);
  const doc = new Document(config);
  // Short lists (shapes, labels) and per-feature maps read best on one line each.
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
    Map(_, node, path) {
      const parent = path[path.length - 1];
      if (isSeq(parent) && node.items.every((pair) => isScalar(pair.value))) node.flow = true;
    },
  });
  const header = comments.map((line) => (line ? `# ${line}` : '#')).join('\n');
  return `${header}\n${doc.toString({ lineWidth: 0 })}`;
}
