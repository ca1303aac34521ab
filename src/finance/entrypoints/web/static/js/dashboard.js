// The dashboard: summary cards, monthly income and expense with the net, expenses by category,
// recent transactions, budgets and the forecast, for a date range and (admins) one owner.
import { ApiError, everyUser, get } from "./api.js";
import { byId, clearFieldErrors, fill, formValues, h, showFieldErrors } from "./dom.js";
import { chartValue, formatCount, formatMoney } from "./money.js";
import { busy, ready, say, sayError, startPage } from "./shell.js";

const COLORS = { income: "#1f7a4d", expense: "#b3372f", net: "#2457c5", budget: "#8a5a00" };
const PALETTE = ["#2457c5", "#b3372f", "#1f7a4d", "#8a5a00", "#6b3fa0", "#0f7c8c", "#c0567d",
  "#52606d", "#9c6b30", "#3c8d2f", "#a33ea1", "#36638c"];
const charts = {};
const owners = new Map();
let user;

function currentMonth() {
  return new Date().toISOString().slice(0, 7);
}

function scope() {
  const values = formValues(byId("range"));
  return {
    date_from: values.date_from,
    date_to: values.date_to,
    owner_id: user.role === "admin" ? values.owner_id : "",
  };
}

function money(value, kind) {
  return h("td", { class: `num ${kind || ""}`.trim(), "data-label": "Amount", text: formatMoney(value) });
}

function cell(label, text, kind) {
  return h("td", { class: kind || null, "data-label": label, text });
}

function draw(name, canvas, config) {
  if (charts[name]) charts[name].destroy();
  charts[name] = new window.Chart(canvas, config);
}

function moneyTooltip(strings) {
  // Tooltips show the API's strings, not the numbers that size the bars.
  return {
    callbacks: {
      label: (context) => `${context.dataset.label}: ${formatMoney(strings[context.datasetIndex][context.dataIndex])}`,
    },
  };
}

const axisMoney = { ticks: { callback: (value) => formatCount(Math.round(value)) } };

/** Income and expense bars per month with a third series as a line over them. */
function drawBarsAndLine(name, months, bars, line) {
  const series = [...bars, line].map(({ key }) => months.map((m) => m[key]));
  draw(name, byId(`${name}-chart`), {
    data: {
      labels: months.map((m) => m.month),
      datasets: [
        ...bars.map(({ label, color }, i) => ({ type: "bar", label, data: series[i].map(chartValue), backgroundColor: color, order: 2 })),
        { type: "line", label: line.label, data: series[2].map(chartValue), borderColor: line.color, backgroundColor: line.color, order: 1, tension: 0.2 },
      ],
    },
    options: { animation: false, maintainAspectRatio: false, plugins: { tooltip: moneyTooltip(series) }, scales: { y: axisMoney } },
  });
}

function showSummary(summary) {
  byId("total-income").textContent = formatMoney(summary.total_income);
  byId("total-expense").textContent = formatMoney(summary.total_expense);
  byId("net-balance").textContent = formatMoney(summary.net_balance);
  byId("net-balance").className = summary.net_balance.startsWith("-") ? "expense" : "income";
  byId("record-count").textContent = formatCount(summary.record_count);
}

function showTrends(trends, range) {
  const months = trends.results;
  byId("trends-caption").textContent = range.date_from || range.date_to
    ? `${months[0].month} to ${months[months.length - 1].month}`
    : "The last 12 months";
  drawBarsAndLine(
    "trends",
    months,
    [{ key: "income", label: "Income", color: COLORS.income }, { key: "expense", label: "Expense", color: COLORS.expense }],
    { key: "net", label: "Net", color: COLORS.net },
  );
  fill(
    byId("trends-table").tBodies[0],
    months.map((m) => h("tr", {}, cell("Month", m.month), money(m.income, "income"), money(m.expense, "expense"), money(m.net), h("td", { class: "num", text: formatCount(m.count) }))),
  );
}

function showCategories(totals) {
  const rows = totals.results;
  const strings = [rows.map((row) => row.total)];
  draw("categories", byId("categories-chart"), {
    type: "doughnut",
    data: {
      labels: rows.map((row) => row.category),
      datasets: [{ label: "Expense", data: strings[0].map(chartValue), backgroundColor: rows.map((_, i) => PALETTE[i % PALETTE.length]) }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { position: "right" }, tooltip: moneyTooltip(strings) },
    },
  });
  fill(
    byId("categories-table").tBodies[0],
    rows.length
      ? rows.map((row) => h("tr", {}, cell("Category", row.category, "text"), money(row.total, "expense"), h("td", { class: "num", text: formatCount(row.count) })))
      : h("tr", {}, h("td", { colspan: 3, text: "No expenses in this range." })),
  );
}

function ownerName(id) {
  return owners.get(id) || `#${id}`;
}

function showRecent(recent) {
  const admin = user.role === "admin";
  for (const header of document.querySelectorAll(".owner-column")) header.hidden = !admin;
  fill(
    byId("recent").tBodies[0],
    recent.results.length
      ? recent.results.map((record) => h("tr", { dataset: { id: record.id } },
        cell("Date", record.date),
        cell("Description", record.description, "text"),
        cell("Category", record.category, "text"),
        cell("Type", record.type, record.type),
        money(record.amount, record.type),
        admin ? cell("Owner", ownerName(record.owner_id)) : null))
      : h("tr", {}, h("td", { colspan: 6, text: "No records in this range." })),
  );
}

const MOST_BUDGETS = 10;

function budgetShare(budget) {
  // Overspent first: no share left (available at or below zero) counts as the most used.
  return budget.percent_used === null ? Infinity : Number(budget.percent_used);
}

function budgetBar(budget) {
  const percent = budget.percent_used === null ? null : Number(budget.percent_used);
  const over = budget.remaining.startsWith("-");
  const who = user.role === "admin" ? ` (${ownerName(budget.owner_id)})` : "";
  return h("div", { class: over ? "budget over" : "budget", dataset: { budgetId: budget.budget_id } },
    h("span", { class: "text", id: `budget-${budget.budget_id}`, text: budget.category + who }),
    h("progress", { max: 100, value: percent === null ? 100 : Math.min(percent, 100), "aria-labelledby": `budget-${budget.budget_id}` }),
    h("span", { class: "figures", text: `${formatMoney(budget.spent)} spent of ${formatMoney(budget.available)}`
      + (percent === null ? "" : ` (${budget.percent_used}%)`)
      + (over ? `, over by ${formatMoney(budget.remaining.slice(1))}` : `, ${formatMoney(budget.remaining)} left`) }));
}

function showBudgets(report) {
  const section = byId("budgets-section");
  section.hidden = report.results.length === 0;
  if (section.hidden) return;
  byId("budgets-title").textContent = `Budgets for ${report.month}`;
  // The most used first; with many (an admin's view of every owner), only the first ten.
  const ranked = [...report.results].sort((a, b) => budgetShare(b) - budgetShare(a));
  const shown = ranked.slice(0, MOST_BUDGETS);
  const more = ranked.length - shown.length;
  fill(
    byId("budgets"),
    shown.map(budgetBar),
    more > 0 ? h("p", { class: "caption", id: "budgets-more", text: `${more} more, less used: pick an owner to see theirs.` }) : null,
  );
  const totals = report.totals;
  byId("budget-totals").textContent = `In all ${report.results.length} budgets: ${formatMoney(totals.spent)} spent of ${formatMoney(totals.available)}, ${formatMoney(totals.remaining)} remaining.`;
}

function showForecast(forecast) {
  const months = forecast.results;
  const section = byId("forecast-section");
  section.hidden = !months.some((m) => [m.scheduled_income, m.scheduled_expense, m.budgeted_expense].some((v) => v !== "0.00"));
  if (section.hidden) return;
  drawBarsAndLine(
    "forecast",
    months,
    [
      { key: "scheduled_income", label: "Scheduled income", color: COLORS.income },
      { key: "scheduled_expense", label: "Scheduled expense", color: COLORS.expense },
    ],
    { key: "budgeted_expense", label: "Budgeted expense", color: COLORS.budget },
  );
  fill(
    byId("forecast-table").tBodies[0],
    months.map((m) => h("tr", {}, cell("Month", m.month), money(m.scheduled_income, "income"), money(m.scheduled_expense, "expense"), money(m.scheduled_net), money(m.budgeted_expense))),
  );
}

async function loadOwners() {
  // The owner picker lists every user; an admin may pick any of them.
  const select = byId("owner_id");
  byId("owner-field").hidden = false;
  for (const person of await everyUser()) {
    owners.set(person.id, person.name || person.email);
    select.append(h("option", { value: String(person.id), text: `${person.name} (${person.email})` }));
  }
}

async function refresh() {
  busy();
  const form = byId("range");
  clearFieldErrors(form);
  say("");
  const range = scope();
  const owner = { owner_id: range.owner_id };
  try {
    const [summary, trends, categories, recent, budgets, forecast] = await Promise.all([
      get("/api/dashboard/summary/", range),
      get("/api/dashboard/monthly-trends/", range),
      get("/api/dashboard/category-totals/", { ...range, type: "expense" }),
      get("/api/dashboard/recent-transactions/", { ...range, limit: 10 }),
      get("/api/dashboard/budgets/", { ...owner, month: currentMonth() }),
      get("/api/dashboard/forecast/", { ...owner, months: 6 }),
    ]);
    showSummary(summary.data);
    showTrends(trends.data, range);
    showCategories(categories.data);
    showRecent(recent.data);
    showBudgets(budgets.data);
    showForecast(forecast.data);
    ready();
  } catch (error) {
    if (error instanceof ApiError && error.status === 422 && showFieldErrors(form, error.fields("query"))) {
      say("Some values are not valid.", "error");
    } else {
      sayError(error);
    }
    ready("error");
  }
}

async function start() {
  user = await startPage(["analyst", "admin"]);
  if (user.role === "admin") await loadOwners();
  const saved = new URLSearchParams(window.location.search);
  const form = byId("range");
  for (const name of ["date_from", "date_to", "owner_id"]) {
    if (saved.get(name)) form.elements[name].value = saved.get(name);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const kept = new URLSearchParams(Object.entries(scope()).filter(([, value]) => value));
    window.history.replaceState(null, "", kept.toString() ? `?${kept}` : window.location.pathname);
    refresh();
  });
  byId("clear-range").addEventListener("click", () => {
    form.elements.date_from.value = "";
    form.elements.date_to.value = "";
    form.requestSubmit();
  });
  await refresh();
}

start().catch((error) => {
  sayError(error);
  ready("error");
});
