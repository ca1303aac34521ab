import { ready, startPage } from "./shell.js";

await startPage(["viewer", "analyst", "admin"]);
ready();
