// The records page: the list with every filter, sorting and cursor paging, and CSV export, for
// every role (the API shows each their own); for admins also the owner filter, the deleted
// records with restore, creating, editing (with If-Match), deleting and importing a CSV file.
import { ApiError, call, everyUser, get } from "./api.js";
import { byId, clearFieldErrors, field, fill, formValues, h, showFieldErrors } from "./dom.js";
import { formatCount, formatMoney } from "./money.js";
import { busy, ready, say, sayError, startPage } from "./shell.js";

const FILTERS = ["type", "category", "q", "date_from", "date_to", "min_amount", "max_amount",
  "owner_id", "ordering", "page_size"];
const DEFAULTS = { ordering: "-date", page_size: "20" };
const EDITABLE = ["amount", "type", "category", "date", "description"];
const CONFLICT = "This record was changed by someone else. Reload it to see the latest version.";

const filterForm = byId("filters");
const recordForm = byId("record-form");
const importForm = byId("import-form");
const owners = new Map();
const activeOwners = [];
let admin = false;

// What the table shows: the applied filters, the view, and where in the cursor chain it is.
const list = {
  deleted: false,
  query: {},
  cursor: null,
  earlier: [],
  nextCursor: null,
  count: null,
  loads: 0,
};

// The record in the form while editing (with the ETag it was read with); null while creating.
let editing = null;

/* ---- filters and the address bar ---- */

function filters() {
  const values = formValues(filterForm);
  if (!admin) delete values.owner_id;
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ""));
}

function keepInUrl() {
  const kept = new URLSearchParams();
  for (const [name, value] of Object.entries(list.query)) {
    if (DEFAULTS[name] !== value) kept.append(name, value);
  }
  if (list.deleted) kept.append("view", "deleted");
  const text = kept.toString();
  window.history.replaceState(null, "", text ? `?${text}` : window.location.pathname);
}

function restoreFromUrl() {
  const saved = new URLSearchParams(window.location.search);
  for (const name of FILTERS) {
    if (saved.get(name)) filterForm.elements[name].value = saved.get(name);
  }
  list.deleted = admin && saved.get("view") === "deleted";
}

function apply() {
  list.query = filters();
  keepInUrl();
  return firstPage();
}

function sortBy(column) {
  const current = list.query.ordering || DEFAULTS.ordering;
  filterForm.elements.ordering.value = current === column ? `-${column}` : column;
  return apply();
}

/* ---- the list ---- */

function listPath() {
  return list.deleted ? "/api/records/deleted/" : "/api/records/";
}

function firstPage(message = "") {
  list.cursor = null;
  list.earlier = [];
  return load(message);
}

/** Load and draw the current page; `message` is said once it is drawn. */
async function load(message = "") {
  list.loads += 1;
  const mine = list.loads;
  busy();
  clearFieldErrors(filterForm);
  say("");
  try {
    const { data } = await get(listPath(), { ...list.query, cursor: list.cursor });
    if (mine !== list.loads) return; // a later load has started: its answer is the one to draw
    if (list.cursor === null) list.count = data.count;
    list.nextCursor = data.next_cursor;
    drawRows(data.results);
    drawPager();
    drawSort();
    if (message) say(message, "ok");
    ready();
  } catch (error) {
    if (mine !== list.loads) return;
    drawNothing();
    if (error instanceof ApiError && error.status === 422 && showFieldErrors(filterForm, error.fields("query"))) {
      say("Some filters are not valid.", "error");
    } else {
      sayError(error);
    }
    ready("error");
  }
}

function ownerName(id) {
  return owners.get(id) || `#${id}`;
}

function cell(label, text, kind) {
  return h("td", { class: kind || null, "data-label": label, text });
}

/** "2026-11-29T20:28:00.809+00:00" → "2026-11-29 20:28" (the API's timestamps are UTC). */
function added(timestamp) {
  return `${timestamp.slice(0, 10)} ${timestamp.slice(11, 16)}`;
}

function rowButton(action, text, record, handler, kind) {
  return h("button", {
    type: "button",
    class: kind || null,
    text,
    "aria-label": `${text} record ${record.id}`,
    dataset: { action },
    on: { click: (event) => handler(record, event.currentTarget) },
  });
}

function actions(record) {
  const buttons = list.deleted
    ? [rowButton("restore", "Restore", record, restore)]
    : [rowButton("edit", "Edit", record, openEdit), rowButton("delete", "Delete", record, openDelete, "danger")];
  return h("td", { class: "actions", "data-label": "Actions" }, buttons);
}

function row(record) {
  return h("tr", { dataset: { id: record.id } },
    cell("No.", String(record.id), "num"),
    cell("Date", record.date),
    cell("Description", record.description, "text"),
    cell("Category", record.category, "text"),
    cell("Type", record.type, record.type),
    cell("Amount", formatMoney(record.amount), `num ${record.type}`),
    admin ? cell("Owner", ownerName(record.owner_id)) : null,
    h("td", { "data-label": "Added", title: record.created_at, text: added(record.created_at) }),
    admin ? actions(record) : null);
}

function visibleColumns() {
  return [...byId("records").tHead.rows[0].cells].filter((th) => !th.hidden).length;
}

function emptyRow() {
  const columns = visibleColumns();
  let text = list.deleted ? "No deleted records match these filters." : "No records match these filters.";
  if (list.earlier.length) text = "No more records.";
  return h("tr", {}, h("td", { colspan: columns, text }));
}

/** A row's button as it is now: the same one, or its twin in the redrawn row (or null). */
function sameButton(button) {
  if (!button || button.isConnected) return button;
  const row = button.closest("tr[data-id]");
  if (!row || !button.dataset.action) return null;
  return byId("records").querySelector(
    `tr[data-id="${CSS.escape(row.dataset.id)}"] [data-action="${CSS.escape(button.dataset.action)}"]`);
}

function drawRows(records) {
  // A redrawn row keeps the focus on its button (after a dialog closes, say); a row that is
  // gone hands it to the list's title, so the keyboard user is not sent back to the top.
  const tbody = byId("records").tBodies[0];
  const focused = tbody.contains(document.activeElement) ? document.activeElement : null;
  fill(tbody, records.length ? records.map(row) : emptyRow());
  if (focused) (sameButton(focused) || byId("list-title")).focus();
}

/** After a failed load: no rows that the filters in view did not select. */
function drawNothing() {
  fill(byId("records").tBodies[0], h("tr", {}, h("td", { colspan: visibleColumns(), text: "No records to show." })));
  list.nextCursor = null;
  drawPager();
  byId("record-count").textContent = "";
}

function drawPager() {
  const size = Number(list.query.page_size || DEFAULTS.page_size);
  const number = list.earlier.length + 1;
  const known = typeof list.count === "number";
  const kind = list.deleted ? "deleted record" : "record";
  byId("record-count").textContent = known ? `${formatCount(list.count)} ${kind}${list.count === 1 ? "" : "s"}` : "";
  byId("page-number").textContent = known && list.count > 0
    ? `Page ${number} of ${formatCount(Math.ceil(list.count / size))}`
    : `Page ${number}`;
  const previous = byId("previous-page");
  const next = byId("next-page");
  const focused = document.activeElement;
  previous.disabled = list.earlier.length === 0;
  next.disabled = !list.nextCursor;
  // A pager button that has just become disabled would drop the focus to the page's top.
  if (focused === next && next.disabled && !previous.disabled) previous.focus();
  if (focused === previous && previous.disabled && !next.disabled) next.focus();
}

function drawSort() {
  const ordering = list.query.ordering || DEFAULTS.ordering;
  for (const th of byId("records").querySelectorAll("th[data-sort]")) {
    const column = th.dataset.sort;
    if (ordering === column) th.setAttribute("aria-sort", "ascending");
    else if (ordering === `-${column}`) th.setAttribute("aria-sort", "descending");
    else th.removeAttribute("aria-sort");
  }
}

function nextPage() {
  if (!list.nextCursor) return null;
  list.earlier.push(list.cursor);
  list.cursor = list.nextCursor;
  // Spent: a second click before this page arrives must not push the same cursor again.
  list.nextCursor = null;
  byId("next-page").disabled = true;
  return load();
}

function previousPage() {
  list.cursor = list.earlier.pop() ?? null;
  return load();
}

function showView() {
  const toggle = byId("show-deleted");
  toggle.setAttribute("aria-pressed", String(list.deleted));
  byId("list-title").textContent = list.deleted ? "Deleted records" : "Records";
  // Creating, importing and exporting concern live records only.
  byId("new-record").hidden = !admin || list.deleted;
  byId("import-section").hidden = !admin || list.deleted;
  byId("export").hidden = list.deleted;
}

function toggleDeleted() {
  list.deleted = !list.deleted;
  showView();
  keepInUrl();
  return firstPage();
}

/* ---- export ---- */

function saveFile(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

async function exportCsv() {
  const button = byId("export");
  button.disabled = true;
  busy();
  try {
    const { page_size: _, ...query } = list.query;
    const response = await call("GET", "/api/records/export/", { query, raw: true });
    saveFile(await response.blob(), "records.csv");
    say("The records are saved as records.csv.", "ok");
    ready();
  } catch (error) {
    sayError(error);
    ready("error");
  } finally {
    button.disabled = false;
  }
}

/* ---- dialogs ---- */

const openers = new Map();

function openDialog(dialog, opener, focus) {
  openers.set(dialog, opener);
  dialog.showModal();
  if (focus) focus.focus();
}

function returnFocus(event) {
  // The close event may come after the list was redrawn: then the opener's twin takes it.
  (sameButton(openers.get(event.currentTarget)) || byId("list-title")).focus();
}

/* ---- create and edit ---- */

function ownerOption(person) {
  return h("option", { value: String(person.id), text: `${person.name} (${person.email})` });
}

function buildRecordFields() {
  const typeSelect = h("select", { id: "record-type", name: "type" },
    h("option", { value: "expense", text: "Expense" }),
    h("option", { value: "income", text: "Income" }));
  const ownerSelect = h("select", { id: "record-owner", name: "owner_id" },
    h("option", { value: "", text: "Me" }), activeOwners.map(ownerOption));
  fill(byId("record-fields"),
    field("Amount", h("input", { id: "record-amount", name: "amount", type: "text", inputmode: "decimal", autocomplete: "off" }), "For example 1250.00"),
    field("Type", typeSelect),
    field("Category", h("input", { id: "record-category", name: "category", type: "text" })),
    field("Date", h("input", { id: "record-date", name: "date", type: "date" })),
    field("Description", h("textarea", { id: "record-description", name: "description", rows: 3 })),
    field("Owner", ownerSelect));
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function showOwnerField(shown) {
  const select = recordForm.elements.owner_id;
  select.disabled = !shown; // a disabled field is left out of the form's values
  select.closest(".field").hidden = !shown;
}

function resetRecordForm() {
  recordForm.reset();
  clearFieldErrors(recordForm);
  byId("conflict").hidden = true;
}

function putInForm(record) {
  for (const name of EDITABLE) recordForm.elements[name].value = record[name];
}

function openCreate(event) {
  editing = null;
  resetRecordForm();
  byId("record-title").textContent = "New record";
  byId("record-save").textContent = "Create record";
  showOwnerField(true);
  recordForm.elements.date.value = today();
  openDialog(byId("record-dialog"), event.currentTarget, recordForm.elements.amount);
}

async function readRecord(id) {
  const { data, headers } = await get(`/api/records/${id}/`);
  return { record: data, etag: headers.get("ETag") };
}

async function openEdit(record, opener) {
  busy();
  try {
    editing = await readRecord(record.id);
  } catch (error) {
    sayError(error);
    ready("error");
    return;
  }
  resetRecordForm();
  byId("record-title").textContent = `Edit record ${record.id}`;
  byId("record-save").textContent = "Save changes";
  showOwnerField(false);
  putInForm(editing.record);
  openDialog(byId("record-dialog"), opener, recordForm.elements.amount);
  ready();
}

function createBody(values) {
  // Fields left empty are not sent, so the API says they are missing rather than invalid.
  const body = {};
  for (const [name, value] of Object.entries(values)) {
    if (value !== "" || name === "description") body[name] = value;
  }
  if (body.owner_id) body.owner_id = Number(body.owner_id);
  return body;
}

function changes(values) {
  return Object.fromEntries(EDITABLE.filter((name) => values[name] !== editing.record[name]).map((name) => [name, values[name]]));
}

function showConflict() {
  byId("conflict-text").textContent = CONFLICT;
  byId("conflict").hidden = false;
  byId("conflict-reload").focus();
}

function showRecordError(error) {
  const general = recordForm.querySelector("[data-error-for='_form']");
  if (error instanceof ApiError && error.status === 412) {
    showConflict();
  } else if (error instanceof ApiError && error.status === 422 && showFieldErrors(recordForm, error.fields("json"))) {
    const invalid = recordForm.querySelector("[aria-invalid=true]");
    if (invalid) invalid.focus();
  } else if (error instanceof ApiError && error.status === 404) {
    general.textContent = "This record no longer exists.";
  } else {
    general.textContent = error.message;
  }
}

async function saveRecord(event) {
  event.preventDefault();
  busy();
  clearFieldErrors(recordForm);
  byId("conflict").hidden = true;
  const save = byId("record-save");
  save.disabled = true;
  try {
    const values = formValues(recordForm);
    if (editing) {
      const patch = changes(values);
      if (Object.keys(patch).length === 0) {
        byId("record-dialog").close();
        say("Nothing was changed.");
        ready();
        return;
      }
      const path = `/api/records/${editing.record.id}/`;
      await call("PATCH", path, { json: patch, headers: { "If-Match": editing.etag } });
      byId("record-dialog").close();
      await load("The record is saved.");
    } else {
      const { data } = await call("POST", "/api/records/", { json: createBody(values) });
      byId("record-dialog").close();
      await firstPage(`Record ${data.id} is created.`);
    }
  } catch (error) {
    showRecordError(error);
    ready();
  } finally {
    save.disabled = false;
  }
}

async function reloadRecord() {
  busy();
  try {
    editing = await readRecord(editing.record.id);
    clearFieldErrors(recordForm);
    byId("conflict").hidden = true;
    putInForm(editing.record);
    recordForm.elements.amount.focus();
  } catch (error) {
    showRecordError(error);
  }
  ready();
}

/* ---- delete and restore ---- */

let deleting = null;

function openDelete(record, opener) {
  deleting = record;
  byId("delete-text").textContent =
    `Delete record ${record.id} of ${record.date}, ${record.category}, ${formatMoney(record.amount)}? ` +
    "It can be restored from the deleted records.";
  openDialog(byId("delete-dialog"), opener);
}

async function deleteConfirmed(event) {
  // The form (method=dialog) closes the dialog itself; only its Delete button deletes.
  const record = deleting;
  deleting = null;
  if (!event.submitter || event.submitter.value !== "confirm" || !record) return;
  busy();
  try {
    await call("DELETE", `/api/records/${record.id}/`);
    await load(`Record ${record.id} is deleted.`);
  } catch (error) {
    sayError(error);
    ready("error");
  }
}

async function restore(record) {
  busy();
  try {
    await call("POST", `/api/records/${record.id}/restore/`);
    await load(`Record ${record.id} is restored.`);
  } catch (error) {
    sayError(error);
    ready("error");
  }
}

/* ---- import ---- */

function plural(count, word) {
  return `${formatCount(count)} ${word}${count === 1 ? "" : "s"}`;
}

function showImportResult(text, kind) {
  const result = byId("import-result");
  result.className = `status ${kind}`;
  result.textContent = text;
}

function showLineErrors(errors) {
  const box = byId("import-errors");
  fill(box.querySelector("tbody"), errors.map((problem) => h("tr", {},
    cell("Line", String(problem.line), "num"),
    cell("Column", problem.field === "_row" ? "(the whole row)" : problem.field),
    cell("Problem", problem.message, "text"))));
  box.hidden = errors.length === 0;
}

function importFailure(error) {
  if (!(error instanceof ApiError)) return error.message;
  if (error.status === 422 && Array.isArray(error.errors)) {
    showLineErrors(error.errors);
    return error.message;
  }
  if (error.status === 422) {
    const fields = { ...error.fields("body"), ...error.fields("files"), ...error.fields("query") };
    showFieldErrors(importForm, fields);
    return "The file was not imported.";
  }
  if (error.status === 413) return "The file is too large to import. Nothing was imported.";
  if (error.status === 415) return "The file was not taken as CSV. Nothing was imported.";
  return error.message;
}

async function importCsv(event) {
  event.preventDefault();
  clearFieldErrors(importForm);
  showImportResult("", "info");
  showLineErrors([]);
  const input = importForm.elements.file;
  const file = input.files[0];
  if (!file) {
    showFieldErrors(importForm, { file: ["Choose a CSV file."] });
    input.focus();
    return;
  }
  busy();
  const button = importForm.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const { data } = await call("POST", "/api/records/import/", {
      body: file,
      contentType: "text/csv",
      query: { owner_id: importForm.elements.owner_id.value },
    });
    input.value = "";
    showImportResult(`Imported ${plural(data.imported, "record")}.`, "ok");
    await firstPage();
  } catch (error) {
    showImportResult(importFailure(error), "error");
    ready();
  } finally {
    button.disabled = false;
  }
}

/* ---- start ---- */

async function loadOwners() {
  // Every user names the owners; only active ones may be given new records.
  for (const person of await everyUser()) {
    owners.set(person.id, person.name || person.email);
    filterForm.elements.owner_id.append(ownerOption(person));
    if (person.is_active) {
      activeOwners.push(person);
      importForm.elements.owner_id.append(ownerOption(person));
    }
  }
}

function startAdmin() {
  byId("owner-field").hidden = false;
  byId("show-deleted").hidden = false;
  for (const th of document.querySelectorAll(".owner-column, .actions-column")) th.hidden = false;
  buildRecordFields();
  byId("new-record").addEventListener("click", openCreate);
  byId("show-deleted").addEventListener("click", toggleDeleted);
  recordForm.addEventListener("submit", saveRecord);
  recordForm.querySelector("[data-close]").addEventListener("click", () => byId("record-dialog").close());
  byId("conflict-reload").addEventListener("click", reloadRecord);
  byId("record-dialog").addEventListener("close", returnFocus);
  byId("delete-dialog").addEventListener("close", returnFocus);
  byId("delete-form").addEventListener("submit", deleteConfirmed);
  importForm.addEventListener("submit", importCsv);
}

function wireList() {
  filterForm.addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  for (const name of ["ordering", "page_size"]) {
    filterForm.elements[name].addEventListener("change", () => filterForm.requestSubmit());
  }
  byId("clear-filters").addEventListener("click", () => {
    filterForm.reset();
    filterForm.requestSubmit();
  });
  for (const th of byId("records").querySelectorAll("th[data-sort]")) {
    th.querySelector("button").addEventListener("click", () => sortBy(th.dataset.sort));
  }
  byId("next-page").addEventListener("click", nextPage);
  byId("previous-page").addEventListener("click", previousPage);
  byId("export").addEventListener("click", exportCsv);
}

async function start() {
  const user = await startPage(["viewer", "analyst", "admin"]);
  admin = user.role === "admin";
  if (admin) {
    await loadOwners();
    startAdmin();
  }
  restoreFromUrl();
  showView();
  wireList();
  list.query = filters();
  await load();
}

start().catch((error) => {
  sayError(error);
  ready("error");
});
