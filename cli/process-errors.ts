/** System error codes that mean "the path you gave is wrong", not "the program is broken". */
const USER_FACING_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EADDRINUSE', 'EADDRNOTAVAIL']);

/** Whether `err` is a Node system error about the user's input (a missing path, a port taken). */
export function isUserFacingSystemError(err: unknown): boolean {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && USER_FACING_CODES.has(err.code) && 'syscall' in err;
}

/**
 * When whoever reads our output goes away (`switchyard models list | head`), writes fail with
 * EPIPE; like any Unix filter we stop there, quietly and with success, instead of crashing
 * with an unhandled 'error' event.
 */
export function exitQuietlyOnClosedPipe(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}
