import { ConfigError, type InputReader } from '../inputs/inputs.ts';

/**
 * Credentials for a container registry (`registry-username` / `registry-password`), read once and
 * shared by every feature that talks to a registry: pushing the checked image for a Railway deploy,
 * and reading or writing a size baseline.
 */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export function readRegistryCredentials(read: InputReader): RegistryCredentials | undefined {
  const username = read('registry-username').trim();
  // Passwords and tokens are taken verbatim except for the line break a secret pasted from a file carries.
  const password = read('registry-password').replace(/\r?\n$/, '');
  if (username === '' && password === '') return undefined;
  if (username === '') throw new ConfigError('registry-username', 'is empty but registry-password is set; give both or neither');
  if (password === '') throw new ConfigError('registry-password', 'is empty but registry-username is set; give both or neither');
  if (/[\r\n]/.test(password)) throw new ConfigError('registry-password', 'spans several lines; give the password or token alone');
  return { username, password };
}
