// The dataset picker, shown while no dataset is open (Overmind: an agent, then one of its versions).
import { h } from "../shared/dom.js";

export function renderPicker(picker, { get, send }) {
  const state = get("picker") ?? {};
  picker.hidden = !state.kind;
  if (!state.kind) return picker.replaceChildren();
  const heading = {
    datasets: "Choose a dataset",
    agents: "Choose an agent",
    versions: `Choose a version of ${state.agent ?? "the agent"}`,
  }[state.kind];
  const parts = [h("h3", { class: "nbw-picker-title" }, heading)];
  if (state.kind !== "versions") {
    const search = h("input", {
      type: "search",
      "aria-label": `Search ${state.kind}`,
      placeholder: "Search…",
      value: state.search ?? "",
    });
    search.addEventListener("keydown", (event) => event.key === "Enter" && send("pick", { search: search.value }));
    parts.push(search);
  } else {
    parts.push(
      h("button", { type: "button", class: "nbw-link", onclick: () => send("pick", { search: "" }) }, "← all agents"),
    );
  }
  const items = state.items ?? [];
  const list = h(
    "ul",
    { class: "nbw-picker-list" },
    items.map((item) =>
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            onclick: () =>
              state.kind === "agents"
                ? send("choose_agent", { agent_id: item.id })
                : send("open_dataset", { dataset_id: item.id }),
          },
          item.name,
          item.count != null ? h("span", { class: "nbw-muted" }, ` · ${item.count.toLocaleString()} datapoints`) : null,
          item.active ? h("span", { class: "nbw-badge" }, "active") : null,
        ),
      ),
    ),
  );
  if (!items.length && !get("loading")) list.append(h("li", { class: "nbw-muted" }, "Nothing found."));
  parts.push(list);
  if (state.more) parts.push(h("div", { class: "nbw-muted" }, "More exist: search to narrow the list."));
  picker.replaceChildren(...parts);
}
