/**
 * docs/openapi.yaml for tests: the document, Ajv (JSON Schema 2020-12) validators for its schemas,
 * a checker that compares one real HTTP answer with what the document says that operation answers
 * with that status, and a record of which documented answers a test has actually seen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

export const SPEC_PATH = join(import.meta.dirname, '..', '..', 'docs', 'openapi.yaml');
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** ajv and ajv-formats are CommonJS: under NodeNext their default export is module.exports. */
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

/** Where the components' schemas live inside Ajv: `#/components/schemas/X` becomes `<SCHEMAS_ID>#/$defs/X`. */
const SCHEMAS_ID = 'https://posture-agent.invalid/openapi/components';

export type JsonObject = Record<string, unknown>;

export interface Operation {
  method: string;
  path: string;
  operation: JsonObject;
}

/** One answer as the server gave it. `path` is the documented template, e.g. /v1/devices/{id}. */
export interface SeenAnswer {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  body: string;
}

/** Headers a client acts on: when the service sends one, the document must say so for that answer. */
function isContractHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('x-posture-') || ['cache-control', 'www-authenticate', 'retry-after', 'location', 'allow'].includes(lower);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)}`);
}

/** Rewrites the document's component references into the Ajv schema that holds them. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        return [key, `${SCHEMAS_ID}#/$defs/${value.slice('#/components/schemas/'.length)}`];
      }
      return [key, rewriteRefs(value)];
    }),
  );
}

export class OpenApiSpec {
  readonly document: JsonObject;
  /** `METHOD /template STATUS` of every documented answer a test has seen (HEAD excluded). */
  readonly seen = new Set<string>();
  readonly #ajv;
  readonly #validators = new WeakMap<object, ValidateFunction>();

  constructor(document: JsonObject) {
    this.document = document;
    this.#ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true, allErrors: true });
    addFormats(this.#ajv);
    this.#ajv.addSchema({ $id: SCHEMAS_ID, $defs: rewriteRefs(this.components('schemas')) as JsonObject });
  }

  static load(path: string = SPEC_PATH): OpenApiSpec {
    const document: unknown = parse(readFileSync(path, 'utf8'));
    if (!isObject(document)) throw new Error(`${path} is not a YAML mapping`);
    return new OpenApiSpec(document);
  }

  components(kind: string): JsonObject {
    const components = this.document['components'];
    const section = isObject(components) ? components[kind] : undefined;
    return isObject(section) ? section : {};
  }

  /** The value at a local JSON pointer (`#/components/...`), or undefined. */
  pointer(ref: string): unknown {
    if (!ref.startsWith('#/')) return undefined;
    let node: unknown = this.document;
    for (const raw of ref.slice(2).split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      node = isObject(node) ? node[key] : undefined;
    }
    return node;
  }

  /** Follows `$ref`s (responses, headers, parameters) to the object they name. */
  resolve(node: unknown): JsonObject {
    let current = node;
    for (let depth = 0; isObject(current) && typeof current['$ref'] === 'string'; depth++) {
      if (depth > 10) throw new Error('$ref loop');
      current = this.pointer(current['$ref']);
    }
    if (!isObject(current)) throw new Error(`cannot resolve ${JSON.stringify(node)}`);
    return current;
  }

  operations(): Operation[] {
    const paths = this.document['paths'];
    if (!isObject(paths)) return [];
    return Object.entries(paths).flatMap(([path, item]) =>
      isObject(item)
        ? HTTP_METHODS.flatMap((method) => {
            const operation = item[method];
            return isObject(operation) ? [{ method: method.toUpperCase(), path, operation }] : [];
          })
        : [],
    );
  }

  operation(method: string, path: string): JsonObject | undefined {
    return this.operations().find((entry) => entry.method === method.toUpperCase() && entry.path === path)?.operation;
  }

  /** `METHOD /template STATUS` for every documented answer. */
  documentedAnswers(): string[] {
    return this.operations().flatMap(({ method, path, operation }) =>
      Object.keys(isObject(operation['responses']) ? operation['responses'] : {}).map((status) => `${method} ${path} ${status}`),
    );
  }

  /** Validation problems of `value` against a schema object of the document (empty: valid). */
  validate(schema: unknown, value: unknown): string[] {
    if (!isObject(schema)) return [`no schema to validate against (${JSON.stringify(schema)})`];
    let validator = this.#validators.get(schema);
    if (!validator) {
      validator = this.#ajv.compile(rewriteRefs(schema) as JsonObject);
      this.#validators.set(schema, validator);
    }
    return validator(value) ? [] : formatErrors(validator.errors);
  }

  /** Problems of `value` against components.schemas[name]. */
  validateAgainst(name: string, value: unknown): string[] {
    return this.validate({ $ref: `#/components/schemas/${name}` }, value);
  }

  /** Does the documented request body of this operation accept `body` sent as `contentType`? */
  checkRequest(method: string, path: string, contentType: string, body: unknown): string[] {
    const operation = this.operation(method, path);
    if (!operation) return [`${method} ${path} is not documented`];
    if (operation['requestBody'] === undefined) return [`${method} ${path} documents no request body`];
    const content = this.resolve(operation['requestBody'])['content'];
    const media = isObject(content) ? content[contentType] : undefined;
    if (!isObject(media)) return [`${method} ${path} does not document a ${contentType} body`];
    return this.validate(media['schema'], body);
  }

  /**
   * Everything about one real answer that disagrees with the document: an undocumented status, a
   * missing or invalid documented header, an undocumented header a client acts on (X-Posture-*,
   * Cache-Control, WWW-Authenticate, Retry-After, Location, Allow), an undocumented content type,
   * a body that does not match the schema. A HEAD answer is checked against its GET
   * operation, without a body.
   */
  check(answer: SeenAnswer): string[] {
    const method = answer.method.toUpperCase();
    const head = method === 'HEAD';
    const operation = this.operation(head ? 'GET' : method, answer.path);
    if (!operation) return [`${method} ${answer.path} is not documented`];
    const responses = isObject(operation['responses']) ? operation['responses'] : {};
    const documented = responses[String(answer.status)];
    if (documented === undefined) {
      return [`${method} ${answer.path} answered ${answer.status}, a status the document does not list for it: ${answer.body.slice(0, 300)}`];
    }
    if (!head) this.seen.add(`${method} ${answer.path} ${answer.status}`);
    const response = this.resolve(documented);
    const problems: string[] = [];

    const headers = isObject(response['headers']) ? response['headers'] : {};
    const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
    for (const [name, definition] of Object.entries(headers)) {
      const header = this.resolve(definition);
      const value = answer.headers.get(name);
      if (value === null) {
        if (header['required'] === true) problems.push(`the documented header ${name} is missing`);
        continue;
      }
      problems.push(...this.validate(header['schema'], value).map((problem) => `header ${name}: ${problem}`));
    }
    for (const [name] of answer.headers) {
      if (isContractHeader(name) && !names.has(name.toLowerCase())) problems.push(`the header ${name} is not documented for ${answer.status}`);
    }

    const content = isObject(response['content']) ? response['content'] : undefined;
    if (!content) {
      if (answer.body !== '') problems.push('a body where the document lists none');
      return problems;
    }
    const contentType = answer.headers.get('content-type');
    const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
    const media = content[mediaType];
    if (!isObject(media)) {
      problems.push(`content type ${String(contentType)} is not documented (documented: ${Object.keys(content).join(', ')})`);
      return problems;
    }
    if (head) {
      if (answer.body !== '') problems.push('a HEAD answer with a body');
      return problems;
    }
    let value: unknown = answer.body;
    if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
      try {
        value = JSON.parse(answer.body);
      } catch {
        return [...problems, `the body is not JSON: ${answer.body.slice(0, 200)}`];
      }
    }
    problems.push(...this.validate(media['schema'], value).map((problem) => `body: ${problem}`));
    return problems;
  }
}

/** The document's name for a fastify wildcard (`/*`): a path parameter called `path`. */
export const WILDCARD_PARAMETER = 'path';

/** A document path as a fastify route URL: `/v1/devices/{id}` → `/v1/devices/:id`, `/{path}` → `/*`. */
export function fastifyUrl(path: string): string {
  return path.replace(/\{([^}]+)\}/g, (_match, name: string) => (name === WILDCARD_PARAMETER ? '*' : `:${name}`));
}

/**
 * The routes in fastify's `printRoutes({ commonPrefix: false })` tree, as `METHOD /path` in the
 * document's notation (`/v1/devices/{id}`, a trailing wildcard as `/{path}`).
 */
export function routesFromTree(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack
      .join('')
      .replace(/:([A-Za-z0-9_]+)/g, '{$1}')
      .replace(/\/?\*$/, `/{${WILDCARD_PARAMETER}}`);
    for (const method of match[3]?.split(',').map((name) => name.trim()) ?? []) routes.push(`${method} ${path}`);
  }
  return routes.sort();
}
