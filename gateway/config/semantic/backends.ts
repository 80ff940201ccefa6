import type { ConfigFinding } from '../errors.js';
import { error } from '../errors.js';
import { unknownNameMessage } from '../suggest.js';
import type { Check } from './context.js';

/** A backend is a pool or a list of endpoints; model-aware ones say which model. */
export const checkBackends: Check = (config) => {
  const findings: ConfigFinding[] = [];
  const pools = Object.keys(config.pools);
  for (const [name, backend] of Object.entries(config.backends)) {
    const at = ['backends', name];
    if (backend.pool !== undefined && backend.endpoints !== undefined) {
      findings.push(error(at, `has both 'pool' and 'endpoints'; a backend is either a pool of workers or a list of endpoints, so keep one`));
    } else if (backend.pool === undefined && backend.endpoints === undefined) {
      findings.push(error(at, `has neither 'pool' nor 'endpoints'; say where its traffic goes, e.g. { pool: cpu, model: ${name} } or { endpoints: [http://10.0.0.5:9000] }`));
    }
    if (backend.pool !== undefined && !pools.includes(backend.pool)) {
      findings.push(error([...at, 'pool'], unknownNameMessage('pool', 'pools', backend.pool, pools)));
    }
    if (backend.pool !== undefined && backend.model === undefined) {
      findings.push(error(at, `uses pool '${backend.pool}' but names no 'model'; add the model's name from the pool's repository`));
    }
    if (backend.endpoints !== undefined) findings.push(...checkEndpoints(backend.endpoints, [...at, 'endpoints']));
    if (backend.version !== undefined && backend.model === undefined) {
      findings.push(error([...at, 'version'], `is set but 'model' is not; a version belongs to a model, so add 'model'`));
    }
  }
  return findings;
};

function checkEndpoints(endpoints: readonly string[], at: readonly PropertyKey[]): ConfigFinding[] {
  if (endpoints.length === 0) return [error(at, 'is empty; list at least one URL such as http://10.0.0.5:9000')];
  const findings: ConfigFinding[] = [];
  const seen = new Set<string>();
  endpoints.forEach((text, i) => {
    const problem = endpointProblem(text);
    if (problem !== undefined) findings.push(error([...at, i], problem));
    else if (seen.has(new URL(text).origin)) findings.push(error([...at, i], `'${text}' is listed twice; list each endpoint once`));
    else seen.add(new URL(text).origin);
  });
  return findings;
}

function endpointProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `expected an http:// or https:// URL such as 'http://10.0.0.5:9000'; found '${text}'`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `expected an http:// or https:// URL; found the scheme '${url.protocol.slice(0, -1)}' in '${text}'`;
  }
  // The request's own path is forwarded, so an endpoint is an origin only.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    return `'${text}' has a path, query or fragment; give only scheme://host:port (the request's path is forwarded as is)`;
  }
  return undefined;
}
