import type { Ctx } from '../ctx';
import type { Cmd } from './index';

/** Commands about the language server itself. */
export function serverCommands(ctx: Ctx): Record<string, Cmd> {
  return {
    'mlops.restartServer': () => ctx.restartServer(),
    'mlops.showServerOutput': () => ctx.output.show(true),
  };
}
