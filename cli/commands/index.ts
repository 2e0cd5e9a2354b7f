// The engine's commands (migrate, watch, commit, ...), one module each. `lint` lives in cli/lint.ts.
export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {};
