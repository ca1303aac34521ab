// What every signed-in page shares: the user, the navigation their role may use, sign out, and
// one place for messages.
import { currentUser, signedIn, signOut, withQuery, LOGIN_PAGE } from "./api.js";
import { byId, fill, h } from "./dom.js";

const LINKS = [
  { href: "/app/", text: "Dashboard", roles: ["analyst", "admin"] },
  { href: "/app/records/", text: "Records", roles: ["viewer", "analyst", "admin"] },
  { href: "/app/users/", text: "Users", roles: ["admin"] },
];

/** Where a user lands after signing in: the first page their role may see. */
export function homeOf(user) {
  return LINKS.find((link) => link.roles.includes(user.role)).href;
}

/** Start a page that `roles` may see: send others to sign in, or to their own home page. */
export async function startPage(roles) {
  if (!signedIn()) {
    window.location.replace(withQuery(LOGIN_PAGE, { next: window.location.pathname }));
    return new Promise(() => {});
  }
  const user = await currentUser();
  if (!roles.includes(user.role)) {
    window.location.replace(homeOf(user));
    return new Promise(() => {});
  }
  drawHeader(user);
  return user;
}

function drawHeader(user) {
  const here = window.location.pathname;
  const links = LINKS.filter((link) => link.roles.includes(user.role)).map((link) =>
    h("a", { href: link.href, text: link.text, "aria-current": link.href === here ? "page" : null }),
  );
  const out = h("button", {
    type: "button",
    class: "link-button",
    id: "sign-out",
    text: "Sign out",
    on: {
      click: async () => {
        await signOut();
        window.location.assign(LOGIN_PAGE);
      },
    },
  });
  fill(
    byId("site-header"),
    h("a", { class: "brand", href: homeOf(user), text: "Finance" }),
    h("nav", { "aria-label": "Main" }, links),
    h("div", { class: "who" }, h("span", { id: "user-name", text: user.name || user.email }), h("span", { class: "role", id: "user-role", text: user.role }), out),
  );
}

/** A message in the page's status line (read out by screen readers). */
export function say(text, kind = "info") {
  const line = byId("status");
  line.className = `status ${kind}`;
  line.textContent = text;
}

export function sayError(error) {
  say(error.message || String(error), "error");
}

/** Mark the page as drawn (browser tests and the draw-time figure wait for this). */
export function ready(name = "ready") {
  document.body.dataset.state = name;
  document.body.dataset.drawnMs = String(Math.round(performance.now()));
}

export function busy() {
  document.body.dataset.state = "loading";
}
