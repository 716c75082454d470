/**
 * Preloaded into bench child processes (node --expose-gc --import bench/child-hooks.ts): answers the bench's
 * IPC request for a full garbage collection and the memory numbers after it. Touches nothing else.
 */
const gc = (globalThis as { gc?: () => void }).gc;

if (process.send) {
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message?.type !== 'gc') return;
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    process.send?.({
      id: message.id,
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
    });
  });
  process.channel?.unref();
}
