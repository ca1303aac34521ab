// The users page, for admins: find people by role, status and name or email, a page at a time;
// create a user; change a role; deactivate and reactivate. The API decides every rule (the last
// active admin stays an active admin); the page shows its answers.
import { ApiError, call, get } from "./api.js";
import { byId, clearFieldErrors, field, fill, formValues, h, showFieldErrors } from "./dom.js";
import { formatCount } from "./money.js";
import { busy, ready, say, sayError, startPage } from "./shell.js";

const PAGE_SIZE = 20;
const ROLES = ["viewer", "analyst", "admin"];
const FILTERS = ["role", "is_active", "q"];
let me;
let page = 1;

function who(person) {
  return `${person.name} (${person.email})`;
}

function filters() {
  const values = formValues(byId("filters"));
  return Object.fromEntries(FILTERS.map((name) => [name, values[name] || ""]));
}

function keepInUrl() {
  const kept = new URLSearchParams(
    Object.entries({ ...filters(), page: page > 1 ? page : "" }).filter(([, value]) => value),
  );
  window.history.replaceState(null, "", kept.toString() ? `?${kept}` : window.location.pathname);
}

function restoreFromUrl() {
  const saved = new URLSearchParams(window.location.search);
  const form = byId("filters");
  for (const name of FILTERS) {
    if (saved.get(name)) form.elements[name].value = saved.get(name);
  }
  const number = Number(saved.get("page"));
  page = Number.isInteger(number) && number >= 1 ? number : 1;
}

/** The page number in one of the API's next/previous links, or null when there is none. */
function pageOf(link) {
  if (!link) return null;
  const number = Number(new URL(link, window.location.href).searchParams.get("page"));
  return Number.isInteger(number) && number >= 1 ? number : null;
}

// -- the list ----------------------------------------------------------------------------------

function roleCell(person) {
  const id = `role-${person.id}`;
  const select = h(
    "select",
    { id, dataset: { focus: "role" } },
    ROLES.map((role) => h("option", { value: role, text: role, selected: role === person.role })),
  );
  const save = h("button", {
    type: "button",
    text: "Save role",
    "aria-label": `Save role of ${who(person)}`,
    disabled: true,
    on: { click: () => changeRole(person, select.value) },
  });
  select.addEventListener("change", () => {
    save.disabled = select.value === person.role;
  });
  return h(
    "td",
    { "data-label": "Role" },
    h("span", {}, h("label", { class: "visually-hidden", for: id, text: `Role of ${who(person)}` }), select, " ", save),
  );
}

function actionCell(person) {
  const button = person.is_active
    ? h("button", {
      type: "button",
      class: "danger",
      text: "Deactivate",
      "aria-label": `Deactivate ${who(person)}`,
      dataset: { focus: "action" },
      on: { click: () => confirmDeactivation(person) },
    })
    : h("button", {
      type: "button",
      text: "Reactivate",
      "aria-label": `Reactivate ${who(person)}`,
      dataset: { focus: "action" },
      on: { click: () => reactivate(person) },
    });
  return h("td", { "data-label": "Actions" }, button);
}

function row(person) {
  const you = person.id === me.id;
  return h(
    "tr",
    { dataset: { id: person.id } },
    h("td", { class: "text", "data-label": "Name" }, h("span", {}, person.name, you ? h("strong", { text: " (you)" }) : null)),
    h("td", { class: "text", "data-label": "Email", text: person.email }),
    roleCell(person),
    h("td", { "data-label": "Active", text: person.is_active ? "Active" : "Inactive" }),
    h("td", { "data-label": "Joined" }, h("time", { datetime: person.date_joined, text: person.date_joined.slice(0, 10) })),
    actionCell(person),
  );
}

function drawPager(data) {
  const pages = Math.max(1, Math.ceil(data.count / PAGE_SIZE));
  byId("page-number").textContent = `Page ${formatCount(page)} of ${formatCount(pages)}`;
  for (const [id, link] of [["previous-page", data.previous], ["next-page", data.next]]) {
    const target = pageOf(link);
    byId(id).disabled = target === null;
    byId(id).dataset.page = target === null ? "" : String(target);
  }
}

function draw(data) {
  byId("user-count").textContent = `${formatCount(data.count)} ${data.count === 1 ? "user" : "users"}`;
  fill(
    byId("users").tBodies[0],
    data.results.length
      ? data.results.map(row)
      : h("tr", {}, h("td", { colspan: 6, text: "No users match these filters." })),
  );
  drawPager(data);
}

/** Load and draw the current page, then show `message` ([text, kind]) in the status line. */
async function load(message = [""]) {
  busy();
  const form = byId("filters");
  clearFieldErrors(form);
  try {
    const { data } = await get("/api/users/", { ...filters(), page, page_size: PAGE_SIZE });
    if (!data.results.length && data.count && page > 1) {
      // Past the last page (an old address, or the last user of the last page has left it).
      page = Math.ceil(data.count / PAGE_SIZE);
      keepInUrl();
      return load(message);
    }
    draw(data);
    say(...message);
    ready();
  } catch (error) {
    if (error instanceof ApiError && error.status === 422 && showFieldErrors(form, error.fields("query"))) {
      say("Some filters are not valid.", "error");
    } else {
      sayError(error);
    }
    ready("error");
  }
}

/** Put the focus back on a control of a redrawn row (or the list, if the row has gone). */
function focusIn(id, kind) {
  const target = byId("users").querySelector(`tr[data-id="${id}"] [data-focus="${kind}"]`);
  (target || byId("list-title")).focus();
}

// -- changing a user ---------------------------------------------------------------------------

/** Send one change, then redraw from the API: after a refusal the row shows what is stored. */
async function change(person, kind, request, done, refused) {
  busy();
  let message = [done, "ok"];
  try {
    await request();
  } catch (error) {
    message = [`${refused}: ${error.message}`, "error"];
  }
  await load(message);
  focusIn(person.id, kind);
}

function changeRole(person, role) {
  return change(
    person,
    "role",
    () => call("PATCH", `/api/users/${person.id}/`, { json: { role } }),
    `${who(person)} is now ${role}.`,
    `The role of ${who(person)} was not changed`,
  );
}

function reactivate(person) {
  return change(
    person,
    "action",
    () => call("PATCH", `/api/users/${person.id}/`, { json: { is_active: true } }),
    `${who(person)} is active again.`,
    `${who(person)} was not reactivated`,
  );
}

function confirmDeactivation(person) {
  const dialog = byId("confirm-dialog");
  const yourself = person.id === me.id ? " This is you: you will be signed out." : "";
  byId("confirm-text").textContent =
    `${who(person)} will no longer be able to sign in. Their records stay, and they can be reactivated later.${yourself}`;
  dialog.returnValue = "";
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "confirm") deactivate(person);
    else focusIn(person.id, "action");
  }, { once: true });
  dialog.showModal();
}

function deactivate(person) {
  return change(
    person,
    "action",
    () => call("DELETE", `/api/users/${person.id}/`),
    `${who(person)} was deactivated.`,
    `${who(person)} was not deactivated`,
  );
}

// -- creating a user ---------------------------------------------------------------------------

function drawCreateFields() {
  fill(
    byId("create-fields"),
    field("Email", h("input", { id: "new-email", name: "email", type: "email", autocomplete: "off", autofocus: true })),
    field("Name", h("input", { id: "new-name", name: "name", autocomplete: "off" })),
    field(
      "Password",
      h("input", { id: "new-password", name: "password", type: "password", autocomplete: "new-password" }),
      "At least 8 characters, not only digits, not the email.",
    ),
    field("Role", h("select", { id: "new-role", name: "role" }, ROLES.map((role) => h("option", { value: role, text: role })))),
  );
}

function openCreate() {
  const form = byId("create-form");
  form.reset();
  clearFieldErrors(form);
  byId("create-dialog").showModal();
}

function showCreateError(form, error) {
  if (error instanceof ApiError && error.status === 409) {
    showFieldErrors(form, { email: [error.message] });
  } else if (!(error instanceof ApiError && error.status === 422 && showFieldErrors(form, error.fields("json")))) {
    form.querySelector("[data-error-for='_form']").textContent = error.message;
  }
  const invalid = form.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
}

/** After creating someone, list just them, so that they are in sight whatever page they are on. */
function showOnly(person) {
  const form = byId("filters");
  form.reset();
  form.elements.q.value = person.email;
  page = 1;
  keepInUrl();
}

async function createUser(event) {
  event.preventDefault();
  const form = byId("create-form");
  const values = formValues(form);
  const submit = form.querySelector("button[type=submit]");
  clearFieldErrors(form);
  submit.disabled = true;
  busy();
  try {
    const { data } = await call("POST", "/api/users/", {
      // The password is sent as typed: spaces may be part of it.
      json: { email: values.email, name: values.name, password: form.elements.password.value, role: values.role },
    });
    byId("create-dialog").close();
    showOnly(data);
    await load([`Created ${who(data)}.`, "ok"]);
  } catch (error) {
    showCreateError(form, error);
    ready();
  } finally {
    submit.disabled = false;
  }
}

// -- start -------------------------------------------------------------------------------------

function wire() {
  const form = byId("filters");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    page = 1;
    keepInUrl();
    load();
  });
  byId("clear-filters").addEventListener("click", () => {
    form.reset();
    form.requestSubmit();
  });
  for (const id of ["previous-page", "next-page"]) {
    byId(id).addEventListener("click", async (event) => {
      page = Number(event.currentTarget.dataset.page);
      keepInUrl();
      await load();
      if (byId(id).disabled) byId("list-title").focus();
    });
  }
  byId("new-user").addEventListener("click", openCreate);
  byId("create-form").addEventListener("submit", createUser);
  byId("create-dialog").querySelector("[data-close]").addEventListener("click", () => byId("create-dialog").close());
  byId("create-dialog").addEventListener("close", () => byId("new-user").focus());
}

async function start() {
  me = await startPage(["admin"]);
  drawCreateFields();
  restoreFromUrl();
  wire();
  await load();
}

start().catch((error) => {
  sayError(error);
  ready("error");
});
