// Small DOM helpers. Updates touch a node only when its content really changes, so a
// live update never redraws (or flickers) anything that stayed the same.

export function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

export function setData(node, name, value) {
  const text = String(value);
  if (node.dataset[name] !== text) node.dataset[name] = text;
}

export function show(node, visible) {
  if (node.hidden === visible) node.hidden = !visible;
}

// Keep `container`'s children one per key, in `keys` order: existing nodes are reused
// (updated in place by `update`), new ones made by `create`, missing ones removed.
export function keyed(container, keys, create, update) {
  const existing = new Map([...container.children].map((n) => [n.dataset.key, n]));
  keys.forEach((key, index) => {
    let node = existing.get(key);
    if (!node) {
      node = create(key);
      node.dataset.key = key;
    }
    existing.delete(key);
    update(node, key);
    if (container.children[index] !== node) container.insertBefore(node, container.children[index] ?? null);
  });
  for (const stale of existing.values()) stale.remove();
}
