/** The parts of `process` the watch reads, so a test can hand it a fake. */
export interface WatchedProcess {
  readonly ppid: number;
  readonly connected?: boolean;
  once(event: 'disconnect', listener: () => void): unknown;
  removeListener(event: 'disconnect', listener: () => void): unknown;
}

/**
 * Calls `onGone` once when this process's parent is gone, however it died (SIGKILL included):
 * the IPC channel to it closed, or this process was handed to another parent. A forked training
 * worker uses it so that it never outlives the platform that started it.
 * Returns a function that stops watching.
 */
export function watchParent(onGone: (reason: string) => void, proc: WatchedProcess = process, everyMs = 1_000): () => void {
  const parent = proc.ppid;
  let watching = true;
  const gone = (reason: string) => {
    if (!watching) return;
    stop();
    onGone(reason);
  };
  const onDisconnect = () => gone(`the IPC channel to the parent process ${parent} closed`);
  const timer = setInterval(() => {
    if (proc.ppid !== parent) gone(`the parent process ${parent} is gone (now a child of ${proc.ppid})`);
  }, everyMs);
  timer.unref();
  proc.once('disconnect', onDisconnect);
  function stop(): void {
    watching = false;
    clearInterval(timer);
    proc.removeListener('disconnect', onDisconnect);
  }
  if (proc.connected === false) onDisconnect(); // closed before the watch began
  return stop;
}
