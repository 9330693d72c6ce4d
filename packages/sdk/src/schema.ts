// The Standard Schema interface (https://standardschema.dev, v1), inlined as its authors ask of
// libraries that accept schemas: zod 4 (and 3.24+), valibot, arktype and others implement it, so
// the SDK validates and types bodies with any of them and depends on none.

/** A schema of any Standard Schema library: what `messages` and a request's `reply` take. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- the specification's own shape
export declare namespace StandardSchemaV1 {
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>
    readonly types?: Types<Input, Output> | undefined
  }
  export type Result<Output> = SuccessResult<Output> | FailureResult
  export interface SuccessResult<Output> {
    readonly value: Output
    readonly issues?: undefined
  }
  export interface FailureResult {
    readonly issues: readonly Issue[]
  }
  export interface Issue {
    readonly message: string
    readonly path?: readonly (PropertyKey | PathSegment)[] | undefined
  }
  export interface PathSegment {
    readonly key: PropertyKey
  }
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input
    readonly output: Output
  }
  export type InferInput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['input']
  export type InferOutput<S extends StandardSchemaV1> = NonNullable<
    S['~standard']['types']
  >['output']
}

/** A body's schema, of any Standard Schema library. */
export type Schema = StandardSchemaV1

/** What a schema accepts (a publish's body). */
export type SchemaInput<S extends Schema> = StandardSchemaV1.InferInput<S>

/** What a schema gives (a received body, a reply). */
export type SchemaOutput<S extends Schema> = StandardSchemaV1.InferOutput<S>
