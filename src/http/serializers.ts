// Response serializers compiled on first use. Fastify compiles a fast-json-stringify function
// for every response schema of every route when the route is added (104 here: each route's
// 2xx and its error replies), yet most are never used: cached reads send their stored JSON as a
// string, and many error statuses never occur. Compiled at start they held 3.4 MiB of a serving
// process's V8 heap (32.6 → 29.2 MiB live after a full GC; RSS after start 114–116 → 109 MiB;
// docs/benchmarks-http.md, "Response serializers at first use"). Now each is compiled the first
// time its reply is sent (once, a few ms). `compileAll` compiles the rest: the tests call it, so
// a response schema that cannot compile still fails a test rather than a request.
import SerializerSelector from '@fastify/fast-json-stringify-compiler';

type Serialize = SerializerSelector.Serializer;
type Compile = SerializerSelector.SerializerCompiler;

export class LazySerializers {
  /** Serializers asked for and not compiled yet, each as the function that compiles it. */
  private readonly pending = new Set<() => Serialize>();
  private compiledCount = 0;

  /** Fastify's `schemaController.compilersFactory.buildSerializer`: fast-json-stringify, deferred. */
  readonly buildSerializer: SerializerSelector.SerializerFactory = (externalSchemas, options) => {
    const compile: Compile = SerializerSelector()(externalSchemas, options);
    return (route) => {
      let serialize: Serialize | undefined;
      const compiled = (): Serialize => {
        if (serialize === undefined) {
          serialize = compile(route);
          this.pending.delete(compiled);
          this.compiledCount++;
        }
        return serialize;
      };
      this.pending.add(compiled);
      return (doc) => compiled()(doc);
    };
  };

  /** How many serializers have been compiled so far. */
  compiled(): number {
    return this.compiledCount;
  }

  /** How many are waiting for their first reply. */
  waiting(): number {
    return this.pending.size;
  }

  /** Compiles every serializer not used yet (a schema that cannot compile throws here); returns how many. */
  compileAll(): number {
    const waiting = [...this.pending];
    for (const compile of waiting) compile();
    return waiting.length;
  }
}
