// API keys come only from an environment variable the user names (--api-key-env VAR): never from the
// command line (shell history, process lists) and never into a log, an error or a data file.
import { EndpointError } from './errors';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The key held by the environment variable `name`. A name that cannot be a variable name is refused
 * without echoing it, since it is most likely the key itself pasted in the wrong place.
 */
export function apiKeyFromEnv(name: string, env: NodeJS.ProcessEnv = process.env, flag = '--api-key-env'): string {
  if (!ENV_NAME.test(name)) {
    throw new EndpointError(
      'MISSING_KEY',
      `${flag} takes the NAME of an environment variable that holds the key (letters, digits and _), not the key ` +
        `itself`,
    );
  }
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new EndpointError(
      'MISSING_KEY',
      `the environment variable ${name} named by ${flag} is not set (or is empty); export the API key in it first`,
    );
  }
  return value.trim();
}

/** `text` with every occurrence of `secret` replaced, so a server that echoes the key cannot leak it. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}
