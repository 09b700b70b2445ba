// The one colour policy for everything berth prints. Precedence, strongest first:
//   --ansi always|never  >  NO_COLOR (non-empty)  >  FORCE_COLOR  >  TERM=dumb  >  is the stream a TTY.
// NO_COLOR beats FORCE_COLOR when both are set: asking for less is the safer reading of a contradiction.
import { Chalk, type ChalkInstance } from 'chalk';

export type AnsiMode = 'auto' | 'always' | 'never';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ColorPolicyInput {
  readonly ansi?: AnsiMode;
  readonly env?: Env;
  readonly isTTY?: boolean;
}

export function resolveColor({ ansi = 'auto', env = process.env, isTTY = false }: ColorPolicyInput): boolean {
  if (ansi === 'always') return true;
  if (ansi === 'never') return false;
  if (env.NO_COLOR) return false;
  // FORCE_COLOR= (empty) or =1/2/3/true forces colour, as in supports-color; only 0/false turn it off.
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/**
 * A chalk bound to the decision, never to chalk's own environment sniffing, so that every piece of ui
 * agrees with resolveColor. Basic 16 colours: that is all compose uses.
 */
export function createChalk(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

export type { ChalkInstance };
