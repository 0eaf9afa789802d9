import type { Command } from "commander"; import type { SetExit } from "../main"; export function registerServeCommands(_p: Command, _s: SetExit): void {}
