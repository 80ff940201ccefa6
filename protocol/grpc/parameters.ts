import type { Parameters } from '../v2-types.js';
import type { InferParameterMessage, ParameterMap } from './messages.js';

/**
 * InferParameter map → the REST-shaped `Parameters`, so both transports read `priority`,
 * `timeout` and the rest with the same code. 64-bit integers become numbers when they are
 * safe integers and stay decimal strings otherwise.
 */
export function parametersFromGrpc(map: ParameterMap | null | undefined): Parameters {
  const out: Parameters = {};
  if (!map) return out;
  for (const [key, p] of Object.entries(map)) {
    const value = parameterValue(p);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function parameterValue(p: InferParameterMessage): string | number | boolean | undefined {
  switch (p.parameter_choice ?? firstSet(p)) {
    case 'bool_param': return p.bool_param;
    case 'string_param': return p.string_param;
    case 'double_param': return p.double_param;
    case 'int64_param': return integer(p.int64_param);
    case 'uint64_param': return integer(p.uint64_param);
    default: return undefined;
  }
}

/** Messages built in code (not decoded) carry no parameter_choice: the one member set wins. */
function firstSet(p: InferParameterMessage): InferParameterMessage['parameter_choice'] {
  const keys = ['bool_param', 'int64_param', 'string_param', 'double_param', 'uint64_param'] as const;
  return keys.find((k) => p[k] !== undefined);
}

function integer(value: number | string | bigint | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

/** `Parameters` → InferParameter map: booleans, integers as int64, other numbers as double, strings. */
export function parametersToGrpc(params: Parameters | undefined): ParameterMap {
  const out: ParameterMap = {};
  if (!params) return out;
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'boolean') out[key] = { bool_param: value };
    else if (typeof value === 'string') out[key] = { string_param: value };
    else if (Number.isSafeInteger(value)) out[key] = { int64_param: value };
    else out[key] = { double_param: value };
  }
  return out;
}
