import { error } from '../errors.js';
import { unknownNameMessage } from '../suggest.js';
import type { Check } from './context.js';

/** A shadow names an existing backend, and not the route's only backend. */
export const checkShadows: Check = (config) =>
  config.routes.flatMap((route, i) => {
    const shadow = route.shadow;
    if (shadow === undefined) return [];
    const at = ['routes', i, 'shadow', 'backend'];
    const defined = Object.keys(config.backends);
    if (!defined.includes(shadow.backend)) return [error(at, unknownNameMessage('backend', 'backends', shadow.backend, defined))];
    if (route.backend === shadow.backend) return [error(at, `is the route's own backend ('${shadow.backend}'); a shadow copies traffic to another backend`)];
    return [];
  });
