/**
 * The longest gap between ticks of a 5 ms timer while some work runs: how long the event loop was blocked, i.e.
 * whether a worker doing that work could still heartbeat and poll.
 */
export function startStallProbe(): { stop: () => Promise<number> } {
  let longestMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longestMs = Math.max(longestMs, now - last);
    last = now;
  }, 5);
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 10)); // let the timer see the end of a synchronous stretch
      clearInterval(timer);
      return longestMs;
    },
  };
}
