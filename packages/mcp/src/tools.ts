import type { Capability, CompiledRoute, Guard, RouteSpec } from '@aap-guard/core';

/**
 * What one MCP tool does, declared by the server's owner: its AAP action (and any other route setting),
 * plus where the target URL or host of `domains_allowed` / `domains_blocked` comes from in its arguments.
 *
 * @example
 * const fetchPage: McpToolDeclaration = { action: 'web.fetch', target: (args) => args.url };
 */
export interface McpToolDeclaration extends RouteSpec {
  /** The URL or host the call acts on, from its arguments (a value that is not one string is refused). */
  readonly target?: ((args: Readonly<Record<string, unknown>>) => unknown) | undefined;
}

/** Tools by name: an action name, or a declaration. */
export type McpTools = Readonly<Record<string, string | McpToolDeclaration>>;

/** A tool declaration validated once, at startup. */
export interface CompiledTool {
  readonly name: string;
  readonly route: CompiledRoute;
  readonly target: McpToolDeclaration['target'];
}

/**
 * Validate and compile the tool declarations once (each through `guard.route()`); a bad one is a
 * `TypeError` naming the tool.
 */
export function compileTools(guard: Guard, tools: unknown): ReadonlyMap<string, CompiledTool> {
  if (tools === null || typeof tools !== 'object' || Array.isArray(tools) || Object.keys(tools).length === 0) {
    throw new TypeError('mcpGuard: options.tools must map each tool name to its AAP action or declaration');
  }
  const compiled = new Map<string, CompiledTool>();
  for (const [name, given] of Object.entries(tools as Record<string, unknown>)) {
    const declaration = (typeof given === 'string' ? { action: given } : given) as McpToolDeclaration;
    try {
      const { target, ...spec } = declaration ?? ({} as McpToolDeclaration);
      if (target !== undefined && typeof target !== 'function')
        throw new TypeError('target must be a function (args) => url or host');
      compiled.set(name, Object.freeze({ name, route: guard.route(spec), target }));
    } catch (error) {
      throw new TypeError(`mcpGuard: options.tools[${JSON.stringify(name)}]: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return compiled;
}

/**
 * The names of the tools a token may try: those whose action one of its capabilities names — step 6's
 * match (exact, case-sensitive). A listed tool is still authorized call by call (constraints, rate limits,
 * oversight); an unlisted one is refused. Cached per verified token.
 */
export function permittedTools(
  tools: ReadonlyMap<string, CompiledTool>,
): (capabilities: readonly Capability[]) => readonly string[] {
  const cache = new WeakMap<readonly Capability[], readonly string[]>();
  return (capabilities) => {
    let names = cache.get(capabilities);
    if (!names) {
      const actions = new Set(capabilities.map((capability) => capability.action));
      names = Object.freeze(
        [...tools.values()].filter((tool) => actions.has(tool.route.action)).map((tool) => tool.name),
      );
      cache.set(capabilities, names);
    }
    return names;
  };
}
