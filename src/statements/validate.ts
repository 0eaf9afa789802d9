import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { Art50Error } from '../errors';
import { loadSchema } from '../documents/ajv';
import { DocumentVerifier } from '../documents/signed-document';
import type { StatementDoc } from '../documents/types';
import { createDocumentValidators, describeSchemaError } from '../documents/validators';
import type { Registry } from '../participants/registry';
import type { PathValidator } from '../pki/types';

/** Movements checked per slice before the event loop gets a turn (~10–25 ms of Ajv work). */
export const MOVEMENT_SLICE = 2_000;

/**
 * Schema validation of a statement in two parts, so a 100,000-movement statement does not hold the
 * event loop for the whole Ajv run (~0.5–1 s): `header` checks everything except the movement items
 * (synchronously, inside DocumentVerifier.open), `movements` then checks the movement items against
 * the same schema definition in slices, yielding between slices. Together they accept exactly what
 * schemas/statement.schema.json accepts; errors name the same field pointers.
 */
export interface StatementSchemaCheck {
  header: ValidateFunction;
  movements(doc: StatementDoc, sliceSize?: number): Promise<void>;
  /** All movements at once: for the statement worker, where blocking is fine. */
  movementsSync(doc: StatementDoc): void;
}

type Schema = Record<string, unknown> & { $id: string; $defs: Record<string, Record<string, unknown>> };

export function createStatementSchemaCheck(ajv: Ajv2020): StatementSchemaCheck {
  const full = loadSchema('statement') as Schema;
  const headerId = full.$id.replace(/\.schema\.json$/, '.header.schema.json');
  const movementId = full.$id.replace(/\.schema\.json$/, '.movement.schema.json');
  let header = ajv.getSchema(headerId);
  if (!header) {
    const schema = structuredClone(full);
    schema.$id = headerId;
    const account = schema.$defs.account as { properties: { movements: { items: unknown } } };
    account.properties.movements.items = { type: 'object' };
    header = ajv.compile(schema);
  }
  let movement = ajv.getSchema(movementId);
  if (!movement) movement = ajv.compile({ ...full.$defs.movement, $id: movementId, $defs: full.$defs });
  const validateMovement = movement;

  return {
    header,
    movementsSync(doc: StatementDoc): void {
      (doc.accounts ?? []).forEach((a, i) => {
        (a.movements ?? []).forEach((m, j) => {
          if (!validateMovement(m)) throw schemaError(`/accounts/${i}/movements/${j}`, validateMovement.errors);
        });
      });
    },
    async movements(doc: StatementDoc, sliceSize = MOVEMENT_SLICE): Promise<void> {
      const accounts = doc.accounts ?? [];
      let done = 0;
      for (let i = 0; i < accounts.length; i++) {
        const list = accounts[i]!.movements ?? [];
        for (let j = 0; j < list.length; j++) {
          if (!validateMovement(list[j])) throw schemaError(`/accounts/${i}/movements/${j}`, validateMovement.errors);
          if (++done % sliceSize === 0) await new Promise<void>((r) => setImmediate(r));
        }
      }
    },
  };
}

function schemaError(prefix: string, errors: readonly ErrorObject[] | null | undefined): Art50Error {
  const { field, detail } = describeSchemaError((errors ?? []).map((e) => ({ ...e, instancePath: prefix + e.instancePath })));
  return new Art50Error('document.schema', `statement: ${detail}`, { field });
}

/**
 * A DocumentVerifier for statements whose synchronous schema step is the header check; call
 * `movements` on the result before using the movements. Request and sanction validation unchanged.
 */
export function statementVerification(deps: { validator: PathValidator; registry: Registry; ajv: Ajv2020; maxJsonBytes: number; clock?: () => Date; clockSkewSeconds?: number }): {
  verifier: DocumentVerifier;
  schema: StatementSchemaCheck;
} {
  const schema = createStatementSchemaCheck(deps.ajv);
  const validators = createDocumentValidators(deps.ajv);
  const statement = (json: unknown): StatementDoc => headerCheck(schema, json);
  return {
    verifier: new DocumentVerifier({
      validator: deps.validator, registry: deps.registry, validators: { ...validators, statement }, maxJsonBytes: deps.maxJsonBytes,
      ...(deps.clock ? { clock: deps.clock } : {}), ...(deps.clockSkewSeconds !== undefined ? { clockSkewSeconds: deps.clockSkewSeconds } : {}),
    }),
    schema,
  };
}

/** Everything but the movement items: the document type, then the header schema. */
export function headerCheck(schema: StatementSchemaCheck, json: unknown): StatementDoc {
  const t = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>).type : undefined;
  if (typeof t === 'string' && t !== 'statement') {
    throw new Art50Error('document.type', `expected a statement document, got type ${JSON.stringify(t.slice(0, 40))}`, { field: '/type' });
  }
  if (schema.header(json)) return json as StatementDoc;
  const { field, detail } = describeSchemaError(schema.header.errors);
  throw new Art50Error('document.schema', `statement: ${detail}`, { field });
}
