/**
 * Which rollout commands the dashboard offers in each phase. Pure and free of Node imports: the
 * page imports the compiled file to enable its buttons, and the tests check the same table.
 */

export type RolloutCommandName = 'promote' | 'abort' | 'pause' | 'resume';

export const ROLLOUT_COMMANDS: readonly RolloutCommandName[] = ['promote', 'abort', 'pause', 'resume'];

/**
 * Per phase (GET /admin/rollouts/ROUTE `phase`), the commands that act, following the controller's
 * state machine (gateway/rollout/machine.ts, step 4) with two choices of ours:
 * - an aborted or blocked rollout starts again with resume only: promote would also restart it, one
 *   step up, which skips the step resume starts at;
 * - a promoted rollout keeps abort: it is the way back to stable without editing the YAML.
 * 'starting' (no state stored yet) acts like progressing; 'manual' (no steps) takes no command.
 */
const APPLICABLE: Readonly<Record<string, readonly RolloutCommandName[]>> = {
  starting: ['promote', 'abort', 'pause'],
  golden: ['promote', 'abort', 'pause'],
  shadow: ['promote', 'abort', 'pause'],
  progressing: ['promote', 'abort', 'pause'],
  paused: ['promote', 'abort', 'resume'],
  blocked: ['abort', 'resume'],
  aborted: ['resume'],
  promoted: ['abort'],
  manual: [],
};

/** Why a command does not apply, in the words of its button's tooltip; undefined when it does. */
export function commandRefusal(phase: string, command: RolloutCommandName): string | undefined {
  const applicable = APPLICABLE[phase] ?? [];
  if (applicable.includes(command)) return undefined;
  switch (command) {
    case 'promote':
      if (phase === 'promoted') return 'already promoted';
      return phase === 'aborted' || phase === 'blocked' ? `the rollout is ${phase}: start it again with resume` : `not while ${phase}`;
    case 'abort': return phase === 'aborted' ? 'already aborted' : `nothing to abort while ${phase}`;
    case 'pause': return `only a running rollout pauses (this one is ${phase})`;
    case 'resume': return `only a paused, aborted or blocked rollout resumes (this one is ${phase})`;
  }
}
