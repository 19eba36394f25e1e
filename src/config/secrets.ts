/**
 * Which values a run masks in every output (log, annotations, summary, comment, report,
 * terminal). Known before the build starts, since BuildKit prints RUN steps with their build
 * arguments expanded and the Dockerfile's own text.
 */
import { isReference } from '../secrets/lookalikes.ts';
import { isSecretName } from '../secrets/names.ts';
import { isFlagValue, VALUE_KIND_LABELS, valuesToMask } from '../secrets/values.ts';
import type { ComposeConfig } from './compose.ts';
import { dependencyClosure } from '../compose/plan.ts';
import type { KeyValue } from '../inputs/lines.ts';

/** A secret shorter than this is weak, and masking it hides the same characters wherever they appear. */
export const SHORT_SECRET_CHARS = 8;

/** A value to mask and where it was found, safe to print: `env "API_KEY"`. */
interface Labelled {
  readonly label: string;
  readonly value: string;
}

export interface SecretSources {
  /** `env` and `env-file`. */
  readonly env: readonly KeyValue[];
  /** Variables of .railway/railway.ts the app also receives. */
  readonly railwayEnv: readonly KeyValue[];
  /** Values Railway generates or holds (database passwords, resolved references). */
  readonly railwaySecrets: readonly string[];
  readonly buildSecrets: readonly KeyValue[];
  readonly buildArgs: readonly KeyValue[];
  /** registry-password, railway-token, github-token. */
  readonly credentials: readonly Labelled[];
  readonly compose: ComposeConfig | undefined;
  readonly dockerfile: { readonly name: string; readonly text: string };
}

/**
 * The values to mask, and the names (never the values) of the short ones, which the log names once.
 * - Whatever their length: build secrets, credentials, env values and build args whose name says
 *   secret, the same in the Compose environment of the containers the run starts (the app's
 *   service and the dependencies it starts; other services' values never reach them).
 * - By their form, in env values, build args, that Compose environment and the Dockerfile: tokens
 *   of a known format, and the password part of scheme://user:password@host (in the Dockerfile,
 *   when the hygiene scan would call it a secret: a placeholder there is not one).
 * - Other env values from 3 characters ("1" or "ci" masked everywhere would make every output
 *   unreadable), and Railway's own values from 3 characters.
 */
export function secretValues(sources: SecretSources): { secrets: string[]; shortSecrets: string[] } {
  const { env, buildArgs } = sources;
  const composeEnv = checkedComposeEnvironment(sources.compose, env);
  const certain: Labelled[] = [
    ...sources.buildSecrets.map((s) => ({ label: `build secret "${s.key}"`, value: s.value })),
    ...env.filter((e) => isSecretName(e.key)).map((e) => ({ label: `env "${e.key}"`, value: e.value })),
    // BuildKit prints a RUN step with its build args expanded.
    ...buildArgs.filter((a) => isSecretName(a.key)).map((a) => ({ label: `build arg "${a.key}"`, value: a.value })),
    ...sources.credentials,
    ...composeEnv.filter((e) => isSecretName(e.key) && !isFlagValue(e.value) && !isReference(e.value)).map((e) => ({ label: e.label, value: e.value })),
    ...byForm(
      [
        ...env.map((e) => ({ label: `env "${e.key}"`, value: e.value })),
        ...sources.railwayEnv.map((e) => ({ label: `railway.ts variable "${e.key}"`, value: e.value })),
        ...buildArgs.map((a) => ({ label: `build arg "${a.key}"`, value: a.value })),
        ...composeEnv,
      ],
      true,
    ),
    ...byForm([{ label: sources.dockerfile.name, value: sources.dockerfile.text }], false),
  ].filter((s) => s.value !== '');
  const railway = [...sources.railwaySecrets, ...sources.railwayEnv.filter((e) => isSecretName(e.key)).map((e) => e.value)];
  const secrets = [
    ...certain.map((s) => s.value),
    ...env.filter((e) => !isSecretName(e.key) && e.value.length >= 3).map((e) => e.value),
    ...railway.filter((v) => v.length >= 3),
  ];
  const shortSecrets = certain.filter((s) => s.value.length < SHORT_SECRET_CHARS).map((s) => s.label);
  return { secrets: [...new Set(secrets)], shortSecrets: [...new Set(shortSecrets)] };
}

/** Tokens and URL passwords inside values, each under its own label (`the URL password in env "DB_URL"`). */
function byForm(values: readonly Labelled[], given: boolean): Labelled[] {
  return values.flatMap((v) =>
    valuesToMask(v.value, given).map((found) => ({
      label: `the ${found.kind === 'url-password' ? 'URL password' : VALUE_KIND_LABELS[found.kind]} in ${v.label}`,
      value: found.value,
    })),
  );
}

/**
 * The Compose environment the run's containers receive: the app's service (less what `env`
 * overrides) and the dependencies it starts. Services the app does not depend on are not started.
 */
function checkedComposeEnvironment(compose: ComposeConfig | undefined, env: readonly KeyValue[]): (Labelled & { key: string })[] {
  if (!compose) return [];
  const { model, service: app } = compose;
  const overridden = new Set(env.map((e) => e.key));
  const ofService = (name: string, skip: ReadonlySet<string>): (Labelled & { key: string })[] =>
    Object.entries(model.services[name]?.environment ?? {})
      .filter(([key]) => !skip.has(key))
      .map(([key, value]) => ({ key, value, label: `Compose environment "${key}" of "${name}"` }));
  return [...ofService(app, overridden), ...dependencyClosure(model, app).flatMap((d) => ofService(d.name, new Set()))];
}
