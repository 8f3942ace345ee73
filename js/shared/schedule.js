// One sync message from the kernel can change many traits at once, firing one event each:
// `coalesced(render)` renders once after all of them (at the end of the current task).
export function coalesced(render) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      render();
    });
  };
}
