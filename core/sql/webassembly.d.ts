// The few WebAssembly declarations core/sql/pgQuery.ts needs: node has the global, but @types/node 20 does not declare
// it and the DOM library would bring much more than this.
declare namespace WebAssembly {
  interface Module {}
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  type Imports = Record<string, Record<string, unknown>>;
  function compile(bytes: Uint8Array): Promise<Module>;
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}
