// Where the form sits in its host page: marimo's output box is let grow around it, and the save bar is kept
// at the visible bottom while the form runs past it. Both are undone when `signal` aborts (the view goes).

/**
 * marimo caps a cell's output at about 610 px and scrolls it inside the page: a jury form would sit in a
 * scroll box of its own (two scrollbars, the save bar at the bottom of the small box). The box around
 * this form (marimo's, found through the shadow root) is let grow; it is put back when the view goes.
 */
export function growInMarimo(el, signal) {
  const restore = [];
  const inMarimo = (n) => n?.closest?.(".marimo-cell, [data-cell-id]");
  // a box of marimo's that caps its height and scrolls: uncapped, its cap kept to put back
  const uncap = (node) => {
    const style = getComputedStyle(node);
    if (style.maxHeight === "none" || !/(auto|scroll)/.test(style.overflowY)) return;
    if (restore.some(([n]) => n === node)) return;
    restore.push([node, node.style.maxHeight]);
    node.style.maxHeight = "none";
  };
  const grow = () => {
    let node = el.getRootNode?.()?.host ?? el.parentElement;
    for (let depth = 0; node && depth < 8; depth++) {
      if (!inMarimo(node)) return;
      uncap(node);
      if (node.matches?.(".marimo-cell")) return;
      node = node.parentElement ?? node.getRootNode?.()?.host ?? null;
    }
  };
  // the view is put in the page after render returns
  requestAnimationFrame(grow);
  setTimeout(grow, 500);
  signal.addEventListener("abort", () => {
    for (const [node, value] of restore) node.style.maxHeight = value;
  });
}

/** The visible bottom of the page for `root`: the window's, raised by every scroller around it that scrolls. */
function visibleBottom(root) {
  let bottom = window.innerHeight;
  for (let node = root.parentElement ?? root.getRootNode()?.host; node; ) {
    const style = getComputedStyle(node);
    if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight)
      bottom = Math.min(bottom, node.getBoundingClientRect().bottom);
    node = node.parentElement ?? node.getRootNode?.()?.host ?? null;
  }
  return bottom;
}

/**
 * The save bar stays at the bottom of the view while the form runs past it. CSS sticky does that where
 * no box between the form and the page's scroller clips (JupyterLab's output area does: overflow-x), so
 * the bar is lifted by hand to the visible bottom of every scroller around it.
 */
export function keepFooterInView(root, footer, signal) {
  let frame = 0;
  const place = () => {
    frame = 0;
    if (!footer.isConnected) return;
    footer.style.transform = "";
    const bar = footer.getBoundingClientRect();
    const form = root.getBoundingClientRect();
    // lifted at most to the form's top (a form scrolled almost out of view keeps its bar with it)
    const lift = Math.min(bar.bottom - visibleBottom(root), bar.top - form.top);
    footer.classList.toggle("nbw-lifted", lift > 0);
    if (lift > 0) footer.style.transform = `translateY(${-lift}px)`;
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(place);
  };
  document.addEventListener("scroll", schedule, { capture: true, passive: true, signal });
  window.addEventListener("resize", schedule, { signal });
  if (typeof ResizeObserver !== "undefined") {
    const observer = new ResizeObserver(schedule);
    observer.observe(root);
    signal.addEventListener("abort", () => observer.disconnect());
  }
  schedule();
}
