// Every efn command, in the order efn --help lists them.
import { deploy, undeploy } from "./deploy.js";
import { get } from "./get.js";
import { invoke } from "./invoke.js";
import { logs, metrics } from "./logs.js";
import { addDomain, createSchedule } from "./misc.js";
import { createFunction, init, pull, push } from "./project.js";
import { login, logout, whoami } from "./session.js";

/** @type {import("../lib/context.js").Command[]} */
export const commands = [login, logout, whoami, init, createFunction, pull, push, deploy, undeploy, invoke, get, logs, metrics, createSchedule, addDomain];
