#!/usr/bin/env node
// Validates GraphQL documents against a schema (SDL) with graphql-js, the
// reference implementation that the campaign API's Apollo server runs.
//
//   node graphql_validator.js SCHEMA.graphql OPERATIONS.json
//     OPERATIONS.json: [{"name": ..., "text": ...}, ...]. Prints one line per
//     operation ("ok NAME" or "INVALID NAME: message"); exit 0 when all are
//     valid, 1 when any is not, 2 on bad usage or an unreadable schema.
//   node graphql_validator.js SCHEMA.graphql --serve
//     One JSON object per line on stdin, {"query", "variables"?,
//     "operationName"?}; answers one line per request on stdout:
//       {"errors": ["message", ...], "code": C} when the document is invalid
//       (C = GRAPHQL_PARSE_FAILED or GRAPHQL_VALIDATION_FAILED), its variables
//       cannot be coerced or no operation is chosen (BAD_USER_INPUT): Apollo
//       answers each with HTTP 400;
//       {"errors": [], "operation": "query"|"mutation", "fields": [FIELD...]}
//       otherwise, FIELD = {"alias", "name", "nonNull", "args", "selections"}:
//       the root fields in document order, their arguments coerced by
//       graphql-js as a resolver would get them (defaults filled in), and the
//       selection tree (fragments flattened) as [{"alias", "name",
//       "selections"}]. The fake campaign API runs it as a child process and
//       executes the fields itself. Parsing and validation are cached per
//       query text (the service sends a dozen distinct texts).
'use strict';

const fs = require('fs');
const readline = require('readline');
const {
  buildSchema, parse, validate, getVariableValues, getArgumentValues, isNonNullType, Kind,
} = require('graphql');

function usage(message) {
  process.stderr.write(`graphql_validator: ${message}\n` +
    'usage: graphql_validator.js SCHEMA.graphql (OPERATIONS.json | --serve)\n');
  process.exit(2);
}

function loadSchema(path) {
  try {
    return buildSchema(fs.readFileSync(path, 'utf8'));
  } catch (e) {
    usage(`cannot load the schema ${path}: ${e.message}`);
  }
}

// The messages Apollo would answer with (HTTP 400, GRAPHQL_VALIDATION_FAILED).
function errorsOf(schema, text) {
  let document;
  try {
    document = parse(text);
  } catch (e) {
    return [e.message];
  }
  return validate(schema, document).map((e) => e.message);
}

function checkFile(schema, path) {
  let operations;
  try {
    operations = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (e) {
    usage(`cannot read ${path}: ${e.message}`);
  }
  if (!Array.isArray(operations) || operations.length === 0) usage(`${path}: expected a non-empty array`);
  let invalid = 0;
  for (const op of operations) {
    const errors = errorsOf(schema, String(op.text));
    if (errors.length === 0) {
      process.stdout.write(`ok ${op.name}\n`);
    } else {
      invalid += 1;
      process.stdout.write(`INVALID ${op.name}: ${errors.join('; ')}\n`);
    }
  }
  process.stdout.write(`${operations.length - invalid} valid, ${invalid} invalid\n`);
  process.exit(invalid === 0 ? 0 : 1);
}

// The selection tree of a selection set, fragments flattened (the fake's
// types have no interfaces or unions: type conditions do not matter).
function selectionsOf(selectionSet, fragments) {
  const out = [];
  if (!selectionSet) return out;
  for (const sel of selectionSet.selections) {
    if (sel.kind === Kind.FIELD) {
      out.push({
        alias: sel.alias ? sel.alias.value : sel.name.value,
        name: sel.name.value,
        selections: selectionsOf(sel.selectionSet, fragments),
      });
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      out.push(...selectionsOf(sel.selectionSet, fragments));
    } else if (sel.kind === Kind.FRAGMENT_SPREAD && fragments[sel.name.value]) {
      out.push(...selectionsOf(fragments[sel.name.value].selectionSet, fragments));
    }
  }
  return out;
}

// What the fake needs to run one request of a valid document.
function plan(schema, document, variables, operationName) {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const fragments = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  let operation;
  if (operationName) {
    operation = operations.find((o) => o.name && o.name.value === operationName);
    if (!operation) return { errors: [`Unknown operation named "${operationName}".`] };
  } else if (operations.length === 1) {
    operation = operations[0];
  } else {
    return { errors: ['Must provide operation name if query contains multiple operations.'] };
  }
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (operation.operation === 'subscription' || !root) return { errors: ['Only queries and mutations are served.'] };
  const coerced = getVariableValues(schema, operation.variableDefinitions || [], variables || {});
  if (coerced.errors) return { errors: coerced.errors.map((e) => e.message) };
  const fields = [];
  for (const sel of selectionsOf(operation.selectionSet, fragments)) {
    if (sel.name === '__typename') {
      fields.push({ ...sel, nonNull: true, args: {} });
      continue;
    }
    const def = root.getFields()[sel.name];
    // The node of this field (for its arguments): the first one with that alias.
    const node = findField(operation.selectionSet, fragments, sel.alias);
    fields.push({ ...sel, nonNull: isNonNullType(def.type), args: getArgumentValues(def, node, coerced.coerced) });
  }
  return { errors: [], operation: operation.operation, fields };
}

function findField(selectionSet, fragments, alias) {
  for (const sel of selectionSet.selections) {
    if (sel.kind === Kind.FIELD && (sel.alias ? sel.alias.value : sel.name.value) === alias) return sel;
    const inner = sel.kind === Kind.INLINE_FRAGMENT ? sel.selectionSet
      : sel.kind === Kind.FRAGMENT_SPREAD && fragments[sel.name.value] ? fragments[sel.name.value].selectionSet : null;
    const found = inner && findField(inner, fragments, alias);
    if (found) return found;
  }
  return null;
}

function serve(schema) {
  const cache = new Map();  // query text -> {document, errors}
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let answer;
    try {
      const request = JSON.parse(line);
      const query = String(request.query);
      let entry = cache.get(query);
      if (entry === undefined) {
        let document = null;
        let errors;
        let code = 'GRAPHQL_VALIDATION_FAILED';
        try {
          document = parse(query);
          errors = validate(schema, document).map((e) => e.message);
        } catch (e) {
          errors = [e.message];
          code = 'GRAPHQL_PARSE_FAILED';
        }
        entry = { document, errors, code };
        cache.set(query, entry);
      }
      answer = entry.errors.length > 0 ? { errors: entry.errors, code: entry.code }
        : plan(schema, entry.document, request.variables, request.operationName);
      if (answer.errors.length > 0 && !answer.code) answer.code = 'BAD_USER_INPUT';
    } catch (e) {
      answer = { errors: [`bad validator request: ${e.message}`] };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  });
}

const [schemaPath, what] = process.argv.slice(2);
if (!schemaPath || !what) usage('two arguments expected');
const schema = loadSchema(schemaPath);
if (what === '--serve') serve(schema);
else checkFile(schema, what);
