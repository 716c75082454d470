/** API_TOKENS: named bearer tokens, so the audit trail records who called (decisions D14, D19). */

const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A bearer token and who is recorded for what it does (decisions D14, D19): "api" or "api:<name>". */
export interface ApiToken {
  actor: string;
  token: string;
}

/** API_TOKENS=name:token,name2:token2; problems are reported without ever echoing a token. */
export function parseApiTokens(value: string | undefined, problem: (message: string) => void): ApiToken[] {
  if (!value) return [];
  const tokens: ApiToken[] = [];
  for (const [i, entry] of value.split(',').entries()) {
    const colon = entry.indexOf(':');
    const name = colon < 0 ? '' : entry.slice(0, colon).trim();
    const token = entry.slice(colon + 1).trim();
    const wrong = tokenProblem(colon < 0, name, token, tokens);
    if (wrong) problem(`entry ${i + 1}${TOKEN_NAME.test(name) ? ` (${name})` : ''}: ${wrong}`);
    else tokens.push({ actor: `api:${name}`, token });
  }
  return tokens;
}

function tokenProblem(noColon: boolean, name: string, token: string, before: ApiToken[]): string | null {
  if (noColon) return 'must be name:token';
  if (!TOKEN_NAME.test(name)) return `the name must be 1-64 letters, digits, . _ - (got "${name.slice(0, 80)}")`;
  if (token.length < 16) return 'the token must be at least 16 characters';
  if (/\s/.test(token)) return 'the token must not contain spaces';
  if (before.some((t) => t.actor === `api:${name}`)) return `the name ${name} is used twice`;
  if (before.some((t) => t.token === token)) return 'the same token is given twice';
  return null;
}
