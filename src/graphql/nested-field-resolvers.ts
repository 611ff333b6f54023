/**
 * Nested fields resolved without type-graphql's per-call wrapper.
 *
 * type-graphql puts a resolver of its own on every field of every object type: a plain field
 * (`serialNumber`) reads `root[name]` through its middleware runner, and a `@FieldResolver`
 * (`Device.token`) goes through a handler that, on every call, allocates the resolver data, asks
 * the container for the resolver's instance, sorts the method's parameters and converts the root
 * to its class. A device page of 100 rows makes about 900 such calls; on the device list bench
 * (issue #15) they were about 8 % of a request's CPU, for nothing, since no nested field here has
 * a middleware or a role (root fields have theirs: root-field-middleware.ts).
 *
 * After the schema is built, this pass gives each nested field that needs nothing of that wrapper
 * the resolver it amounts to:
 * - a plain field without middlewares or roles, whose property is its field's name: graphql-js's
 *   default resolver (`resolve` left undefined), as type-graphql's own `simpleResolvers` option
 *   does;
 * - a `@FieldResolver` method of a resolver class whose parameters are only `@Root()`, `@Ctx()` and
 *   `@Info()`, without middlewares or roles: the method called straight, on the class's one
 *   instance. A root that is not already an instance of its declared class still goes through
 *   type-graphql, which converts it.
 * Anything else (arguments, which type-graphql converts and validates; middlewares; roles; a
 * resolver class that takes constructor arguments or keeps state) keeps type-graphql's resolver.
 *
 * It reads type-graphql's metadata (the public `getMetadataStorage()`, version pinned in
 * package-lock.json) and repeats type-graphql's own lookup of a field's resolver. It assumes the
 * build used type-graphql's default container and no global middlewares, and refuses options
 * that say otherwise.
 */
import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { getMetadataStorage, type BuildSchemaOptions } from 'type-graphql';

type Storage = ReturnType<typeof getMetadataStorage>;
type FieldResolverMetadata = Storage['fieldResolvers'][number];
type FieldMetadata = NonNullable<Storage['objectTypes'][number]['fields']>[number];
type Resolve = GraphQLFieldResolver<unknown, unknown>;
type ParamPick = (root: unknown, context: unknown, info: unknown) => unknown;

const PICK: Record<'root' | 'context' | 'info', ParamPick> = {
  root: (root) => root,
  context: (_root, context) => context,
  info: (_root, _context, info) => info,
};

/** Replaces type-graphql's resolvers of nested fields where they add nothing; returns the schema. */
export function resolveNestedFieldsDirectly(schema: GraphQLSchema, options: Pick<BuildSchemaOptions, 'resolvers' | 'globalMiddlewares' | 'container'>): GraphQLSchema {
  if (options.globalMiddlewares?.length || options.container) {
    throw new Error('nested-field-resolvers: the schema was built with global middlewares or a container, which every field resolver must go through');
  }
  const resolvers: readonly Function[] = options.resolvers;
  const storage = getMetadataStorage();
  // Classes are matched to the schema by their GraphQL names, not by identity: type-graphql keeps
  // its metadata on the process's global object, so where the sources are evaluated more than once
  // in a process (jest, one module registry per test file) the storage holds every evaluation's
  // classes, and only the latest were built into this schema. Each evaluation declares the same
  // fields and resolvers, so the latest class of a name stands for all of them.
  const nameOf = new Map<Function, string>([...storage.objectTypes, ...storage.interfaceTypes].map((t) => [t.target, t.name]));
  const fieldResolvers = storage.fieldResolvers.filter((r) => r.kind === 'internal' || resolvers.includes(r.target));
  const instances = new Map<Function, object | null>();
  for (const objectType of new Map(storage.objectTypes.map((o) => [o.name, o])).values()) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue; // a class of another schema, or an abstract base
    const graphqlFields = type.getFields();
    // The fields type-graphql gives the type, in its order (a later one of the same name wins):
    // those of the classes it extends, of the interfaces it implements, then its own.
    const interfaceFields = storage.interfaceTypes.filter((i) => objectType.interfaceClasses?.includes(i.target)).flatMap((i) => i.fields ?? []);
    for (const field of [...inheritedFields(storage, objectType.target), ...interfaceFields, ...(objectType.fields ?? [])]) {
      const graphqlField = graphqlFields[field.schemaName];
      if (!graphqlField?.resolve) continue;
      // type-graphql's lookup (schema-generator.ts): a field resolver of the type declaring the field.
      const declaringType = nameOf.get(field.target);
      if (declaringType === undefined) continue;
      const fieldResolver = fieldResolvers.find((r) => r.methodName === field.name && r.getObjectType && nameOf.get(r.getObjectType()) === declaringType);
      if (!fieldResolver) {
        if (isPlain(field)) graphqlField.resolve = undefined;
      } else if (fieldResolver.kind === 'external') {
        const direct = directHandler(fieldResolver, graphqlField.resolve as Resolve, instances);
        if (direct) graphqlField.resolve = direct;
      }
    }
  }
  return schema;
}

/** The fields of the object-type classes `target` extends, the farthest first. */
function inheritedFields(storage: Storage, target: Function): FieldMetadata[] {
  const superClass = Object.getPrototypeOf(target) as Function | null;
  const superType = superClass?.prototype ? storage.objectTypes.find((o) => o.target === superClass) : undefined;
  return superType ? [...inheritedFields(storage, superType.target), ...(superType.fields ?? [])] : [];
}

function isPlain(field: FieldMetadata): boolean {
  return !field.middlewares?.length && !field.roles && field.name === field.schemaName;
}

/** The method called straight, or null when type-graphql must keep resolving the field. */
function directHandler(meta: FieldResolverMetadata, fallback: Resolve, instances: Map<Function, object | null>): Resolve | null {
  if (meta.middlewares?.length || meta.roles) return null;
  const params = [...(meta.params ?? [])].sort((a, b) => a.index - b.index);
  const picks: ParamPick[] = [];
  let RootClass: Function | undefined;
  for (const param of params) {
    if ((param.kind !== 'root' && param.kind !== 'context' && param.kind !== 'info') || ('propertyName' in param && param.propertyName)) return null;
    if (param.kind === 'root' && param.getType) {
      const rootType = param.getType();
      if (typeof rootType !== 'function') return null; // a scalar or a list: leave it to type-graphql
      RootClass = rootType;
    }
    picks.push(PICK[param.kind]);
  }
  const instance = instanceOf(meta.target, instances);
  if (!instance) return null;
  const method = (instance as Record<string, unknown>)[meta.methodName];
  if (typeof method !== 'function') return null;
  const call = (root: unknown, context: unknown, info: unknown): unknown => {
    switch (picks.length) {
      case 0:
        return method.call(instance);
      case 1:
        return method.call(instance, picks[0](root, context, info));
      case 2:
        return method.call(instance, picks[0](root, context, info), picks[1](root, context, info));
      default:
        return method.apply(instance, picks.map((pick) => pick(root, context, info)));
    }
  };
  const Root = RootClass;
  return Root ? (root, args, context, info) => (root instanceof Root ? call(root, context, info) : fallback(root, args, context, info)) : (root, _args, context, info) => call(root, context, info);
}

/**
 * The resolver class's one instance, as type-graphql's default container makes it (`new Target()`),
 * or null for a class this pass must not instantiate on its own: one whose constructor takes
 * arguments, or whose instance holds state that a second instance would not share.
 */
function instanceOf(Target: Function, instances: Map<Function, object | null>): object | null {
  if (!instances.has(Target)) {
    let instance: object | null = null;
    if (Target.length === 0) {
      instance = new (Target as new () => object)();
      if (Object.keys(instance).length > 0) instance = null;
    }
    instances.set(Target, instance);
  }
  return instances.get(Target)!;
}
