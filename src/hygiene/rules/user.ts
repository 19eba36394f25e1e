/**
 * The user rules: an image that runs as root (by name, by uid 0, or with no USER at all), and
 * a USER whose account or group the image does not have.
 */
import { accountNames, type ImageUser } from '../rules.ts';
import type { Draft } from './draft.ts';

export interface UserFacts {
  /** Config.User, parsed. */
  readonly user: ImageUser;
  /** Config.User as the config has it, trimmed; undefined when the config has none. */
  readonly configured: string | undefined;
  /** The final /etc/passwd and /etc/group (undefined: the image has none); undefined when the layers could not be read. */
  readonly accounts: { readonly passwd: string | undefined; readonly group: string | undefined } | undefined;
  /** The USER line, else the final FROM line. */
  readonly line: number | null;
}

/** A named user that /etc/passwd gives uid 0 is root under another name. */
export function hasUidZero({ user, accounts }: Pick<UserFacts, 'user' | 'accounts'>): boolean {
  return !user.root && !user.numeric && accounts?.passwd !== undefined && accountUid(accounts.passwd, user.user) === '0';
}

export function userFindings(facts: UserFacts): Draft[] {
  const drafts: Draft[] = [];
  const root = rootFinding(facts);
  if (root) drafts.push(root);
  if (facts.accounts && !facts.user.root) drafts.push(...unknownAccountFindings(facts.user, facts.accounts, facts.line));
  return drafts;
}

function rootFinding(facts: UserFacts): Draft | undefined {
  const { user, configured } = facts;
  const uidZero = hasUidZero(facts);
  if (!user.root && !uidZero) return undefined;
  return {
    id: 'root-user',
    message: uidZero
      ? `The image runs as root: USER ${configured ?? user.user} has uid 0 in the image's /etc/passwd; give that account its own uid (useradd without -o -u 0) or switch to another user`
      : configured
        ? `The image runs as root (USER ${configured}); add a non-root user and switch to it with USER`
        : 'The image runs as root: no USER instruction; add a non-root user and switch to it with USER',
    line: facts.line,
    path: uidZero ? '/etc/passwd' : null,
  };
}

/** The uid of an account in /etc/passwd content. */
function accountUid(passwd: string, name: string): string | undefined {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name) return fields[2];
  }
  return undefined;
}

function unknownAccountFindings(user: ImageUser, accounts: NonNullable<UserFacts['accounts']>, line: number | null): Draft[] {
  const drafts: Draft[] = [];
  const { passwd, group } = accounts;
  if (!user.numeric) {
    const known = passwd ? accountNames(passwd).names : new Set<string>();
    if (!known.has(user.user)) {
      drafts.push({
        id: 'unknown-user',
        message: `USER ${user.user}: no such user in the image's /etc/passwd${passwd ? '' : ' (the image has no /etc/passwd)'}; create it (useradd/adduser) before USER, or use a numeric uid`,
        line,
        path: '/etc/passwd',
      });
    }
  }
  if (user.group !== undefined && !/^\d+$/.test(user.group)) {
    if (!group || !accountNames(group).names.has(user.group)) {
      drafts.push({
        id: 'unknown-user',
        message: `USER ${user.user}:${user.group}: no such group in the image's /etc/group; create it before USER, or use a numeric gid`,
        line,
        path: '/etc/group',
      });
    }
  }
  return drafts;
}
