import { ready, startPage } from "./shell.js";

await startPage(["admin"]);
ready();
