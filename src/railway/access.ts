/** How deploy-check reaches Railway: the token, its kind, and the project, environment and service it names. */

export type TokenType = 'project' | 'account';

/** How deploy-check reaches one Railway service. Project, environment and service are IDs or names. */
export interface RailwayAccess {
  readonly token: string;
  readonly tokenType: TokenType;
  /** `railway-token-type: auto` chose the type (from whether `railway-project` is set). */
  readonly tokenTypeGuessed: boolean;
  readonly project: string | undefined;
  readonly environment: string | undefined;
  readonly service: string | undefined;
}
