// Icons drawn in SVG (emoji fonts are not everywhere).
const SVG = "http://www.w3.org/2000/svg";
const THUMB =
  "M2 21h4V9H2v12zm20-11c0-1.1-.9-2-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4V19c0 1.1.9 2 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z";

/** A thumb; "down" is the same thumb turned over (by the .nbw-thumb-down class). */
export function thumbIcon(direction) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", `nbw-icon nbw-thumb-${direction}`);
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", THUMB);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}
