import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildChain, compose } from '../../../../gateway/pipeline/compose.js';
import type { RequestContext } from '../../../../gateway/pipeline/context.js';
import type { Filter, FilterDeps, FilterFactory } from '../../../../gateway/pipeline/filter.js';
import type { RouteConfig } from '../../../../gateway/config/schema.js';

const ctx = {} as RequestContext;
const ok = { status: 200, headers: {}, body: null };

describe('filter chains', () => {
  it('runs filters outermost first around the terminal step, and lets one answer without calling next', async () => {
    const order: string[] = [];
    const tag = (name: string): Filter => async (c, next) => {
      order.push(`${name}>`);
      const result = await next(c);
      order.push(`<${name}`);
      return result;
    };
    const chain = compose([tag('a'), tag('b')], async () => {
      order.push('terminal');
      return ok;
    });
    assert.equal(await chain(ctx), ok);
    assert.deepEqual(order, ['a>', 'b>', 'terminal', '<b', '<a']);

    const shortCircuit = compose([async () => ({ status: 429, headers: {}, body: null })], () => assert.fail('terminal must not run'));
    assert.equal((await shortCircuit(ctx)).status, 429);
  });

  it('builds a chain once from factories, leaving out the ones that do not apply to the route', async () => {
    let created = 0;
    const factories: FilterFactory[] = [
      { name: 'on', create: () => (created++, (c, next) => next(c)) },
      { name: 'off', create: () => undefined },
    ];
    const chain = buildChain(factories, {} as RouteConfig, {} as FilterDeps, async () => ok);
    await chain(ctx);
    await chain(ctx);
    assert.equal(created, 1);
  });
});
