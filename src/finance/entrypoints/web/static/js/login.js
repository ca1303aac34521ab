import { ApiError, currentUser, signedIn, signIn } from "./api.js";
import { byId } from "./dom.js";
import { homeOf } from "./shell.js";

const form = byId("login-form");
const problem = byId("login-error");

/** Only a page of this app is a place to return to after signing in. */
function nextPage(user) {
  const next = new URLSearchParams(window.location.search).get("next") || "";
  return next.startsWith("/app/") && !next.startsWith("/app/login") ? next : homeOf(user);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  problem.textContent = "";
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const user = await signIn(form.elements.email.value.trim(), form.elements.password.value);
    window.location.assign(nextPage(user));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      problem.textContent = "The email or password is not right.";
    } else if (error instanceof ApiError && error.status === 429) {
      problem.textContent = "Too many attempts for this email. Wait a while, then try again.";
    } else {
      problem.textContent = error.message;
    }
    form.elements.password.select();
  } finally {
    button.disabled = false;
  }
});

if (signedIn()) {
  currentUser().then((user) => window.location.replace(nextPage(user)), () => {});
}
document.body.dataset.state = "ready";
