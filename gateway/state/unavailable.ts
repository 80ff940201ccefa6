import { SwitchyardError } from '../../protocol/errors.js';

/** The code of every 503 a store answers with (experiment store and runtime store alike). Never rename it. */
export const STORE_UNAVAILABLE = 'STORE_UNAVAILABLE';

/**
 * Redis did not take a runtime-state change in time: `what` names the change. The fenced
 * write (fenced-write.ts) guarantees that a change answered with this error never lands
 * later, so the message can say so, and the operator can simply send it again.
 */
export function changeNotMade(what: string, cause: unknown): SwitchyardError {
  return new SwitchyardError(STORE_UNAVAILABLE, 503,
    `runtime store (Redis) is unavailable: ${what} was not made and will not take effect later; send it again once Redis is back`,
    { cause, retryAfterSeconds: 1 });
}

/** Redis did not answer a read of the runtime state in time. */
export function stateNotRead(what: string, cause: unknown): SwitchyardError {
  return new SwitchyardError(STORE_UNAVAILABLE, 503, `runtime store (Redis) is unavailable: ${what} could not be read; try again later`, { cause, retryAfterSeconds: 1 });
}
