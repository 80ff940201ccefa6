/** One Dockerfile instruction: `RUN a && b` → { op: 'RUN', args: 'a && b' }, continuation lines joined. */
export interface Instruction {
  readonly op: string;
  readonly args: string;
}

export interface Stage {
  readonly name: string | undefined;
  /** The base image with the global ARG defaults substituted. */
  readonly from: string;
  readonly instructions: readonly Instruction[];
}

/** Enough of the Dockerfile grammar for these files: comments, `\` continuations, ARG defaults, stages. */
export function parseDockerfile(text: string): { readonly args: Readonly<Record<string, string>>; readonly stages: readonly Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    logical.push((pending + line).trim());
    pending = '';
  }
  const globalArgs: Record<string, string> = {};
  const stages: { name: string | undefined; from: string; instructions: Instruction[] }[] = [];
  for (const line of logical.filter((l) => l !== '')) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { op: op.toUpperCase(), args: args.replace(/\s+/g, ' ') };
    if (instruction.op === 'FROM') {
      const [image = '', , name] = instruction.args.split(' ');
      const from = image.replace(/\$\{(\w+)\}/g, (_, n: string) => globalArgs[n] ?? '');
      stages.push({ name, from, instructions: [] });
    } else if (stages.length === 0 && instruction.op === 'ARG') {
      const [n, v = ''] = instruction.args.split('=');
      globalArgs[n!] = v;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args: globalArgs, stages };
}

export function stage(stages: readonly Stage[], name: string): Stage {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage '${name}'; stages: ${stages.map((s) => s.name).join(', ')}`);
  return found;
}

/** Every shell command the RUN instructions of a stage run, split on && and ;. */
export function runCommands(s: Stage): string[] {
  return s.instructions.filter((i) => i.op === 'RUN').flatMap((i) => i.args.split(/&&|;/)).map((c) => c.trim()).filter((c) => c !== '');
}

/** `COPY [--from=x] src... dest` → sources and destination. */
export function copies(s: Stage): { readonly from: string | undefined; readonly sources: readonly string[]; readonly dest: string }[] {
  return s.instructions.filter((i) => i.op === 'COPY').map((i) => {
    const words = i.args.split(' ');
    const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
    const plain = words.filter((w) => !w.startsWith('--'));
    return { from, sources: plain.slice(0, -1), dest: plain.at(-1)! };
  });
}

/** An exec-form instruction's JSON array, e.g. ENTRYPOINT ["switchyard"]. */
export function execForm(s: Stage, op: string): readonly string[] | undefined {
  const found = s.instructions.filter((i) => i.op === op).at(-1);
  return found === undefined ? undefined : (JSON.parse(found.args) as string[]);
}
