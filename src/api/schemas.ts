import { z } from "@hono/zod-openapi";
import { ROLES } from "../auth/principal";
import { MAX_JSON_NESTING, nestingRule, nestsDeeperThan } from "../json-nesting";
import { DEPENDENCY_NAMES, isKnownDependency } from "../runtime/libraries/catalog";

// Limits of a function, as LivePerson Functions documents them (docs/limits.md).
export const LIMITS = {
  nameMax: 50,
  descriptionMax: 100,
  codeMax: 100_000,
  envVarsMax: 512,
  envKeyMax: 200,
  envValueMax: 1024,
  dependenciesMax: 50,
  skillsMax: 500,
  keptDeployments: 5,
} as const;

export const RESERVED_ENV_NAMES = ["BRAND_ID", "X_LIVEPERSON_BRAND_ID", "X_LIVEPERSON_FUNCTION_UUID"];
export const RESERVED_ENV_PREFIX = "EDGEFN_";

export const ErrorSchema = z
  .object({
    errorCode: z.string().openapi({ example: "com.liveperson.faas.es.badinput" }),
    errorMsg: z.string(),
    code: z.string().openapi({ description: "The same error for LivePerson V2 clients (its V2 code where one exists)", example: "com.liveperson.faas.evg.invalid" }),
    message: z.string().openapi({ description: "Same as errorMsg" }),
    requestId: z.string().optional(),
    errorLogs: z.array(z.any()).optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Error");

export const AccountIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).openapi({ param: { name: "accountId", in: "path" }, example: "12345678" });
export const UuidParam = z.string().min(1).max(64).openapi({ param: { name: "uuid", in: "path" } });
export const EventIdParam = z.string().min(1).max(100).openapi({ param: { name: "eventId", in: "path" }, example: "conversational_command" });
export const IdParam = z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" } });

export const EnvVarSchema = z.object({
  key: z
    .string()
    .max(LIMITS.envKeyMax, `environment variable names have at most ${LIMITS.envKeyMax} characters`)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "environment variable names must be POSIX names: letters, digits and _, not starting with a digit")
    .refine((k) => !RESERVED_ENV_NAMES.includes(k) && !k.startsWith(RESERVED_ENV_PREFIX), "Variable name is reserved and thereby blocked for use."),
  value: z.string().max(LIMITS.envValueMax, `environment variable values have at most ${LIMITS.envValueMax} characters`),
});

/**
 * Any JSON value that edgefn stores or passes on, within the one nesting limit (src/json-nesting.ts);
 * a deeper one is a 400 naming the field (zod's path) and the limit.
 */
export const jsonValue = () =>
  z.any().refine((v) => !nestsDeeperThan(v), nestingRule()).openapi({ description: `Any JSON value, nested at most ${MAX_JSON_NESTING} levels deep` });

const codeField = z.string().min(1, "code must not be empty").max(LIMITS.codeMax, `code has at most ${LIMITS.codeMax} characters`);
/** How a refused dependency is named in the error: a name as given (cut short), else what it is. */
const dependencyLabel = (v: unknown) => (typeof v === "string" ? JSON.stringify(v.slice(0, 100)) : `a value of type ${v === null ? "null" : typeof v}`);
// Names of the libraries (runtime/libraries) and of the toolbelt; GET /runtimes lists the libraries
// with their versions. Values stored before this check still load: LambdaSchema answers any value.
const dependencyName = jsonValue()
  .superRefine((v, ctx) => {
    if (!isKnownDependency(v)) ctx.addIssue({ code: "custom", message: `${dependencyLabel(v)} is not a library edgefn provides; available: ${DEPENDENCY_NAMES.join(", ")}` });
  })
  .openapi({ description: `A library brand code may require: ${DEPENDENCY_NAMES.join(", ")}` });
const dependenciesField = z.array(dependencyName).max(LIMITS.dependenciesMax);
const environmentVariablesField = z
  .array(EnvVarSchema)
  .max(LIMITS.envVarsMax, `at most ${LIMITS.envVarsMax} environment variables`)
  .refine((vars) => new Set(vars.map((v) => v.key)).size === vars.length, "environment variable names must be unique");

export const ImplementationSchema = z
  .object({
    code: codeField,
    dependencies: dependenciesField.optional().default([]),
    environmentVariables: environmentVariablesField.optional().default([]),
  })
  .openapi("Implementation");

// No defaults here: a field left out of an edit keeps its stored value instead of being emptied.
const ImplementationUpdateSchema = z
  .object({
    code: codeField.optional(),
    dependencies: dependenciesField.optional(),
    environmentVariables: environmentVariablesField.optional(),
  })
  .openapi("ImplementationUpdate");

export const RuntimeSchema = z
  .object({ uuid: z.string(), name: z.string(), baseImageName: z.string() })
  .openapi("Runtime");

/** A runtime as GET /runtimes lists it: with the libraries its functions may require. */
export const RuntimeListingSchema = RuntimeSchema.extend({
  libraries: z.array(z.object({ name: z.string(), version: z.string() })).openapi({ description: "The libraries brand code may require(), with their pinned versions" }),
}).openapi("RuntimeListing");

const runtimeRef = z.looseObject({ uuid: z.string() }).optional().nullable();
const eventIdField = z.string().max(100).optional().nullable();
// Skill ids a function of a skill event serves (services/event-binding.ts); empty = every skill.
const skillsField = z
  .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "skill ids are 1-64 letters, digits, _ or -"))
  .max(LIMITS.skillsMax, `at most ${LIMITS.skillsMax} skills per function`)
  .refine((skills) => new Set(skills).size === skills.length, "skill ids must be unique");

const LambdaFields = z.looseObject({
    name: z.string().max(LIMITS.nameMax, `name has at most ${LIMITS.nameMax} characters`).regex(/^\w+$/, "name may contain only letters, digits and _"),
    description: z.string().max(LIMITS.descriptionMax, `description has at most ${LIMITS.descriptionMax} characters`).default(""),
    eventId: eventIdField,
    runtime: runtimeRef,
    skills: skillsField.optional().openapi({ description: "Skill ids the function serves (events whose skillsApply); empty or absent = every skill" }),
    // Either the code, or a template (GET /templates) that supplies code, event and sample payload.
    implementation: ImplementationSchema.optional(),
    templateId: z.string().max(100).optional().openapi({ description: "Create from this template (GET /templates): its code, event and sample payload" }),
    samplePayload: jsonValue().optional(),
  });

export const LambdaCreateSchema = LambdaFields
  .refine((l) => l.implementation !== undefined || l.templateId !== undefined, {
    message: "implementation (with code) or templateId is required",
    path: ["implementation"],
  })
  .openapi("LambdaCreate");

export const LambdaUpdateSchema = LambdaFields.omit({ templateId: true }).extend({
  name: z.string().optional(),
  description: z.string().max(LIMITS.descriptionMax, `description has at most ${LIMITS.descriptionMax} characters`).optional(),
  implementation: ImplementationUpdateSchema.optional(),
  version: z.number().int().optional(),
}).openapi("LambdaUpdate");

export const DeploymentSchema = z
  .object({
    uuid: z.string(),
    name: z.string(),
    lambdaUUID: z.string(),
    lambdaVersion: z.number(),
    imageName: z.string(),
    deploymentState: z.string(),
    codeHash: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    deployedAt: z.string(),
    createdBy: z.string(),
    updatedBy: z.string(),
  })
  .openapi("Deployment");

export const DeployFailureSchema = z
  .object({
    lambdaVersion: z.number().openapi({ description: "The function's version the deploy tried" }),
    errorCode: z.string().openapi({ description: "The refusal's errorCode (e.g. com.liveperson.faas.es.contract-error)" }),
    message: z.string().openapi({ description: "The refusal's message, as the deploy answered it" }),
    failedAt: z.string(),
    failedBy: z.string(),
  })
  .openapi("DeployFailure");

export const LambdaSchema = z
  .object({
    uuid: z.string(),
    version: z.number(),
    name: z.string(),
    description: z.string(),
    state: z.enum(["Draft", "Productive", "Modified"]),
    eventId: z.string().nullable(),
    skills: z.array(z.string()).openapi({ description: "Skill ids the function serves; empty = every skill (only events whose skillsApply)" }),
    runtime: RuntimeSchema,
    implementation: z.object({
      code: z.string(),
      dependencies: z.array(z.any()).nullable().openapi({ description: "null only with a warning (see warnings)" }),
      environmentVariables: z.array(z.object({ key: z.string(), value: z.string() })),
    }),
    samplePayload: z.any().openapi({ description: "null with a warning when the stored value is too deep to answer (see warnings)" }),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    lastDeployment: DeploymentSchema.nullable(),
    deployments: z.array(DeploymentSchema).openapi({ description: "The last five deployed versions, newest first" }),
    lastDeployFailure: DeployFailureSchema.nullable().openapi({
      description: "Why the latest deploy was refused (its cause, e.g. a contract-error); null once a deploy succeeds, and when none failed",
    }),
    warnings: z.array(z.string()).optional().openapi({
      description: `Present when a stored JSON value nests deeper than ${MAX_JSON_NESTING} levels (written before that limit): the field is answered as null; PUT a new value or DELETE the function`,
    }),
  })
  .openapi("Lambda");

export const LogEntrySchema = z
  .object({
    level: z.enum(["Debug", "Info", "Warn", "Error"]),
    message: z.string(),
    extras: z.array(z.any()),
    timestamp: z.number(),
  })
  .openapi("LogEntry");

export const InvokeBodySchema = z
  .looseObject({
    timestamp: z.number().optional(),
    headers: z.array(z.object({ key: z.string(), value: jsonValue() })).optional().default([]),
    payload: jsonValue().optional(),
  })
  .openapi("InvocationInput");

export const InvokeQuerySchema = z.object({
  v: z.string().optional(),
  skillId: z.string().optional(),
  externalSystem: z.string().optional(),
});

export const OutboundCallSchema = z
  .object({
    host: z.string().openapi({ description: "The host asked (normalised; with :port when not the default), secrets redacted" }),
    method: z.string().openapi({ description: "HTTP method, or CONNECT for a raw socket" }),
    path: z.string().optional().openapi({ description: "Path and query, secrets redacted, cut at 200 characters" }),
    status: z.union([z.number(), z.enum(["blocked", "failed"])]).openapi({ description: "HTTP status, blocked (allow-list, raw socket, redirect chain) or failed (network error)" }),
    durationMs: z.number(),
    unattributed: z.literal(true).optional().openapi({
      description: "The request bypassed the invocation's own channel (a raw socket, or a request made outside the platform's fetch); listed in every invocation of the function running at the time",
    }),
  })
  .openapi("OutboundCall")
  .openapi({ description: "One outbound request (one entry per hop of a followed redirect), as the platform's Egress saw it" });

export const InvocationSchema = z
  .object({
    id: z.string(),
    lambdaUUID: z.string(),
    version: z.number().nullable(),
    trigger: z.enum(["http", "test", "schedule", "event"]),
    status: z.enum(["SUCCEEDED", "CODING_FAILURE", "PLATFORM_FAILURE", "TIMEOUT"]),
    errorCode: z.string().nullable(),
    startedAt: z.string(),
    durationMs: z.number(),
    requestId: z.string(),
    scheduleId: z.string().nullable().openapi({ description: "The schedule that fired it (trigger schedule)" }),
    parentInvocationId: z
      .string()
      .nullable()
      .openapi({ description: "The invocation whose function called this one with Toolbelt.OrchestratorClient() (null: not an orchestrated call)" }),
    outbound: z.array(OutboundCallSchema).openapi({ description: "The function's outbound requests, in order (at most 50 are listed)" }),
  })
  .openapi("Invocation");

export const RoleSchema = z.enum(ROLES);

/** A non-empty set of roles (a duplicate is an error, not silently dropped). */
export const RolesSchema = z
  .array(RoleSchema)
  .min(1, "give at least one role")
  .max(3)
  .refine((roles) => new Set(roles).size === roles.length, "each role at most once")
  .openapi({ description: "Any non-empty set of FaaS-Admin, FaaS-Developer, FaaS-Invocation; access is the union of their rights" });

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: RoleSchema.openapi({ description: "The first of roles (Admin, Developer, Invocation order), for clients of one-role keys" }),
    roles: RolesSchema,
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi("ApiKey");

// The state filter of the function lists (V1 /lambdas, V2 /functions), repeatable. LivePerson's
// client sends `state=` (empty) for "any state"; anything else must be a real state, so a typo
// answers 400 instead of an empty list that looks like "no functions".
const stateValue = z.enum(["Draft", "Productive", "Modified", ""], { error: "state must be Draft, Productive or Modified" });
export const stateList = z.union([stateValue, z.array(stateValue)], { error: "state must be Draft, Productive or Modified" }).optional();
export const statesOf = (state: z.infer<typeof stateList>) => (state === undefined ? [] : Array.isArray(state) ? state : [state]);
