// Where the journal lives unless the config or --state-dir says otherwise: the XDG Base
// Directory spec's state home, "$XDG_STATE_HOME, or $HOME/.local/state if that is unset or not
// absolute" (https://specifications.freedesktop.org/basedir-spec/latest/).
import { isAbsolute, join } from 'node:path';

export function defaultStateDir(
  xdgStateHome: string | undefined,
  home: string | undefined,
): string | undefined {
  if (xdgStateHome !== undefined && isAbsolute(xdgStateHome)) return join(xdgStateHome, 'maildir-fanout');
  if (home !== undefined && isAbsolute(home)) return join(home, '.local/state/maildir-fanout');
  return undefined;
}
