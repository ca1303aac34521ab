// Building the page's elements. Every value reaches the page as text (textContent), never as
// markup, so a description such as `<img src=x onerror=…>` is shown, not run.

/** h("td", {class: "amount", dataset: {id: 3}, on: {click: f}, attrs: {...}}, "text", node…) */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "on") {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function fill(node, ...children) {
  clear(node);
  append(node, children);
  return node;
}

export const byId = (id) => document.getElementById(id);

/** The values of a form's named fields, as trimmed strings. */
export function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form).entries()) {
    if (typeof value === "string") values[name] = value.trim();
  }
  return values;
}

/** Show the API's field messages next to the form's fields; a message for a field the form
 * does not have goes to the form's own error line. Returns whether any was shown. */
export function showFieldErrors(form, fields) {
  clearFieldErrors(form);
  const unplaced = [];
  for (const [name, messages] of Object.entries(fields || {})) {
    const text = [].concat(messages).flat().map(String).join(" ");
    const input = form.elements.namedItem(name);
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (input && slot) {
      slot.textContent = text;
      if (input.setAttribute) input.setAttribute("aria-invalid", "true");
    } else {
      unplaced.push(`${name}: ${text}`);
    }
  }
  const general = form.querySelector("[data-error-for='_form']");
  if (general && unplaced.length) general.textContent = unplaced.join(" ");
  return Object.keys(fields || {}).length > 0;
}

export function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

/** A labelled field with its error slot: label, input (or select/textarea), message. */
export function field(label, control, hint) {
  const id = control.id || `field-${control.name}`;
  control.id = id;
  const error = h("span", { class: "field-error", "data-error-for": control.name, id: `${id}-error` });
  control.setAttribute("aria-describedby", `${id}-error`);
  return h("div", { class: "field" }, h("label", { for: id, text: label }), control, hint ? h("small", { text: hint }) : null, error);
}
