// Column headers by mouse: drag a header's right edge to resize its column, drag a header onto another
// to move its column there. (By keyboard: Shift+←/→ and Alt+←/→ on a header, in table.js.)

export function wireHeaders({ thead, colgroup, signal, on, widthOf }) {
  // --- column resize (drag the header's right edge) and reorder (drag a header onto another) ----------
  thead.addEventListener(
    "pointerdown",
    (event) => {
      const handle = event.target.closest(".nbw-resize");
      if (!handle) return;
      event.preventDefault();
      const key = handle.closest("th").dataset.key;
      const col = colgroup.querySelector(`col[data-key="${CSS.escape(key)}"]`);
      const startX = event.clientX;
      const startWidth = widthOf(key);
      const moves = new AbortController();
      let width = startWidth;
      window.addEventListener(
        "pointermove",
        (move) => {
          width = Math.max(60, startWidth + move.clientX - startX);
          col.style.width = `${width}px`;
        },
        { signal: moves.signal },
      );
      window.addEventListener(
        "pointerup",
        () => {
          moves.abort();
          if (width !== startWidth) on.resizeColumn(key, width);
        },
        { signal: moves.signal },
      );
      signal.addEventListener("abort", () => moves.abort());
    },
    { signal },
  );
  thead.addEventListener(
    "dragstart",
    (event) => {
      const th = event.target.closest?.("th[data-key]");
      if (th) event.dataTransfer.setData("text/x-nbw-column", th.dataset.key);
    },
    { signal },
  );
  thead.addEventListener(
    "dragover",
    (event) => {
      if (event.dataTransfer.types.includes("text/x-nbw-column")) event.preventDefault();
    },
    { signal },
  );
  thead.addEventListener(
    "drop",
    (event) => {
      const th = event.target.closest("th[data-key]");
      const key = event.dataTransfer.getData("text/x-nbw-column");
      if (th && key) {
        event.preventDefault();
        on.dropColumn(key, th.dataset.key);
      }
    },
    { signal },
  );
}
