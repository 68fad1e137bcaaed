/** An error meant for the operator at the terminal: printed without a stack, with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** For commands whose parts are not built yet: say so and fail, never print made-up output. */
export function notBuilt(command: string, issue: string): never {
  throw new CliError(`pitstop ${command} is not built yet (${issue}); nothing was done.`, 3);
}
