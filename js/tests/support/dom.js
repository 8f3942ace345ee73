// Just enough DOM for the pure renderers under `node --test` (no dependency): elements, text nodes,
// attributes, classList, dataset, events. innerHTML and insertAdjacentHTML really parse tags here, so a
// renderer that hands datapoint text to them makes elements a test can find (as a browser would).

class Node {
  constructor() {
    this.childNodes = [];
    this.parentNode = null;
  }
  get children() {
    return this.childNodes.filter((n) => n instanceof Element);
  }
  append(...nodes) {
    for (const node of nodes) this.appendChild(typeof node === "string" ? new Text(node) : node);
  }
  appendChild(node) {
    node.parentNode?.childNodes.splice(node.parentNode.childNodes.indexOf(node), 1);
    node.parentNode = this;
    this.childNodes.push(node);
    return node;
  }
  replaceWith(node) {
    const parent = this.parentNode;
    if (!parent) return;
    node.parentNode?.childNodes.splice(node.parentNode.childNodes.indexOf(node), 1);
    parent.childNodes.splice(parent.childNodes.indexOf(this), 1, node);
    node.parentNode = parent;
    this.parentNode = null;
  }
  replaceChildren(...nodes) {
    for (const node of this.childNodes) node.parentNode = null;
    this.childNodes = [];
    this.append(...nodes);
  }
  get textContent() {
    return this.childNodes.map((n) => n.textContent).join("");
  }
  set textContent(value) {
    this.replaceChildren(new Text(String(value)));
  }
}

class Text extends Node {
  constructor(data) {
    super();
    this.data = String(data);
  }
  get textContent() {
    return this.data;
  }
}

class ClassList {
  constructor(element) {
    this.element = element;
  }
  get names() {
    return (this.element.getAttribute("class") ?? "").split(/\s+/).filter(Boolean);
  }
  contains(name) {
    return this.names.includes(name);
  }
  add(...names) {
    this.element.setAttribute("class", [...new Set([...this.names, ...names])].join(" "));
  }
  remove(...names) {
    this.element.setAttribute("class", this.names.filter((n) => !names.includes(n)).join(" "));
  }
  toggle(name, force) {
    const on = force ?? !this.contains(name);
    if (on) this.add(name);
    else this.remove(name);
    return on;
  }
}

const VOID = new Set(["img", "br", "hr", "input", "meta", "link", "source"]);

/** A small tag parser: enough to turn `<b>x</b><img src=x onerror=y>` into elements. */
function parseHTML(markup) {
  const root = new Element("#fragment");
  let at = root;
  const pattern = /<\/?([a-zA-Z][\w-]*)([^>]*)>|([^<]+|<)/g;
  for (const [whole, tag, attrs, text] of markup.matchAll(pattern)) {
    if (text !== undefined) at.appendChild(new Text(text));
    else if (whole.startsWith("</")) at = at.parentNode ?? root;
    else {
      const element = openTag(tag, attrs);
      at.appendChild(element);
      if (!VOID.has(element.tagName.toLowerCase()) && !whole.endsWith("/>")) at = element;
    }
  }
  return root.childNodes.slice();
}

/** `<tag attrs>` as an element (attributes quoted either way, or bare). */
function openTag(tag, attrs) {
  const element = new Element(tag.toLowerCase());
  for (const [, name, , v1, v2, v3] of attrs.matchAll(/([\w-]+)(=("([^"]*)"|'([^']*)'|([^\s>]*)))?/g)) {
    element.setAttribute(name, v1 ?? v2 ?? v3 ?? "");
  }
  return element;
}

class Element extends Node {
  constructor(tag) {
    super();
    this.tagName = tag.toUpperCase();
    this.attributes = new Map();
    this.listeners = {};
    this.classList = new ClassList(this);
    this.style = {};
    this.dataset = new Proxy(
      {},
      {
        set: (_, key, value) => {
          this.setAttribute(`data-${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value);
          return true;
        },
        get: (_, key) => this.getAttribute(`data-${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`),
      },
    );
  }
  get className() {
    return this.getAttribute("class") ?? "";
  }
  set className(value) {
    this.setAttribute("class", value);
  }
  setAttribute(name, value) {
    this.attributes.set(name.toLowerCase(), String(value));
  }
  getAttribute(name) {
    return this.attributes.has(name.toLowerCase()) ? this.attributes.get(name.toLowerCase()) : null;
  }
  hasAttribute(name) {
    return this.attributes.has(name.toLowerCase());
  }
  removeAttribute(name) {
    this.attributes.delete(name.toLowerCase());
  }
  set innerHTML(markup) {
    this.replaceChildren(...parseHTML(String(markup)));
  }
  get innerHTML() {
    return this.textContent;
  }
  insertAdjacentHTML(_where, markup) {
    this.append(...parseHTML(String(markup)));
  }
  get id() {
    return this.getAttribute("id") ?? "";
  }
  set id(value) {
    this.setAttribute("id", value);
  }
  set title(value) {
    this.setAttribute("title", value);
  }
  get title() {
    return this.getAttribute("title") ?? "";
  }
  addEventListener(type, listener, options) {
    this.listeners[type] = [...(this.listeners[type] ?? []), listener];
    options?.signal?.addEventListener?.("abort", () => this.removeEventListener(type, listener));
  }
  removeEventListener(type, listener) {
    this.listeners[type] = (this.listeners[type] ?? []).filter((l) => l !== listener);
  }
  dispatchEvent(event) {
    let stopped = false;
    event.stopPropagation ??= () => {
      stopped = true;
    };
    event.target ??= this;
    for (let node = this; node && !stopped; node = node.parentNode) {
      for (const listener of node.listeners?.[event.type] ?? []) listener.call(node, event);
    }
    return !stopped;
  }
  /** Only a class selector (".jp-Notebook"); anything else finds nothing. */
  closest(selector) {
    if (!selector.startsWith(".")) return null;
    for (let at = this; at; at = at.parentNode) if (at.classList?.contains(selector.slice(1))) return at;
    return null;
  }
  contains(node) {
    for (let at = node; at; at = at.parentNode) if (at === this) return true;
    return false;
  }
  /** The document, or the `shadow` a test set on the top element ({host}: as in marimo, a shadow root). */
  getRootNode() {
    let top = this;
    while (top.parentNode) top = top.parentNode;
    return top.shadow ?? document;
  }
  /** Takes focus as a browser would: not when disabled or inside something hidden; the page sees a shadow's host. */
  focus() {
    if (this.hasAttribute("disabled")) return;
    for (let at = this; at; at = at.parentNode) if (at.hidden === true || at.hasAttribute?.("hidden")) return;
    const rootNode = this.getRootNode();
    rootNode.activeElement = this;
    if (rootNode !== document) document.activeElement = rootNode.host;
  }
  blur() {
    const rootNode = this.getRootNode();
    if (rootNode.activeElement === this) rootNode.activeElement = null;
    if (document.activeElement === this) document.activeElement = null;
  }
  querySelector() {
    return null;
  }
  /** Every element below this one (depth first), for the tests. */
  descendants() {
    return this.children.flatMap((child) => [child, ...child.descendants()]);
  }
}

export function installDOM() {
  globalThis.Node = Node;
  globalThis.Element = Element;
  globalThis.HTMLElement = Element;
  globalThis.Text = Text;
  globalThis.document = {
    createElement: (tag) => new Element(tag),
    createElementNS: (_namespace, tag) => new Element(tag),
    createTextNode: (data) => new Text(data),
    activeElement: null,
  };
}

/** Tag names (lower case) of every element below `root`. */
export const tagsBelow = (root) => root.descendants().map((e) => e.tagName.toLowerCase());
