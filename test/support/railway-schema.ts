/**
 * The project's own SDL of the part of Railway's API that deploy-check uses
 * (src/railway/railway.graphql), and the check that it is a faithful subset of Railway's
 * full schema when that reference introspection is at hand.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildClientSchema,
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const RAILWAY_SDL_PATH = path.join(REPO_ROOT, 'src/railway/railway.graphql');

/**
 * Railway's full introspection (the JSON its CLI ships), reference data that the repository does
 * not carry: RAILWAY_SCHEMA_PATH names the file when one is at hand; without it the subset check
 * is skipped and says so.
 */
export const REFERENCE_SCHEMA_PATH = process.env['RAILWAY_SCHEMA_PATH'] ?? '';

let cached: GraphQLSchema | undefined;

/** The SDL the project carries, built once. */
export function railwaySchema(): GraphQLSchema {
  cached ??= buildSchema(readFileSync(RAILWAY_SDL_PATH, 'utf8'));
  return cached;
}

/** Railway's full schema, or null when no reference file is given or it is missing. */
export function referenceSchema(file = REFERENCE_SCHEMA_PATH): GraphQLSchema | null {
  if (!existsSync(file)) return null;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: IntrospectionQuery } & Partial<IntrospectionQuery>;
  return buildClientSchema(parsed.data ?? (parsed as IntrospectionQuery));
}

function kindOf(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'type';
  if (isInputObjectType(type)) return 'input';
  if (isEnumType(type)) return 'enum';
  if (isScalarType(type)) return 'scalar';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  return 'unknown';
}

/**
 * What makes `subset` unfaithful to `full`: a type, field, argument or input field that Railway
 * does not have or types differently, an enum whose values differ, or an argument or input field
 * Railway requires that the subset leaves out (an operation valid against the subset would then be
 * refused by Railway). Empty when faithful.
 */
export function subsetProblems(subset: GraphQLSchema, full: GraphQLSchema): string[] {
  const problems: string[] = [];
  const roots = new Map([
    [subset.getQueryType()?.name, full.getQueryType()?.name],
    [subset.getMutationType()?.name, full.getMutationType()?.name],
  ]);
  for (const type of Object.values(subset.getTypeMap())) {
    if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
    const other = full.getType(roots.get(type.name) ?? type.name);
    if (!other) {
      problems.push(`${type.name}: Railway has no such type`);
      continue;
    }
    if (kindOf(type) !== kindOf(other)) {
      problems.push(`${type.name}: ${kindOf(type)} here, ${kindOf(other)} at Railway`);
      continue;
    }
    if (isEnumType(type) && isEnumType(other)) {
      const mine = type
        .getValues()
        .map((v) => v.name)
        .sort();
      const theirs = other
        .getValues()
        .map((v) => v.name)
        .sort();
      if (mine.join() !== theirs.join()) problems.push(`${type.name}: values ${mine.join(', ')} here, ${theirs.join(', ')} at Railway`);
    }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(other) || isInterfaceType(other))) {
      const theirs = other.getFields();
      for (const field of Object.values(type.getFields())) {
        const where = `${type.name}.${field.name}`;
        const match = theirs[field.name];
        if (!match) {
          problems.push(`${where}: Railway has no such field`);
          continue;
        }
        if (String(field.type) !== String(match.type)) problems.push(`${where}: ${String(field.type)} here, ${String(match.type)} at Railway`);
        for (const arg of field.args) {
          const theirArg = match.args.find((a) => a.name === arg.name);
          if (!theirArg) problems.push(`${where}(${arg.name}): Railway has no such argument`);
          else if (String(arg.type) !== String(theirArg.type))
            problems.push(`${where}(${arg.name}): ${String(arg.type)} here, ${String(theirArg.type)} at Railway`);
        }
        for (const theirArg of match.args) {
          if (isNonNullType(theirArg.type) && theirArg.defaultValue === undefined && !field.args.some((a) => a.name === theirArg.name)) {
            problems.push(`${where}: Railway requires the argument ${theirArg.name}: ${String(theirArg.type)}`);
          }
        }
      }
    }
    if (isInputObjectType(type) && isInputObjectType(other)) {
      const theirs = other.getFields();
      const mine = type.getFields();
      for (const field of Object.values(mine)) {
        const match = theirs[field.name];
        if (!match) problems.push(`${type.name}.${field.name}: Railway has no such input field`);
        else if (String(field.type) !== String(match.type))
          problems.push(`${type.name}.${field.name}: ${String(field.type)} here, ${String(match.type)} at Railway`);
      }
      for (const field of Object.values(theirs)) {
        if (isNonNullType(field.type) && field.defaultValue === undefined && !mine[field.name]) {
          problems.push(`${type.name}: Railway requires the input field ${field.name}: ${String(field.type)}`);
        }
      }
    }
  }
  return problems;
}
